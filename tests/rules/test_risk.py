import itertools
from decimal import Decimal

import pytest

from anjian.rules.risk import (
    CONSEQUENCE,
    EXPOSURE,
    LIKELIHOOD,
    DangerClass,
    RiskLevel,
    controlling_levels,
    danger_class,
    lec_level,
    lec_score,
    risk_level_for_score,
)


@pytest.mark.parametrize(
    ("l", "e", "c", "d", "level"),
    [
        (10, 10, 100, 10000, RiskLevel.MAJOR),
        (10, 6, 7, 420, RiskLevel.MAJOR),
        (3, 6, 15, 270, RiskLevel.SIGNIFICANT),
        (6, 6, 7, 252, RiskLevel.SIGNIFICANT),
        (10, 1, 7, 70, RiskLevel.GENERAL),  # boundary 70 goes to the higher level
        (1, 6, 7, 42, RiskLevel.LOW),
        (3, 3, 7, 63, RiskLevel.LOW),
        (1, 2, 15, 30, RiskLevel.LOW),
        (0.1, 0.5, 1, 0.05, RiskLevel.LOW),
        (0.5, 6, 40, 120, RiskLevel.GENERAL),
        (6, 3, 15, 270, RiskLevel.SIGNIFICANT),
        (10, 2, 15, 300, RiskLevel.SIGNIFICANT),
        (6, 6, 15, 540, RiskLevel.MAJOR),
    ],
)
def test_lec(l, e, c, d, level):  # noqa: E741
    assert lec_score(l, e, c) == pytest.approx(d)
    assert lec_level(l, e, c) is level


def test_labels_and_colours():
    assert {lv.label: lv.colour for lv in RiskLevel} == {
        "重大风险": "red",
        "较大风险": "orange",
        "一般风险": "yellow",
        "低风险": "blue",
    }
    assert RiskLevel.LOW < RiskLevel.GENERAL < RiskLevel.SIGNIFICANT < RiskLevel.MAJOR


@pytest.mark.parametrize(
    ("d", "level"),
    [
        (0, RiskLevel.LOW),
        (69.99, RiskLevel.LOW),
        (70, RiskLevel.GENERAL),
        (159.99, RiskLevel.GENERAL),
        (160, RiskLevel.SIGNIFICANT),
        (319.99, RiskLevel.SIGNIFICANT),
        (320, RiskLevel.MAJOR),
        (320.01, RiskLevel.MAJOR),
    ],
)
def test_score_boundaries_go_to_the_higher_level(d, level):
    assert risk_level_for_score(d) is level


@pytest.mark.parametrize(
    ("d", "cls"),
    [
        (19.99, DangerClass.SLIGHT),
        (20, DangerClass.GENERAL),
        (69.9, DangerClass.GENERAL),
        (70, DangerClass.SIGNIFICANT),
        (160, DangerClass.HIGH),
        (320, DangerClass.EXTREME),
    ],
)
def test_danger_classes(d, cls):
    assert danger_class(d) is cls


@pytest.mark.parametrize(
    "args", [(4, 6, 7), (10, 7, 7), (10, 6, 8), (-1, 6, 7), ("x", 6, 7), (None, 6, 7)]
)
def test_values_outside_the_tables_raise(args):
    with pytest.raises(ValueError):
        lec_score(*args)


def test_exact_decimal_products():
    assert lec_score(0.1, 6, 40) == 24.0
    assert lec_score(Decimal("0.2"), 3, 15) == 9.0


def test_160_and_320_cannot_occur_but_70_and_20_can():
    products = {
        float(lk * e * c) for lk, e, c in itertools.product(LIKELIHOOD, EXPOSURE, CONSEQUENCE)
    }
    assert 160.0 not in products and 320.0 not in products
    assert 70.0 in products and 20.0 in products


def test_controlling_levels():
    assert controlling_levels(RiskLevel.MAJOR) == ["公司", "部门", "车间", "班组/岗位"]
    assert controlling_levels(RiskLevel.LOW) == ["班组/岗位"]
