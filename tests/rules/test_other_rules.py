from datetime import date

import pytest

from anjian.rules.emergency import (
    PlanType,
    drill_interval_months,
    is_high_risk_unit,
    next_drill_due,
    plan_evaluation_due,
    requires_periodic_evaluation,
)
from anjian.rules.hazards import MAJOR_HAZARD_PLAN_PARTS, HazardLevel, statistics_due
from anjian.rules.indicators import (
    coal_deaths_per_million_tonnes,
    deaths_per_100k_workers,
    deaths_per_100m_gdp,
    road_deaths_per_10k_vehicles,
    target_usage,
)


@pytest.mark.parametrize(
    ("plan", "last", "high_risk", "due"),
    [
        (PlanType.COMPREHENSIVE, date(2026, 3, 15), False, date(2027, 3, 15)),
        (PlanType.SPECIAL, date(2026, 3, 15), False, date(2027, 3, 15)),
        (PlanType.ON_SITE, date(2026, 3, 15), False, date(2026, 9, 15)),
        (PlanType.COMPREHENSIVE, date(2026, 3, 15), True, date(2026, 9, 15)),
        (PlanType.ON_SITE, date(2026, 8, 31), False, date(2027, 2, 28)),  # clamps to month end
        (PlanType.ON_SITE, date(2027, 8, 31), False, date(2028, 2, 29)),  # leap year
        (PlanType.COMPREHENSIVE, date(2024, 2, 29), False, date(2025, 2, 28)),
        ("现场处置方案", date(2026, 1, 1), False, date(2026, 7, 1)),
    ],
)
def test_next_drill_due(plan, last, high_risk, due):
    assert next_drill_due(plan, last, high_risk=high_risk) == due


def test_never_drilled_is_due_now():
    assert next_drill_due(PlanType.SPECIAL, None, high_risk=False) is None


def test_unknown_plan_type_raises():
    with pytest.raises(ValueError):
        drill_interval_months("应急手册", high_risk=False)


def test_high_risk_units():
    assert is_high_risk_unit(crowded_place=True) and is_high_risk_unit(construction=True)
    assert not is_high_risk_unit()


def test_plan_evaluation():
    assert requires_periodic_evaluation(mine=True) and not requires_periodic_evaluation()
    assert plan_evaluation_due(date(2026, 5, 1), periodic=True) == date(2029, 5, 1)
    assert plan_evaluation_due(date(2024, 2, 29), periodic=True) == date(2027, 2, 28)
    assert plan_evaluation_due(date(2026, 5, 1), periodic=False) is None


@pytest.mark.parametrize(
    ("end", "due"),
    [
        (date(2026, 3, 31), date(2026, 4, 15)),
        (date(2026, 6, 30), date(2026, 7, 15)),
        (date(2026, 9, 30), date(2026, 10, 15)),
        (date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_statistics_due(end, due):
    assert statistics_due(end) == due


@pytest.mark.parametrize(
    "end", [date(2026, 3, 30), date(2026, 4, 1), date(2026, 12, 30), date(2026, 2, 28)]
)
def test_statistics_due_needs_a_quarter_end(end):
    with pytest.raises(ValueError):
        statistics_due(end)


def test_hazard_constants():
    assert HazardLevel.MAJOR.label == "重大事故隐患"
    assert len(MAJOR_HAZARD_PLAN_PARTS) == 6


def test_indicators():
    assert deaths_per_100m_gdp(12, 600) == pytest.approx(0.02)
    assert deaths_per_100k_workers(3, 1_000_000) == pytest.approx(0.3)
    assert road_deaths_per_10k_vehicles(57, 50_000) == pytest.approx(11.4)
    assert coal_deaths_per_million_tonnes(18, 5) == pytest.approx(3.6)
    assert target_usage(12, 18) == pytest.approx(0.6667, abs=1e-4)
    assert deaths_per_100m_gdp(0, 1) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: deaths_per_100m_gdp(1, 0),
        lambda: deaths_per_100k_workers(1, -5),
        lambda: road_deaths_per_10k_vehicles(1, 0),
        lambda: coal_deaths_per_million_tonnes(1, 0),
        lambda: deaths_per_100m_gdp(-1, 10),
        lambda: target_usage(1, 0),
    ],
)
def test_indicators_refuse_bad_denominators(call):
    with pytest.raises(ValueError):
        call()
