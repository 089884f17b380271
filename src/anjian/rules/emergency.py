"""Emergency plans: drill and evaluation cycles.

Source: 《生产安全事故应急预案管理办法》(应急管理部令第2号, 2019 修正).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from anjian.rules._dates import add_months


class PlanType(StrEnum):
    """Plan types of 第六条."""

    COMPREHENSIVE = "综合应急预案"
    SPECIAL = "专项应急预案"
    ON_SITE = "现场处置方案"

    @property
    def label(self) -> str:
        return self.value


def drill_interval_months(plan_type: PlanType | str, *, high_risk: bool) -> int:
    """Months between required drills of one plan (R-EMG-2, 第三十三条).

    综合 or 专项 plans: at least once a year; 现场处置方案: at least once every half
    year (read per on-site plan). High-risk units (see `is_high_risk_unit`) drill
    every half year whatever the plan type.
    """
    kind = PlanType(plan_type)
    if high_risk or kind is PlanType.ON_SITE:
        return 6
    return 12


def next_drill_due(
    plan_type: PlanType | str, last_drill: date | None, *, high_risk: bool
) -> date | None:
    """The date by which the plan's next drill is due (R-EMG-2, 第三十三条).

    Counted as a rolling period from the last drill: 12 months for 综合/专项 plans,
    6 months for 现场处置方案 and for every plan of a high-risk unit. A day past the
    end of the target month clamps to its last day (31 Aug + 6 months = 28/29 Feb).
    Returns None when the plan has never been drilled: it is due now.
    """
    months = drill_interval_months(plan_type, high_risk=high_risk)
    if last_drill is None:
        return None
    return add_months(last_drill, months)


def is_high_risk_unit(
    *,
    hazardous_chemicals: bool = False,
    flammable_explosive: bool = False,
    mine: bool = False,
    metal_smelting: bool = False,
    urban_rail: bool = False,
    construction: bool = False,
    crowded_place: bool = False,
) -> bool:
    """Whether a unit must drill every half year and report its drills (R-EMG-2).

    第三十三条: producers, traders, storers and carriers of flammable/explosive goods
    or hazardous chemicals; mines; metal smelting; urban rail operation; building
    construction; hotels, shopping malls, entertainment venues, tourist sites and
    other crowded places (人员密集场所).
    """
    return any(
        (
            hazardous_chemicals,
            flammable_explosive,
            mine,
            metal_smelting,
            urban_rail,
            construction,
            crowded_place,
        )
    )


EVALUATION_INTERVAL_YEARS = 3  # 第三十五条


def requires_periodic_evaluation(
    *,
    mine: bool = False,
    metal_smelting: bool = False,
    construction: bool = False,
    hazardous_goods: bool = False,
    chemical_user_above_threshold: bool = False,
    fireworks: bool = False,
    medium_or_larger: bool = False,
) -> bool:
    """Whether the unit's plans are evaluated every 3 years (R-EMG-3, 第三十五条).

    Mines, metal smelting, building construction, units producing, trading,
    storing or carrying hazardous goods, chemical users above the threshold,
    fireworks producers and wholesalers, and medium-sized or larger units.
    Other units evaluate "适时" — with no fixed period.
    """
    return any(
        (
            mine,
            metal_smelting,
            construction,
            hazardous_goods,
            chemical_user_above_threshold,
            fireworks,
            medium_or_larger,
        )
    )


def plan_evaluation_due(last_evaluated: date, *, periodic: bool) -> date | None:
    """When the plan's next evaluation is due (R-EMG-3, 第三十五条).

    `last_evaluated` is the date of the last evaluation (or the plan's publication
    if it was never evaluated); `periodic` comes from `requires_periodic_evaluation`.
    Units under the 3-year cycle are due 3 years later (29 Feb clamps to 28 Feb);
    other units have no fixed period and get None.
    """
    if not periodic:
        return None
    return add_months(last_evaluated, 12 * EVALUATION_INTERVAL_YEARS)
