import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anjian.rules.accidents import (
    AccidentLevel,
    AuthorityLevel,
    InjurySeverity,
    InvestigationBasis,
    accident_level,
    injury_severity,
    investigation_deadline,
    reporting_chain,
    supplement_deadline,
)

G, L, M, E = (
    AccidentLevel.GENERAL,
    AccidentLevel.LARGER,
    AccidentLevel.MAJOR,
    AccidentLevel.EXTRAORDINARY,
)
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 1, 22, 30, tzinfo=SH)


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "level"),
    [
        (0, 0, 0, G),
        # deaths: 2/3, 9/10, 29/30
        (2, 0, 0, G),
        (3, 0, 0, L),
        (9, 0, 0, L),
        (10, 0, 0, M),
        (29, 0, 0, M),
        (30, 0, 0, E),
        # serious injuries: 9/10, 49/50, 99/100
        (0, 9, 0, G),
        (0, 10, 0, L),
        (0, 49, 0, L),
        (0, 50, 0, M),
        (0, 99, 0, M),
        (0, 100, 0, E),
        # direct loss: 1000万, 5000万, 1亿 boundaries
        (0, 0, 9_999_999, G),
        (0, 0, 10_000_000, L),
        (0, 0, 49_999_999, L),
        (0, 0, 50_000_000, M),
        (0, 0, 99_999_999, M),
        (0, 0, 100_000_000, E),
        (0, 0, Decimal("9999999.99"), G),
        (0, 0, Decimal("10000000.00"), L),
        # the highest of the three wins
        (2, 55, 0, M),
        (1, 0, 100_000_000, E),
        (12, 11, 20_000_000, M),
    ],
)
def test_accident_level_boundaries(deaths, injuries, loss, level):
    assert accident_level(deaths, injuries, loss) is level


def test_labels_and_order():
    assert [lv.label for lv in AccidentLevel] == ["一般", "较大", "重大", "特别重大"]
    assert G < L < M < E


@pytest.mark.parametrize(
    "args",
    [
        (-1, 0, 0),
        (0, -1, 0),
        (0, 0, -1),
        (2.5, 0, 0),
        (0, 1.5, 0),
        ("3", 0, 0),
        (True, 0, 0),
        (0, 0, float("nan")),
        (0, 0, "100"),
    ],
)
def test_bad_inputs_raise_value_error(args):
    with pytest.raises(ValueError):
        accident_level(*args)


counts = st.integers(min_value=0, max_value=500)
losses = st.integers(min_value=0, max_value=300_000_000)


# Generation speed depends on the machine's load, not on the rule under test.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(counts, counts, losses, counts, counts, losses)
def test_level_never_decreases_when_an_input_grows(d, i, loss, dd, di, dloss):
    assert accident_level(d + dd, i + di, loss + dloss) >= accident_level(d, i, loss)


@given(counts, counts, losses)
def test_level_is_the_highest_of_the_three_measures(d, i, loss):
    assert accident_level(d, i, loss) == max(
        accident_level(d, 0, 0), accident_level(0, i, 0), accident_level(0, 0, loss)
    )


@pytest.mark.parametrize(
    ("level", "authorities"),
    [
        (G, ["县级", "市级"]),
        (L, ["县级", "市级", "省级"]),
        (M, ["县级", "市级", "省级", "国务院"]),
        (E, ["县级", "市级", "省级", "国务院"]),
    ],
)
def test_reporting_chain(level, authorities):
    chain = reporting_chain(level, T0)
    assert [s.authority.label for s in chain] == authorities
    assert chain[0].authority is AuthorityLevel.COUNTY
    assert chain[0].due_at == T0 + timedelta(hours=1)
    for previous, step in itertools.pairwise(chain):
        assert step.due_at - previous.due_at == timedelta(hours=2)
    assert chain[-1].due_at.tzinfo is SH


@pytest.mark.parametrize(
    ("category", "days"),
    [
        ("道路交通", 7),
        ("道路交通事故", 7),
        ("火灾", 7),
        ("火灾事故", 7),
        ("物体打击", 30),
        ("车辆伤害", 30),
        ("中毒和窒息", 30),
        (" 火灾 ", 7),
    ],
)
def test_supplement_deadline(category, days):
    assert supplement_deadline(T0, category) == T0 + timedelta(days=days)


@pytest.mark.parametrize(
    ("level", "basis", "days", "longest"),
    [
        (G, InvestigationBasis.ORDER_493, 60, 60),
        (L, InvestigationBasis.ORDER_493, 60, 60),
        (M, InvestigationBasis.ORDER_493, 60, 60),
        (E, InvestigationBasis.ORDER_493, 60, 60),
        (G, InvestigationBasis.RULE_2013, 30, 30),
        (L, InvestigationBasis.RULE_2013, 30, 30),
        (M, InvestigationBasis.RULE_2013, 60, 60),
        (E, InvestigationBasis.RULE_2013, 60, 60),
    ],
)
def test_investigation_deadline(level, basis, days, longest):
    assert investigation_deadline(level, T0, basis=basis) == T0 + timedelta(days=days)
    assert investigation_deadline(level, T0, basis=basis, extension_days=longest) == T0 + timedelta(
        days=days + longest
    )
    with pytest.raises(ValueError):
        investigation_deadline(level, T0, basis=basis, extension_days=longest + 1)


def test_investigation_default_basis_is_the_2013_rule():
    assert investigation_deadline(G, T0) == T0 + timedelta(days=30)
    assert investigation_deadline(M, T0) == T0 + timedelta(days=60)


def test_chain_works_with_utc_too():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert reporting_chain(G, t)[1].due_at == t + timedelta(hours=3)


@pytest.mark.parametrize(
    ("days", "severity"),
    [
        (1, InjurySeverity.MINOR),
        (104, InjurySeverity.MINOR),
        (105, InjurySeverity.SERIOUS),
        (5999, InjurySeverity.SERIOUS),
        (6000, InjurySeverity.DEATH),
    ],
)
def test_injury_severity(days, severity):
    assert injury_severity(days) is severity


def test_injury_severity_rejects_zero():
    with pytest.raises(ValueError):
        injury_severity(0)
