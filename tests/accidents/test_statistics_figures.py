"""Accident statistics as a reader meets them: every month of the period on the chart
(an empty month as 0), 全区 for the district and 本级 for its own level only, and money
in one unit (万元, two decimals) named once."""

import json
import re
from datetime import date

import pytest

from anjian.accidents.statistics import accident_statistics
from anjian.core.periods import Period
from anjian.regions.models import Region
from tests.accidents.conftest import figures, local, report

pytestmark = pytest.mark.django_db
FIRST_HALF = Period(date(2025, 1, 1), date(2025, 6, 30))


@pytest.fixture
def spring(world):
    """Accidents in March and May 2025 in 学院南路街道, and one at district level in May."""

    def at(month, day, **kw):
        moment = local(2025, month, day, 10)
        return report(world, occurred_at=moment, learnt_at=moment, received_at=moment, **kw)

    at(3, 7, fig=figures(deaths=1, loss=805_000))
    at(5, 2, fig=figures(serious=2, loss=50))
    at(
        5,
        20,
        fig=figures(deaths=1),
        unit_name="区直属单位",
        region=Region.objects.get(code="130202"),
    )


def _chart(page: str) -> dict:
    raw = re.search(r"data-chart='([^']*)'", page).group(1)
    return json.loads(raw.replace("&quot;", '"').replace("&amp;", "&"))


def test_every_month_of_the_period_is_in_the_series(world, spring, client):
    stats = accident_statistics(world.bureau, FIRST_HALF)
    months = [(r["label"], r["accidents"], r["deaths"]) for r in stats["by_month"]]
    assert months == [
        ("2025-01", 0, 0),
        ("2025-02", 0, 0),
        ("2025-03", 1, 1),
        ("2025-04", 0, 0),
        ("2025-05", 2, 1),
        ("2025-06", 0, 0),
    ]
    # a period across the turn of the year, with no accident at all
    empty = accident_statistics(world.bureau, Period(date(2023, 11, 15), date(2024, 2, 1)))
    assert [(r["label"], r["accidents"]) for r in empty["by_month"]] == [
        ("2023-11", 0),
        ("2023-12", 0),
        ("2024-01", 0),
        ("2024-02", 0),
    ]

    client.force_login(world.bureau)
    page = client.get(
        "/accidents/statistics/", {"start": "2025-01-01", "end": "2025-06-30"}
    ).content.decode()
    chart = _chart(page)
    assert chart["xAxis"]["data"] == [f"2025-0{m}" for m in range(1, 7)]
    assert chart["series"][0]["data"] == [0, 0, 1, 0, 2, 0]


def test_district_is_whole_and_its_own_level_is_apart(world, spring, client):
    stats = accident_statistics(world.bureau, FIRST_HALF)
    assert stats["scope"] == "路南区（全区）"
    rows = {r["label"]: r["accidents"] for r in stats["by_region"]}
    assert rows == {"学院南路街道": 2, "路南区（本级）": 1}
    narrowed = accident_statistics(world.bureau, FIRST_HALF, region="130202001")
    assert narrowed["scope"] == "学院南路街道（全街道）"

    client.force_login(world.bureau)
    page = client.get(
        "/accidents/statistics/", {"start": "2025-01-01", "end": "2025-06-30"}
    ).content.decode()
    assert 'data-testid="scope">路南区（全区）<' in page
    assert "路南区（本级）" in page
    # the region picker's "whole district" choice says so
    assert ">路南区（全区）</option>" in page
    body = client.get(
        "/api/v1/accidents/statistics/summary", {"start": "2025-01-01", "end": "2025-06-30"}
    ).json()
    assert body["scope"] == "路南区（全区）"
    assert {r["label"] for r in body["by_region"]} == {"学院南路街道", "路南区（本级）"}


def test_money_is_in_one_unit_named_once(world, spring, client):
    client.force_login(world.bureau)
    page = client.get(
        "/accidents/statistics/", {"start": "2025-01-01", "end": "2025-06-30"}
    ).content.decode()
    assert 'data-testid="loss">80.51<' in page  # 805 050 元
    assert "（元）" not in page and "万元" in page
    assert re.search(r"\d 万元", page) is None  # the unit is in the heading, not each figure
    accident = report(world, fig=figures(deaths=1, loss=1_234_567))
    # the figures and the report versions (the change record keeps the stored 元 values)
    detail = client.get(f"/accidents/{accident.pk}/").content.decode().split('id="history"')[0]
    assert 'data-testid="loss">123.46<' in detail
    assert "（元）" not in detail and "损失（万元）" in detail
