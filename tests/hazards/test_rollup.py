"""The monthly rollup: kept right by the services, and statistics read from it equal
statistics counted hazard by hazard, for any period, at month edges and time zones."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.hazards import rollup, services, statistics
from anjian.hazards.models import HazardDomain, HazardMonth
from anjian.hazards.statistics import Period, hazard_statistics, split_months
from tests.factories import UserFactory
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def months(world):
    """Hazards either side of month edges (local time), closed, overdue, 重大, with funds."""
    building, youyi = world.building_co.enterprise, world.youyi_co.enterprise
    made = []

    def register(at, enterprise=building, actor=world.township, **extra):
        hazard = services.hazard_register(
            actor=actor, enterprise=enterprise, data=hazard_data(found_at=at, **extra)
        )
        made.append(hazard)
        return hazard

    def close(hazard, funds):
        at = hazard.found_at + timedelta(hours=1)
        services.hazard_set_plan(
            actor=world.township,
            hazard=hazard,
            plan=plan_data(funds=Decimal(funds), deadline=at + timedelta(days=10)),
            at=at,
        )
        services.hazard_submit_rectification(
            actor=world.enterprise_user, hazard=hazard, note="已整改", photos=[photo()]
        )
        services.hazard_verify(actor=world.township, hazard=hazard)

    close(register(local(2026, 1, 31, 23, 30), place="A"), 1000)
    register(local(2026, 2, 1, 0, 30), place="B", level="major")  # 1 February in Beijing
    late = register(local(2026, 2, 15, 9), enterprise=youyi, actor=world.other_township)
    at = late.found_at + timedelta(hours=2)
    services.hazard_set_plan(
        actor=world.other_township,
        hazard=late,
        plan=plan_data(funds=Decimal("250.50"), deadline=at + timedelta(days=3)),
        at=at,
    )
    close(register(local(2026, 3, 1, 0, 0), place="C", source="grid"), 300)
    services.hazard_register(
        actor=world.township,
        enterprise=building,
        data=hazard_data(found_at=local(2026, 3, 31, 23, 59), place="D"),
        immediate=True,
        rectification_note="当场整改",
        photos=[photo()],
    )
    register(local(2026, 4, 10, 8), place="E", domain=HazardDomain.objects.get(code="fire"))
    return made


def test_services_keep_the_rollup_equal_to_the_hazards(world, months):
    assert rollup.differences() == []
    planned = [h for h in months if hasattr(h, "plan")]
    assert len(planned) == 3
    for hazard in planned:
        hazard.refresh_from_db()
        assert hazard.funds == hazard.plan.funds  # copied for statistics
    feb = HazardMonth.objects.filter(month=date(2026, 2, 1))
    assert sum(r.found for r in feb) == 2  # 00:30 on 1 February counts in February
    jan = HazardMonth.objects.get(month=date(2026, 1, 1))
    assert (jan.region_code, jan.found, jan.closed, jan.funds) == ("130202001", 1, 1, 1000)
    march = {r.source: (r.found, r.closed) for r in HazardMonth.objects.filter(month="2026-03-01")}
    assert march == {"grid": (1, 1), "township": (1, 1)}


def test_rollup_check_and_rebuild_command(world, months, capsys):
    call_command("hazards", "rollup", "--check")
    row = HazardMonth.objects.get(month=date(2026, 1, 1))
    HazardMonth.objects.filter(pk=row.pk).update(found=5)
    with pytest.raises(SystemExit):
        call_command("hazards", "rollup", "--check")
    assert "disagree with the hazards: 1" in capsys.readouterr().out
    call_command("hazards", "rollup")
    assert rollup.differences() == []
    assert HazardMonth.objects.get(month=date(2026, 1, 1)).found == 1


@pytest.mark.parametrize(
    ("start", "end", "whole", "edges"),
    [
        ("2026-01-01", "2026-12-31", ("2026-01-01", "2027-01-01"), []),
        ("2026-01-15", "2026-03-10", ("2026-02-01", "2026-03-01"), [(15, 31), (1, 10)]),
        ("2026-02-01", "2026-02-28", ("2026-02-01", "2026-03-01"), []),
        ("2026-02-01", "2026-02-27", None, [(1, 27)]),
        ("2026-01-31", "2026-02-01", None, [(31, 1)]),
        ("2024-02-01", "2024-02-29", ("2024-02-01", "2024-03-01"), []),
    ],
)
def test_split_months(start, end, whole, edges):
    got_whole, got_edges = split_months(Period(date.fromisoformat(start), date.fromisoformat(end)))
    expected = whole and tuple(date.fromisoformat(d) for d in whole)
    assert got_whole == expected
    assert [(p.start.day, p.end.day) for p in got_edges] == edges
    covered = sum(((p.end - p.start).days + 1 for p in got_edges), 0)
    if got_whole:
        covered += (got_whole[1] - got_whole[0]).days
    assert covered == (date.fromisoformat(end) - date.fromisoformat(start)).days + 1


PERIODS = [
    Period(date(2026, 1, 1), date(2026, 12, 31)),
    Period(date(2026, 1, 15), date(2026, 3, 10)),
    Period(date(2026, 2, 1), date(2026, 2, 28)),
    Period(date(2026, 2, 1), date(2026, 2, 1)),
    Period(date(2026, 1, 31), date(2026, 2, 1)),
    Period(date(2026, 2, 2), date(2026, 3, 31)),
    Period(date(2025, 12, 1), date(2026, 3, 31)),
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_statistics_from_the_rollup_equal_counting_every_hazard(world, months, monkeypatch, period):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    cases = [(world.bureau, None), (world.bureau, "130202001"), (admin, None), (admin, "1302")]
    fast = [hazard_statistics(user, period, region=region) for user, region in cases]
    monkeypatch.setattr(statistics, "_rollup_covers", lambda scope, length: False)
    slow = [hazard_statistics(user, period, region=region) for user, region in cases]
    assert fast == slow


def test_region_wide_users_read_whole_months_from_the_rollup(world, months):
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    with CaptureQueriesContext(connection) as bureau:
        totals = hazard_statistics(world.bureau, year)["totals"]
    assert (totals["found"], totals["closed"], totals["major_found"]) == (6, 3, 1)
    # Overdue: the late one, and B and E, stalled without a plan for months (未制定方案).
    assert totals["funds"] == Decimal("1550.50")
    assert (totals["overdue"], totals["stalled"]) == (3, 2)
    assert any("hazardmonth" in q["sql"] for q in bureau.captured_queries)
    # Villages are below the rollup's townships, and departments have no industry there.
    for user in (world.township, world.zhujian):
        with CaptureQueriesContext(connection) as ctx:
            hazard_statistics(user, year)
        assert not any("hazardmonth" in q["sql"] for q in ctx.captured_queries)


def test_department_statistics_count_only_their_industries(world, months):
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    totals = hazard_statistics(world.zhujian, year)["totals"]
    assert totals["found"] == 5  # the building company's; not the shopping centre's
