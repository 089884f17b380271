"""Accident statistics: a township's figures are the sum of its accidents; year on
year; deaths against the control target; the R-STAT rates; the monthly table."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from anjian.accidents import services
from anjian.accidents.models import AccidentCategory, Domain
from anjian.accidents.statistics import accident_statistics, monthly_table, target_report
from anjian.core.periods import Period
from anjian.regions.models import Region
from tests.accidents.conftest import figures, local, report

pytestmark = pytest.mark.django_db
Y2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def history(world, youyi_region):
    """Accidents in 2024 and 2025 in two townships of 路南区, and one in 路北区."""

    def at(year, month, day, **kw):
        moment = local(year, month, day, 10)
        return report(world, occurred_at=moment, learnt_at=moment, received_at=moment, **kw)

    at(2024, 3, 5, fig=figures(deaths=1))
    at(2024, 6, 9, fig=figures(deaths=2, serious=1))
    at(2024, 8, 1, fig=figures(deaths=1), unit_name="个人", region=youyi_region)
    at(2024, 10, 10, fig=figures(deaths=1))
    at(2025, 3, 7, fig=figures(deaths=1, loss=200_000))
    at(2025, 5, 2, fig=figures(serious=2, minor=3, loss=50_000))
    at(
        2025,
        5,
        20,
        fig=figures(deaths=1),
        unit_name="个体运输户",
        region=youyi_region,
        domain=Domain.ROAD,
        category=AccidentCategory.objects.get(name="车辆伤害"),
    )
    lubei = at(
        2025,
        7,
        1,
        fig=figures(deaths=3),
        actor=world.other_district_bureau,
        enterprise=world.lubei_co.enterprise,
    )
    return lubei


def test_township_statistics_equal_the_sum_of_its_accidents(world, history):
    mine = accident_statistics(world.township, Y2025)["totals"]
    assert (
        mine["accidents"],
        mine["deaths"],
        mine["serious_injuries"],
        mine["minor_injuries"],
    ) == (
        2,
        1,
        2,
        3,
    )
    assert mine["direct_loss"] == Decimal(250_000)
    narrowed = accident_statistics(world.bureau, Y2025, region="130202001")["totals"]
    assert narrowed == mine
    district = accident_statistics(world.bureau, Y2025)
    other = accident_statistics(world.other_township, Y2025)["totals"]
    assert district["totals"]["accidents"] == mine["accidents"] + other["accidents"] == 3
    assert {r["key"]: r["accidents"] for r in district["by_region"]} == {
        "130202001": 2,
        "130202002": 1,
    }
    assert sum(r["deaths"] for r in district["by_month"]) == district["totals"]["deaths"] == 2
    assert {r["label"]: r["accidents"] for r in district["by_domain"]} == {
        "工矿商贸": 2,
        "道路交通": 1,
    }
    # the 路北区 accident is nowhere in 路南区's figures
    assert accident_statistics(world.other_district_bureau, Y2025)["totals"]["deaths"] == 3


def test_year_on_year_double_decline(world, history):
    yoy = accident_statistics(world.bureau, Y2025)["year_on_year"]
    assert (yoy["accidents"]["before"], yoy["deaths"]["before"]) == (4, 5)
    assert (yoy["accidents"]["change"], yoy["deaths"]["change"]) == (-1, -3)
    assert yoy["deaths"]["percent"] == -60.0 and yoy["double_decline"]
    township = accident_statistics(world.township, Y2025)["year_on_year"]
    assert (township["accidents"]["before"], township["deaths"]["before"]) == (3, 4)
    assert township["double_decline"]
    flat = accident_statistics(world.other_township, Y2025)["year_on_year"]
    assert flat["accidents"]["change"] == flat["deaths"]["change"] == 0
    assert not flat["double_decline"]
    page = _get(world.other_township, "/accidents/statistics/?start=2025-01-01&end=2025-12-31")
    assert "未实现双下降" in page


def test_deaths_against_the_target_and_the_rates(world, history):
    district = Region.objects.get(code="130202")
    assert target_report(world.bureau, district, 2025)["usage"] is None  # no target yet
    services.target_set(
        actor=world.bureau,
        region=district,
        year=2025,
        values={
            "death_target": 3,
            "gdp_100m": Decimal("400"),
            "employed_persons": 200_000,
            "motor_vehicles": 100_000,
        },
    )
    report_ = target_report(world.bureau, district, 2025)
    assert report_["deaths"] == 2 and report_["usage"] == 66.7
    rates = {r["label"]: r["value"] for r in report_["rates"]}
    assert rates == {
        "亿元GDP生产安全事故死亡率": 0.005,
        "工矿商贸就业人员十万人生产安全事故死亡率": 0.5,
        "道路交通事故万车死亡率": 0.1,
    }
    # one row per region and year: setting again updates it
    services.target_set(actor=world.bureau, region=district, year=2025, values={"death_target": 4})
    assert target_report(world.bureau, district, 2025)["usage"] == 50.0
    # a department does not see the whole region: no target comparison
    assert target_report(world.zhujian, district, 2025) == {"available": False}
    page = _get(world.bureau, "/accidents/statistics/?start=2025-01-01&end=2025-12-31")
    assert "死亡2人，占控制指标4人的50%" in page


def test_targets_are_set_only_inside_the_scope(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        services.target_set(
            actor=world.bureau,
            region=Region.objects.get(code="130203"),
            year=2025,
            values={"death_target": 5},
        )
    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=world.township,
            region=Region.objects.get(code="130202001"),
            year=2025,
            values={"death_target": 1},
        )


def test_monthly_table(world, history, client):
    rows = {r[0]: r for r in monthly_table(world.bureau, 2025, 5)}
    # 本月起数, 本月死亡, 累计起数, 累计死亡, …, 去年同期起数, 去年同期死亡
    assert rows["合计"][1:5] == [2, 1, 3, 2]
    assert rows["合计"][8:10] == [1, 1]  # Jan–May 2024: the 5 March accident
    assert rows["道路交通"][1:3] == [1, 1]
    client.force_login(world.bureau)
    response = client.get("/accidents/statistics/monthly.xlsx", {"year": 2025, "month": 5})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][0] == "领域" and table[-1][0] == "合计" and table[-1][1:5] == [2, 1, 3, 2]
    bad = client.get("/accidents/statistics/monthly.xlsx", {"year": 2025, "month": 13})
    assert bad.status_code == 302


def test_statistics_api(world, history, client):
    client.force_login(world.township)
    body = client.get(
        "/api/v1/accidents/statistics/summary", {"start": "2025-01-01", "end": "2025-12-31"}
    ).json()
    assert body["totals"]["accidents"] == 2 and body["year_on_year"]["double_decline"] is True
    bad = client.get(
        "/api/v1/accidents/statistics/summary", {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "end"


def _get(user, url):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_last_year_of_a_leap_day_period():
    assert Period(date(2024, 2, 29), date(2024, 2, 29)).year_before() == Period(
        date(2023, 2, 28), date(2023, 2, 28)
    )
    assert Period(date(2025, 3, 1), date(2025, 3, 1)).year_before().start == date(2024, 3, 1)
    assert timedelta(days=1)
