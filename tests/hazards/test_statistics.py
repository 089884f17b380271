"""Hazard statistics: scoped, and a region's figures equal the sum of its hazards."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from anjian.hazards import services
from anjian.hazards.statistics import Period, hazard_statistics
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = pytest.mark.django_db
YEAR = Period(date(2000, 1, 1), date(2100, 12, 31))


@pytest.fixture
def spread(world):
    """Four hazards in 学院南路 (one closed, one major, one overdue), one in 友谊街道."""
    ent = world.building_co.enterprise
    closed = services.hazard_register(
        actor=world.township, enterprise=ent, data=hazard_data(place="A")
    )
    services.hazard_set_plan(actor=world.township, hazard=closed, plan=plan_data(funds=1000))
    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=closed, note="ok", photos=[photo()]
    )
    services.hazard_verify(actor=world.township, hazard=closed)
    services.hazard_register(
        actor=world.township, enterprise=ent, data=hazard_data(place="B", level="major")
    )
    late = services.hazard_register(
        actor=world.township, enterprise=world.chemical_co.enterprise, data=hazard_data(place="C")
    )
    past = timezone.now() - timedelta(days=30)
    services.hazard_set_plan(
        actor=world.township,
        hazard=late,
        plan=plan_data(funds=500, deadline=past + timedelta(days=1)),
        at=past,
    )
    services.hazard_register(
        actor=world.township, enterprise=ent, data=hazard_data(place="D", source="grid")
    )
    services.hazard_register(
        actor=world.other_township,
        enterprise=world.youyi_co.enterprise,
        data=hazard_data(place="E"),
    )


def test_district_totals_and_breakdowns(world, spread):
    stats = hazard_statistics(world.bureau, YEAR)
    t = stats["totals"]
    assert (t["found"], t["closed"], t["overdue"], t["major_found"], t["major_open"]) == (
        5,
        1,
        1,
        1,
        1,
    )
    assert t["rate"] == 20.0 and t["funds"] == 1500
    by_region = {r["key"]: r["found"] for r in stats["by_region"]}
    assert by_region == {"130202001": 4, "130202002": 1}
    assert (
        sum(r["found"] for r in stats["by_source"])
        == sum(r["found"] for r in stats["by_level"])
        == 5
    )


def test_township_statistics_equal_the_sum_of_its_hazards(world, spread):
    mine = hazard_statistics(world.township, YEAR)["totals"]
    assert mine["found"] == 4
    narrowed = hazard_statistics(world.bureau, YEAR, region="130202001")["totals"]
    assert narrowed == mine
    other = hazard_statistics(world.other_township, YEAR)["totals"]
    assert (
        other["found"] == 1
        and mine["found"] + other["found"]
        == hazard_statistics(world.bureau, YEAR)["totals"]["found"]
    )
    assert hazard_statistics(world.other_district_bureau, YEAR)["totals"]["found"] == 0


def test_period_bounds_are_inclusive(world, spread):
    today = timezone.localdate()
    assert hazard_statistics(world.bureau, Period(today, today))["totals"]["found"] == 5
    assert (
        hazard_statistics(
            world.bureau, Period(today - timedelta(days=3), today - timedelta(days=1))
        )["totals"]["found"]
        == 0
    )


def test_statistics_page_and_api(world, spread, client):
    client.force_login(world.township)
    page = client.get(
        "/hazards/statistics/", {"start": "2000-01-01", "end": "2100-12-31"}
    ).content.decode()
    assert 'data-testid="found">4<' in page and "25.0%" in page
    bad = client.get(
        "/hazards/statistics/", {"start": "2026-02-01", "end": "2026-01-01"}
    ).content.decode()
    assert "结束日期不能早于开始日期" in bad
    api = client.get(
        "/api/v1/hazards/statistics/summary", {"start": "2000-01-01", "end": "2100-12-31"}
    ).json()
    assert api["totals"]["found"] == 4 and api["totals"]["rate"] == 25.0
    assert (
        client.get(
            "/api/v1/hazards/statistics/summary", {"start": "2026-02-01", "end": "2026-01-01"}
        ).status_code
        == 400
    )


def test_township_cannot_read_wider_rollups_through_the_region_filter(world, spread, client):
    """The reported leak: whole months come from the region-wide rollup, which must never
    answer for a region wider than (or beside) the caller's scope."""
    services.hazard_register(
        actor=world.other_district_bureau,
        enterprise=world.lubei_co.enterprise,
        data=hazard_data(place="F"),
    )
    client.force_login(world.township)
    url = "/api/v1/hazards/statistics/summary"
    today = timezone.localdate()
    period = {"start": f"{today.year - 2}-01-01", "end": f"{today.year}-12-31"}
    own = client.get(url, {**period, "region": "130202001"}).json()
    assert own["totals"]["found"] == 4
    # an ancestor of the township narrows to the township's own figures
    for wider in ("130202", "1302", "13"):
        answer = client.get(url, {**period, "region": wider})
        assert answer.status_code == 200, wider
        assert answer.json() == own, wider
    # a sibling township or another district answers like a region that does not exist
    missing = client.get(url, {**period, "region": "139999"})
    assert missing.status_code == 404
    for beside in ("130202002", "130203", "130203001"):
        answer = client.get(url, {**period, "region": beside})
        assert (answer.status_code, answer.json()) == (404, missing.json()), beside


def test_statistics_page_names_the_district_and_shows_money_in_wan(world, spread, client):
    """The whole district is 全区 (not 本级), and funds are in 万元 like every statistics
    page, with the unit named once in the heading."""
    stats = hazard_statistics(world.bureau, YEAR)
    assert stats["scope"] == "路南区（全区）"
    assert {r["label"] for r in stats["by_region"]} == {"学院南路街道", "友谊街道"}
    client.force_login(world.bureau)
    page = client.get(
        "/hazards/statistics/", {"start": "2000-01-01", "end": "2100-12-31"}
    ).content.decode()
    assert 'data-testid="scope">路南区（全区）<' in page and "（本级）" not in page
    assert "整改资金（万元）" in page and 'data-testid="funds">0.15<' in page  # 1 500 元
    assert "（元）" not in page
    api = client.get(
        "/api/v1/hazards/statistics/summary", {"start": "2000-01-01", "end": "2100-12-31"}
    ).json()
    assert api["scope"] == "路南区（全区）"
