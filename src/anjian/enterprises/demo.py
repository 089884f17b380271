"""Demo register for 路南区: twelve named enterprises (one has the enterprise login) and
about 300 in all, registered through the register's own write paths."""

from __future__ import annotations

from anjian.enterprises import generator, services
from anjian.enterprises.importing import apply_rows
from anjian.enterprises.models import KEY_FLAGS, Enterprise
from anjian.orgs.models import Grid, Industry, Organisation, User
from anjian.regions.models import Region
from anjian.rules.identifiers import credit_code_check_char

DEMO_COUNT = 300

#: (name, industry 大类, township code, in the township's first grid, key flags)
NAMED = [
    (
        "唐山鑫源燃气有限公司",
        "45",
        "130202001",
        True,
        ["is_hazardous_chemicals", "is_flammable_explosive"],
    ),
    ("唐山市路南区宏达建筑工程有限公司", "47", "130202001", True, ["is_construction"]),
    ("唐山路安道路运输有限公司", "54", "130202002", False, []),
    (
        "唐山市永兴化工有限公司",
        "26",
        "130202102",
        False,
        ["is_hazardous_chemicals", "is_confined_space"],
    ),
    ("唐山南湖大酒店有限公司", "61", "130202003", False, ["is_crowded_place"]),
    ("唐山万家乐购商贸有限公司", "52", "130202003", False, ["is_crowded_place"]),
    ("唐山冀东钢构制品有限公司", "33", "130202103", False, ["is_confined_space"]),
    ("唐山陶瓷机械制造有限公司", "35", "130202007", False, []),
    ("唐山通达仓储物流有限公司", "59", "130202008", False, []),
    ("唐山宏远装饰工程有限公司", "50", "130202001", False, ["is_construction"]),
    ("唐山福瑞餐饮管理有限公司", "62", "130202005", False, ["is_crowded_place"]),
    ("唐山凤凰文化娱乐有限公司", "90", "130202004", False, ["is_crowded_place"]),
]


def demo_credit_code(seed: int) -> str:
    """A check-digit-valid 统一社会信用代码 registered in 路南区 (R-ID-1)."""
    body = f"91130202MA0{seed:05d}B"
    return body + credit_code_check_char(body)


def build() -> list[tuple[str, str, str]]:
    operator = User.objects.get(username="admin")
    for seed, (name, industry, township, in_grid, flags) in enumerate(NAMED, start=1):
        if Organisation.objects.filter(name=name).exists():
            continue
        profile = next(generator.rows(1, region=township, seed=seed))[1]
        region = Region.objects.get(code=township)
        data = {k: v for k, v in profile.items() if k in services.PROFILE_FIELDS}
        data.update({name: name in flags for name, _ in KEY_FLAGS})
        data.update(
            {
                "name": name,
                "credit_code": demo_credit_code(seed),
                "region": region,
                "industry": Industry.objects.get(code=industry),
                "phone": f"0315-28{seed:05d}",
                "grid": Grid.objects.filter(region=region, name__endswith="第一网格").first()
                if in_grid
                else None,
                "has_major_hazard": industry == "45",
                "major_hazard_grade": "4" if industry == "45" else "",
            }
        )
        services.enterprise_register(actor=operator, data=data)
    missing = (
        DEMO_COUNT
        - Enterprise.objects.filter(organisation__region__code__startswith="130202").count()
    )
    if missing > 0:
        rows = generator.rows(missing, region="130202", seed=2026, start=1000)
        apply_rows(operator, generator.chunked(rows), reason="演示数据")
    return []
