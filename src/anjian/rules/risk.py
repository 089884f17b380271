"""Risk grading for 双重预防机制: the LEC method and the four colour levels."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum, StrEnum

from anjian.rules._checks import non_negative_amount

#: L: likelihood of an accident (R-RISK-1).
LIKELIHOOD: dict[Decimal, str] = {
    Decimal("10"): "完全可以预料",
    Decimal("6"): "相当可能",
    Decimal("3"): "可能，但不经常",
    Decimal("1"): "可能性小，完全意外",
    Decimal("0.5"): "很不可能，可以设想",
    Decimal("0.2"): "极不可能",
    Decimal("0.1"): "实际不可能",
}
#: E: frequency of exposure (R-RISK-1).
EXPOSURE: dict[Decimal, str] = {
    Decimal("10"): "连续暴露",
    Decimal("6"): "每天工作时间内暴露",
    Decimal("3"): "每周一次或偶然暴露",
    Decimal("2"): "每月一次暴露",
    Decimal("1"): "每年几次暴露",
    Decimal("0.5"): "非常罕见地暴露",
}
#: C: consequence (R-RISK-1).
CONSEQUENCE: dict[Decimal, str] = {
    Decimal("100"): "大灾难，十人以上死亡",
    Decimal("40"): "灾难，数人死亡",
    Decimal("15"): "非常严重，一人死亡",
    Decimal("7"): "严重，严重伤残",
    Decimal("3"): "重大，有伤残",
    Decimal("1"): "引人注目，轻伤",
}


def _table_value(name: str, value: float | int | Decimal, table: dict[Decimal, str]) -> Decimal:
    amount = non_negative_amount(name, value)
    for allowed in table:
        if amount == allowed:
            return allowed
    allowed_text = ", ".join(str(v) for v in table)
    raise ValueError(f"{name}={value!r} is not in the LEC table ({allowed_text})")


def lec_score(
    l: float | int | Decimal, e: float | int | Decimal, c: float | int | Decimal
) -> float:
    """D = L × E × C (作业条件危险性评价法, R-RISK-1).

    Each factor must be one of its table's values (L: 10, 6, 3, 1, 0.5, 0.2, 0.1;
    E: 10, 6, 3, 2, 1, 0.5; C: 100, 40, 15, 7, 3, 1), else ValueError. The product
    is computed in decimal so that 0.1 × 6 × 40 is exactly 24.
    """
    return float(_lec_product(l, e, c))


def _lec_product(
    l: float | int | Decimal, e: float | int | Decimal, c: float | int | Decimal
) -> Decimal:
    return (
        _table_value("L", l, LIKELIHOOD)
        * _table_value("E", e, EXPOSURE)
        * _table_value("C", c, CONSEQUENCE)
    )


class RiskLevel(IntEnum):
    """Four risk levels, ordered from low to high (R-RISK-1)."""

    LOW = 1
    GENERAL = 2
    SIGNIFICANT = 3
    MAJOR = 4

    @property
    def label(self) -> str:
        return _RISK_LABELS[self][0]

    @property
    def colour(self) -> str:
        return _RISK_LABELS[self][1]


_RISK_LABELS = {
    RiskLevel.MAJOR: ("重大风险", "red"),
    RiskLevel.SIGNIFICANT: ("较大风险", "orange"),
    RiskLevel.GENERAL: ("一般风险", "yellow"),
    RiskLevel.LOW: ("低风险", "blue"),
}

#: (lowest D of the level, level), highest first. A boundary value belongs to the
#: HIGHER level (从严从高): sources disagree whether D = 70 is 一般 or 低; the product
#: grades it 一般. D = 160 and 320 cannot occur with table values.
RISK_LEVEL_FLOORS: tuple[tuple[Decimal, RiskLevel], ...] = (
    (Decimal(320), RiskLevel.MAJOR),
    (Decimal(160), RiskLevel.SIGNIFICANT),
    (Decimal(70), RiskLevel.GENERAL),
)


def risk_level_for_score(d: float | int | Decimal) -> RiskLevel:
    """The four-colour level of an LEC score D (R-RISK-1).

    > 320 重大风险 (red), 160–320 较大风险 (orange), 70–160 一般风险 (yellow),
    < 70 低风险 (blue); a score equal to a boundary goes to the higher level.
    """
    score = non_negative_amount("D", d)
    for floor, level in RISK_LEVEL_FLOORS:
        if score >= floor:
            return level
    return RiskLevel.LOW


def lec_level(
    l: float | int | Decimal, e: float | int | Decimal, c: float | int | Decimal
) -> RiskLevel:
    """The four-colour risk level of L × E × C (R-RISK-1).

    Boundary values go to the higher level (从严从高): D = 70 (e.g. 10 × 1 × 7) is
    一般风险, not 低风险; D = 320 would be 重大风险. Factors outside the tables
    raise ValueError.
    """
    return risk_level_for_score(_lec_product(l, e, c))


class DangerClass(StrEnum):
    """The five LEC danger classes (R-RISK-1)."""

    EXTREME = "极其危险，不能继续作业"
    HIGH = "高度危险，需立即整改"
    SIGNIFICANT = "显著危险，需要整改"
    GENERAL = "一般危险，需要注意"
    SLIGHT = "稍有危险，可以接受"

    @property
    def label(self) -> str:
        return self.value


DANGER_CLASS_FLOORS: tuple[tuple[Decimal, DangerClass], ...] = (
    (Decimal(320), DangerClass.EXTREME),
    (Decimal(160), DangerClass.HIGH),
    (Decimal(70), DangerClass.SIGNIFICANT),
    (Decimal(20), DangerClass.GENERAL),
)


def danger_class(d: float | int | Decimal) -> DangerClass:
    """The LEC danger class of D: > 320, 160–320, 70–160, 20–70, < 20 (R-RISK-1).

    As for the colour levels, a boundary value goes to the higher class.
    """
    score = non_negative_amount("D", d)
    for floor, cls in DANGER_CLASS_FLOORS:
        if score >= floor:
            return cls
    return DangerClass.SLIGHT


#: Organisational control levels, highest first (R-RISK-2, practice, configurable).
CONTROL_LEVELS = ("公司", "部门", "车间", "班组/岗位")
DEFAULT_CONTROL_LEVEL: dict[RiskLevel, str] = {
    RiskLevel.MAJOR: "公司",
    RiskLevel.SIGNIFICANT: "部门",
    RiskLevel.GENERAL: "车间",
    RiskLevel.LOW: "班组/岗位",
}


def controlling_levels(level: RiskLevel, mapping: dict[RiskLevel, str] | None = None) -> list[str]:
    """Every organisational level that controls a risk of `level` (R-RISK-2).

    The higher the risk, the higher the controlling level, and each lower level
    also controls what a higher level controls: a red risk is controlled by
    公司, 部门, 车间 and 班组/岗位; a blue one by 班组/岗位 alone.
    """
    top = (mapping or DEFAULT_CONTROL_LEVEL)[RiskLevel(level)]
    return list(CONTROL_LEVELS[CONTROL_LEVELS.index(top) :])


#: Hazard factor classes, GB/T 13861-2022 (R-RISK-3).
HAZARD_FACTOR_CLASSES = ("人的因素", "物的因素", "环境因素", "管理因素")
