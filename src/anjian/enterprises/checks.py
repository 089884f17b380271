"""Row checks for the enterprise import: one clear Chinese message per bad cell."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from anjian.core.access import scope_for
from anjian.enterprises.columns import COLUMNS, ImportColumn
from anjian.enterprises.models import EnterpriseStatus, MajorHazardGrade
from anjian.orgs.models import Grid, Industry
from anjian.regions.models import Region
from anjian.rules.identifiers import credit_code_is_valid

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", ""}
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
STATUS_BY_LABEL = {label: value for value, label in EnterpriseStatus.choices}
GRADE_BY_LABEL = {label: value for value, label in MajorHazardGrade.choices} | {
    value: value for value, _ in MajorHazardGrade.choices
}


class CellError(Exception):
    pass


def text_of(value: Any) -> str:
    """A cell as text: numbers typed into Excel come back as floats (130202001.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class CheckContext:
    """What the checks need to know, loaded once per import for the importing user."""

    region_prefix: str
    region_codes: set[str]
    division_codes: set[str]
    allowed_divisions: set[str] | None  # a department may only import its industries
    grids: dict[tuple[str, str], int]
    seen_codes: dict[str, int] = field(default_factory=dict)
    seen_names: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def for_user(cls, user: Any) -> CheckContext:
        scope = scope_for(user)
        prefix = "" if scope.everything else (scope.region_prefix or "-")
        regions = Region.objects.filter(code__startswith=prefix, level__gte=Region.Level.TOWNSHIP)
        grids = Grid.objects.filter(region__code__startswith=prefix).values_list(
            "region_id", "name", "pk"
        )
        return cls(
            region_prefix=prefix,
            region_codes=set(regions.values_list("code", flat=True)),
            division_codes=set(
                Industry.objects.filter(kind=Industry.Kind.DIVISION).values_list("code", flat=True)
            ),
            allowed_divisions=set(scope.industry_codes)
            if scope.industry_codes is not None
            else None,
            grids={(region[:9], name): pk for region, name, pk in grids},
        )


def _clean_cell(column: ImportColumn, raw: Any, ctx: CheckContext, row: dict[str, Any]) -> Any:
    text = text_of(raw)
    if not text:
        if column.required:
            raise CellError("必填")
        return {
            "bool": False,
            "decimal": None,
            "int": None,
            "status": EnterpriseStatus.OPERATING,
        }.get(column.kind, "")
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"不能超过{column.max_length}个字")
    kind = column.kind
    if kind == "code":
        code = text.upper().replace(" ", "")
        if not credit_code_is_valid(code):
            raise CellError("统一社会信用代码格式或校验位不正确")
        return code
    if kind == "region":
        if text not in ctx.region_codes:
            if not text.isdigit():
                raise CellError("须填写区划代码（数字），不是名称")
            if len(text) < 9:
                raise CellError("须填写到乡镇（街道）一级的9位区划代码")
            if ctx.region_prefix and not text.startswith(ctx.region_prefix):
                raise CellError("不在您的管辖范围内")
            raise CellError("区划代码不存在")
        return text
    if kind == "industry":
        code = text[:2] if text.isdigit() and 2 <= len(text) <= 4 else text
        if code not in ctx.division_codes:
            raise CellError("行业代码不存在（填写国民经济行业分类的大类代码，如 30）")
        if ctx.allowed_divisions is not None and code not in ctx.allowed_divisions:
            raise CellError("不属于本部门监管的行业")
        return code
    if kind == "phone":
        if not PHONE.match(text):
            raise CellError("电话号码格式不正确")
        return text
    if kind == "decimal":
        try:
            return Decimal(text).quantize(Decimal("0.000001"))
        except InvalidOperation as exc:
            raise CellError("须为数字") from exc
    if kind == "int":
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError("须为整数") from exc
        if number != number.to_integral_value() or number < 0:
            raise CellError("须为不小于0的整数")
        return int(number)
    if kind == "bool":
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError("只能填写“是”或“否”")
    if kind == "grade":
        if text not in GRADE_BY_LABEL:
            raise CellError("只能填写一级、二级、三级或四级")
        return GRADE_BY_LABEL[text]
    if kind == "status":
        if text not in STATUS_BY_LABEL:
            raise CellError("只能填写在营、停产整顿、关闭或注销")
        return STATUS_BY_LABEL[text]
    if kind == "grid":
        township = str(row.get("region", ""))[:9]
        grid_id = ctx.grids.get((township, text))
        if grid_id is None:
            raise CellError("该乡镇（街道）下没有这个网格")
        return grid_id
    return text


def check_row(
    number: int, raw: dict[str, Any], ctx: CheckContext
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Clean one row. Returns (clean values, errors); errors name the row and column."""
    clean: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []

    def fail(column: ImportColumn, message: str) -> None:
        errors.append(
            {
                "row": number,
                "column": column.header,
                "value": text_of(raw.get(column.key))[:100],
                "message": message,
            }
        )

    for column in COLUMNS:
        try:
            clean[column.key] = _clean_cell(column, raw.get(column.key), ctx, clean)
        except CellError as exc:
            fail(column, str(exc))
    by_key = {c.key: c for c in COLUMNS}
    if not errors or "has_major_hazard" not in {e["column"] for e in errors}:
        if clean.get("has_major_hazard") and not clean.get("major_hazard_grade"):
            fail(by_key["major_hazard_grade"], "有重大危险源的，须填写等级")
        if not clean.get("has_major_hazard") and clean.get("major_hazard_grade"):
            fail(by_key["major_hazard_grade"], "没有重大危险源，不应填写等级")
    if (clean.get("longitude") is None) != (clean.get("latitude") is None):
        fail(by_key["latitude"], "经度和纬度须同时填写")
    for key, low, high in (("longitude", 73, 136), ("latitude", 3, 54)):
        value = clean.get(key)
        if value is not None and not low <= value <= high:
            fail(by_key[key], f"须在{low}到{high}之间（中国境内）")
    code = clean.get("credit_code")
    if code:
        first = ctx.seen_codes.setdefault(code, number)
        if first != number:
            fail(by_key["credit_code"], f"与第{first}行的统一社会信用代码重复")
    if clean.get("name") and clean.get("region"):
        key = (clean["region"], clean["name"])
        first = ctx.seen_names.setdefault(key, number)
        if first != number:
            fail(by_key["name"], f"与第{first}行同一乡镇（街道）的单位重名")
    return clean, errors
