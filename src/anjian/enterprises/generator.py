"""Believable, deterministic enterprises for the demo and for load tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from anjian.enterprises.columns import COLUMNS
from anjian.enterprises.models import EnterpriseStatus
from anjian.regions.models import Region
from anjian.rules.identifiers import CREDIT_CODE_CHARS, credit_code_check_char

#: (大类, share, name stems, suffixes, flags) — an urban district's mix of units.
PROFILES: list[tuple[str, int, list[str], list[str], list[str]]] = [
    (
        "52",
        16,
        ["万家", "惠民", "华联", "福达", "鑫隆", "永辉"],
        ["商贸有限公司", "超市有限公司", "百货有限公司"],
        ["is_crowded_place"],
    ),
    (
        "62",
        14,
        ["福瑞", "老唐山", "鸿宾", "聚德", "家和"],
        ["餐饮管理有限公司", "饭庄有限公司"],
        ["is_crowded_place"],
    ),
    (
        "61",
        5,
        ["南湖", "凤凰", "锦江", "君悦"],
        ["大酒店有限公司", "宾馆有限公司"],
        ["is_crowded_place"],
    ),
    (
        "47",
        8,
        ["宏达", "冀东", "建安", "路桥", "城建"],
        ["建筑工程有限公司", "建设集团有限公司"],
        ["is_construction"],
    ),
    ("50", 5, ["宏远", "美家", "华艺"], ["装饰工程有限公司"], ["is_construction"]),
    (
        "30",
        8,
        ["陶瓷", "惠达", "华丰", "骨质瓷"],
        ["陶瓷有限公司", "建材有限公司"],
        ["is_dust_explosion"],
    ),
    (
        "33",
        6,
        ["冀东", "恒通", "金鼎"],
        ["钢构制品有限公司", "金属制品有限公司"],
        ["is_confined_space"],
    ),
    ("35", 5, ["唐陶", "精工", "重机"], ["制造有限公司", "机械有限公司"], []),
    (
        "26",
        3,
        ["永兴", "华润", "盛达"],
        ["化工有限公司"],
        ["is_hazardous_chemicals", "is_confined_space"],
    ),
    (
        "45",
        2,
        ["鑫源", "华港"],
        ["燃气有限公司"],
        ["is_flammable_explosive", "is_hazardous_chemicals"],
    ),
    ("59", 6, ["通达", "顺达", "港联"], ["仓储物流有限公司"], []),
    ("54", 5, ["路安", "唐运", "平安"], ["道路运输有限公司", "客运有限公司"], []),
    ("13", 4, ["丰源", "北方"], ["食品有限公司", "粮油有限公司"], ["is_ammonia_refrigeration"]),
    ("90", 4, ["凤凰", "星光", "欢乐"], ["文化娱乐有限公司", "KTV有限公司"], ["is_crowded_place"]),
    ("44", 2, ["唐热", "南湖"], ["热力有限公司"], []),
    ("51", 7, ["冀东", "恒利", "广源"], ["物资有限公司", "贸易有限公司"], []),
]
WORDS = [
    "兴业",
    "恒信",
    "祥和",
    "德润",
    "金诚",
    "华泰",
    "瑞丰",
    "永盛",
    "嘉禾",
    "宏图",
    "鼎盛",
    "安泰",
    "丰华",
    "隆昌",
    "博远",
    "开元",
    "东方",
    "新源",
    "利民",
    "正大",
    "天成",
    "汇通",
    "兴旺",
    "同创",
    "益丰",
    "长城",
    "康达",
    "富华",
    "三友",
    "联合",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "建国明华丽强军伟芳敏静磊洋艳勇杰娟涛超秀霞平刚桂英"
#: Rows from this index on carry numbered names (load tests), unique across runs.
LOAD_TEST_START = 10_000
LUNAN_CENTRE = (Decimal("118.17"), Decimal("39.62"))


def credit_code(rng: random.Random, area: str) -> str:
    body = (
        "91"
        + area
        + "".join(rng.choice(CREDIT_CODE_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + credit_code_check_char(body)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def rows(
    count: int, *, region: str, seed: int, start: int = 0
) -> Iterator[tuple[int, dict[str, Any]]]:
    """`count` clean import rows spread over the townships under `region`."""
    rng = random.Random(seed)
    townships = list(
        Region.objects.filter(code__startswith=region, level=Region.Level.TOWNSHIP).values_list(
            "code", flat=True
        )
    )
    if not townships:
        raise ValueError(f"no townships under {region}")
    weights = [p[1] for p in PROFILES]
    used: set[tuple[str, str]] = set()
    blank = {c.key: {"bool": False, "decimal": None, "int": None}.get(c.kind, "") for c in COLUMNS}
    for index in range(start, start + count):
        industry, _, stems, suffixes, flags = rng.choices(PROFILES, weights)[0]
        township = townships[index % len(townships)]
        name = f"唐山{rng.choice(stems)}{rng.choice(WORDS)}{rng.choice(suffixes)}"
        if (
            index >= LOAD_TEST_START or (township, name) in used
        ):  # load-test rows: unique across runs by their index
            name = f"{name.removesuffix('有限公司')}{index}号有限公司"
        used.add((township, name))
        employees = int(rng.lognormvariate(3.2, 1.0)) + 3
        major = industry in {"26", "45"} and rng.random() < 0.4
        row = dict(blank)
        row.update(
            {
                "name": name,
                "credit_code": credit_code(rng, township[:6]),
                "region": township,
                "industry": industry,
                "address": f"唐山市路南区{rng.choice(['新华西道', '学院南路', '建设南路', '南新道', '复兴路', '国防道'])}{rng.randint(1, 400)}号",
                "phone": f"0315-{rng.randint(2000000, 3999999)}",
                "legal_representative": (person := _person(rng)),
                "principal_name": person,
                "principal_phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                "safety_officer_name": _person(rng),
                "safety_officer_phone": f"15{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                "longitude": (LUNAN_CENTRE[0] + Decimal(rng.randint(-300, 300)) / 10000).quantize(
                    Decimal("0.000001")
                ),
                "latitude": (LUNAN_CENTRE[1] + Decimal(rng.randint(-300, 300)) / 10000).quantize(
                    Decimal("0.000001")
                ),
                "employees": employees,
                "above_scale": employees > 150,
                "has_major_hazard": major,
                "major_hazard_grade": rng.choice(["3", "4"]) if major else "",
                "status": EnterpriseStatus.SUSPENDED
                if rng.random() < 0.03
                else EnterpriseStatus.OPERATING,
                "grid": "",
            }
        )
        for flag in flags:
            row[flag] = True
        yield index + 2, row


def chunked(
    items: Iterator[tuple[int, dict[str, Any]]], size: int = 1000
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
