"""The columns of the enterprise import template and export, with Chinese headers."""

from __future__ import annotations

from dataclasses import dataclass

from anjian.enterprises.models import KEY_FLAGS


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str
    required: bool = False
    kind: str = "text"  # text | code | industry | region | phone | decimal | int | bool | grade | status | grid
    example: str = ""
    max_length: int = 0


ORG_KEYS = ("name", "credit_code", "region", "industry", "grid", "address", "phone")

COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("name", "单位名称", True, example="唐山示例建材有限公司", max_length=200),
    ImportColumn("credit_code", "统一社会信用代码", True, "code", example="91130202MA0000001B"),
    ImportColumn("region", "所在乡镇（街道）区划代码", True, "region", example="130202001"),
    ImportColumn("industry", "行业代码（国民经济行业大类）", True, "industry", example="30"),
    ImportColumn("address", "地址", example="唐山市路南区学院南路1号", max_length=255),
    ImportColumn("phone", "单位电话", kind="phone", example="0315-2800000"),
    ImportColumn("village", "村（社区）", max_length=60),
    ImportColumn("grid", "所属网格", kind="grid"),
    ImportColumn("legal_representative", "法定代表人", example="张三", max_length=60),
    ImportColumn("principal_name", "主要负责人", example="张三", max_length=60),
    ImportColumn("principal_phone", "主要负责人电话", kind="phone", example="13800000000"),
    ImportColumn("safety_officer_name", "安全管理人员", example="李四", max_length=60),
    ImportColumn("safety_officer_phone", "安全管理人员电话", kind="phone", example="13900000000"),
    ImportColumn("longitude", "经度", kind="decimal", example="118.175"),
    ImportColumn("latitude", "纬度", kind="decimal", example="39.625"),
    ImportColumn("employees", "从业人员数", kind="int", example="56"),
    ImportColumn("above_scale", "规模以上（是/否）", kind="bool", example="否"),
    *(
        ImportColumn(name, f"{label}（是/否）", kind="bool", example="否")
        for name, label in KEY_FLAGS
    ),
    ImportColumn("has_major_hazard", "重大危险源（是/否）", kind="bool", example="否"),
    ImportColumn("major_hazard_grade", "重大危险源等级（一级/二级/三级/四级）", kind="grade"),
    ImportColumn("status", "经营状态（在营/停产整顿/关闭/注销）", kind="status", example="在营"),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
PROFILE_KEYS = tuple(c.key for c in COLUMNS if c.key not in ORG_KEYS)
