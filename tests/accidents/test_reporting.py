"""快报, the reporting chain, 迟报, 瞒报/漏报, supplements and their windows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from anjian.accidents import services
from anjian.accidents.models import (
    Accident,
    AccidentVersion,
    Domain,
    ReportStep,
    VetoFact,
    WatchEntry,
)
from anjian.core.models import AuditEntry
from anjian.core.notifications import Notification
from tests.accidents.conftest import figures, local, report, report_data

pytestmark = pytest.mark.django_db


def test_report_computes_the_level_and_the_chain(world, accident):
    assert accident.level == 1 and accident.get_level_display() == "一般"
    steps = list(accident.steps.order_by("order"))
    assert [s.authority for s in steps] == ["县级", "市级"]  # 一般 goes up to the city
    assert steps[0].due_at == accident.learnt_at + timedelta(hours=1)
    assert steps[1].due_at == accident.learnt_at + timedelta(hours=3)
    assert steps[0].received_at is not None and not steps[0].is_late
    assert accident.report_delay() is None
    (version,) = accident.versions.all()
    assert (version.kind, version.deaths, version.level) == ("first", 1, 1)
    assert accident.investigation.authority == "县级人民政府"
    assert accident.unit_name == "宏达建筑公司" and accident.industry_id == "47"
    assert AuditEntry.objects.filter(object_id=str(accident.pk)).exists()
    assert Notification.objects.filter(recipient=world.bureau).count() == 0  # the reporter
    assert not VetoFact.objects.exists() and not WatchEntry.objects.exists()


def test_a_report_61_minutes_after_the_unit_learnt_is_late(world):
    learnt = timezone.now() - timedelta(hours=3)
    on_time = report(
        world, learnt_at=learnt, occurred_at=learnt, received_at=learnt + timedelta(minutes=60)
    )
    late = report(
        world, learnt_at=learnt, occurred_at=learnt, received_at=learnt + timedelta(minutes=61)
    )
    assert on_time.report_delay() is None
    assert late.report_delay() == timedelta(minutes=1)
    step = late.steps.get(authority="县级")
    assert step.is_late
    page = _client(world.bureau).get(late.get_absolute_url()).content.decode()
    assert "迟报" in page and "晚1分钟" in page


def test_an_unreceived_step_past_its_due_time_shows_as_overdue(world):
    learnt = timezone.now() - timedelta(hours=5)
    accident = report(world, learnt_at=learnt, occurred_at=learnt, received_at=learnt)
    city = accident.steps.get(authority="市级")
    assert city.received_at is None
    assert city.delay() > timedelta(hours=1)
    services.step_receive(
        actor=world.bureau,
        accident=accident,
        authority="市级",
        received_at=learnt + timedelta(hours=2),
    )
    city.refresh_from_db()
    assert not city.is_late and city.delay() is None
    with pytest.raises(ValidationError):  # not twice
        services.step_receive(actor=world.bureau, accident=accident, authority="市级")
    with pytest.raises(ValidationError):  # 一般 does not go to the province
        services.step_receive(actor=world.bureau, accident=accident, authority="省级")


def test_only_the_bureau_records_receipts_and_concealment(world, accident):
    for user in (world.township, world.zhujian, world.enterprise_user, world.leader):
        with pytest.raises(PermissionDenied):
            services.step_receive(actor=user, accident=accident, authority="市级")
        with pytest.raises(PermissionDenied):
            services.mark_concealment(
                actor=user,
                accident=accident,
                kind="concealed",
                channel="新闻",
                known_at=timezone.now(),
                evidence="报道",
            )
    assert not accident.steps.filter(authority="市级", received_at__isnull=False).exists()


def test_concealment_is_marked_with_evidence(world):
    learnt = timezone.now() - timedelta(days=2)
    accident = report(world, learnt_at=learnt, occurred_at=learnt, received_at=timezone.now())
    assert accident.report_delay() > timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.mark_concealment(
            actor=world.bureau,
            accident=accident,
            kind="concealed",
            channel="",
            known_at=learnt,
            evidence="",
        )
    assert set(exc.value.message_dict) == {"channel", "evidence"}
    accident.refresh_from_db()
    assert accident.concealment == ""
    services.mark_concealment(
        actor=world.bureau,
        accident=accident,
        kind="concealed",
        channel="市第一医院通报",
        known_at=learnt + timedelta(hours=3),
        evidence="医院接诊记录显示伤者系该单位员工，单位两日未报。",
    )
    accident.refresh_from_db()
    assert accident.get_concealment_display() == "瞒报"
    assert AuditEntry.objects.filter(object_id=str(accident.pk), reason__contains="医院").exists()


def test_enterprise_users_report_only_their_own_unit(world):
    with pytest.raises(PermissionDenied):
        report(world, actor=world.enterprise_user, enterprise=world.chemical_co.enterprise)
    own = report(world, actor=world.enterprise_user)
    assert own.enterprise_id == world.building_co.pk
    with pytest.raises(PermissionDenied):
        report(world, actor=world.expert)


def test_a_unit_outside_the_register(world, youyi_region):
    accident = report(
        world,
        unit_name="个体运输户张某",
        region=youyi_region,
        domain=Domain.ROAD,
        fig=figures(deaths=2),
    )
    assert accident.enterprise_id is None and accident.industry_id is None
    # outside the reporter's district: refused, nothing written
    before = Accident.objects.count()
    from anjian.regions.models import Region

    with pytest.raises(ValidationError) as exc:
        report(world, unit_name="外区单位", region=Region.objects.get(code="130203001"))
    assert "region" in exc.value.message_dict and Accident.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"learnt_at_offset": -timedelta(hours=1)}, "learnt_at"),
        ({"occurred_in": timedelta(days=1)}, "occurred_at"),
    ],
)
def test_bad_times_are_refused(world, data, field):
    now = timezone.now()
    occurred = now + data.get("occurred_in", -timedelta(hours=2))
    learnt = occurred + data.get("learnt_at_offset", timedelta(0))
    with pytest.raises(ValidationError) as exc:
        report(world, occurred_at=occurred, learnt_at=learnt)
    assert field in exc.value.message_dict
    assert not Accident.objects.exists() and not ReportStep.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"deaths": -1},
        {"serious_injuries": 1.5},
        {"missing": True},
        {"deaths": 10**12},
        {"direct_loss": Decimal(-5)},
        {"direct_loss": Decimal("1e30")},
        {"direct_loss": "NaN"},
        {"direct_loss": "abc"},
    ],
)
def test_bad_figures_are_refused(world, bad):
    with pytest.raises(ValidationError):
        services.accident_report(
            actor=world.bureau,
            enterprise=world.building_co.enterprise,
            data=report_data(),
            figures={**figures(), **bad},
        )
    assert not Accident.objects.exists()


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_supplements_are_versions_never_overwrites(world, accident):
    services.accident_supplement(
        actor=world.bureau, accident=accident, figures=figures(deaths=2, loss=500_000), note="核实"
    )
    accident.refresh_from_db()
    versions = list(accident.versions.order_by("number"))
    assert [(v.number, v.kind, v.deaths) for v in versions] == [
        (1, "first", 1),
        (2, "supplement", 2),
    ]
    assert accident.deaths == 2 and accident.direct_loss == 500_000
    services.accident_supplement(
        actor=world.bureau,
        accident=accident,
        figures=figures(deaths=2, loss=800_000),
        note="损失核定",
    )
    assert accident.versions.last().kind == AccidentVersion.Kind.FOLLOW_UP
    with pytest.raises(ValidationError):  # nothing changed and nothing said
        services.accident_supplement(
            actor=world.bureau, accident=accident, figures=figures(deaths=2, loss=800_000)
        )
    assert accident.versions.count() == 3


@pytest.mark.parametrize(
    ("domain", "category", "window_days"),
    [
        (Domain.INDUSTRY_TRADE, "高处坠落", 30),
        (Domain.ROAD, "车辆伤害", 7),
        (Domain.FIRE, "火灾", 7),
        (Domain.INDUSTRY_TRADE, "火灾", 7),  # a fire at a factory
    ],
)
def test_a_casualty_change_after_the_window_needs_a_reason(world, domain, category, window_days):
    from anjian.accidents.models import AccidentCategory

    occurred = local(2026, 3, 1, 9, 0)
    accident = report(
        world,
        occurred_at=occurred,
        learnt_at=occurred,
        received_at=occurred + timedelta(minutes=30),
        domain=domain,
        category=AccidentCategory.objects.get(name=category),
    )
    last_day = occurred + timedelta(days=window_days) - timedelta(minutes=1)
    services.accident_supplement(
        actor=world.bureau, accident=accident, figures=figures(deaths=2), at=last_day
    )
    day_after = occurred + timedelta(days=window_days, hours=1)  # day 31 (or day 8)
    with pytest.raises(ValidationError) as exc:
        services.accident_supplement(
            actor=world.bureau, accident=accident, figures=figures(deaths=3), at=day_after
        )
    assert "reason" in exc.value.message_dict
    accident.refresh_from_db()
    assert accident.deaths == 2 and accident.versions.count() == 2
    version = services.accident_supplement(
        actor=world.bureau,
        accident=accident,
        figures=figures(deaths=3),
        reason="伤者经抢救无效于第" + str(window_days + 1) + "日死亡",
        at=day_after,
    )
    assert version.after_window and version.reason
    # a loss correction after the window is not a casualty change: no reason needed
    services.accident_supplement(
        actor=world.bureau,
        accident=accident,
        figures=figures(deaths=3, loss=100_000),
        at=day_after,
    )


def test_an_upward_level_adds_the_higher_reports(world, accident):
    now = timezone.now()
    services.accident_supplement(
        actor=world.bureau, accident=accident, figures=figures(deaths=3), note="又有2人死亡", at=now
    )
    accident.refresh_from_db()
    assert accident.level == 2 and accident.get_level_display() == "较大"
    steps = {s.authority: s for s in accident.steps.all()}
    assert set(steps) == {"县级", "市级", "省级"}
    assert steps["省级"].added_on_upgrade and not steps["市级"].added_on_upgrade
    assert steps["省级"].due_at == now + timedelta(hours=5)
    assert accident.investigation.authority == "设区的市级人民政府"
    veto = VetoFact.objects.get(accident=accident)
    assert (veto.year, veto.region_id, veto.enterprise_id) == (
        timezone.localtime(accident.occurred_at).year,
        "130202001",
        world.building_co.pk,
    )
    assert WatchEntry.objects.filter(enterprise=world.building_co.enterprise).count() == 1
    # on to 重大: the chain reaches 国务院
    services.accident_supplement(
        actor=world.bureau, accident=accident, figures=figures(deaths=10), note="搜救结束"
    )
    assert set(accident.steps.values_list("authority", flat=True)) == {
        "县级",
        "市级",
        "省级",
        "国务院",
    }
    assert VetoFact.objects.get(accident=accident).level == 3
    assert WatchEntry.objects.count() == 1
    # the bureau of the district is told of the upgrade (the reporter is not)
    assert Notification.objects.filter(recipient=world.bureau).count() == 0


def test_others_in_the_bureau_are_told_of_a_new_report(world):
    from tests.factories import UserFactory

    colleague = UserFactory(username="duty", organisation=world.bureau.organisation, role="safety")
    report(world, actor=world.township)
    assert Notification.objects.filter(recipient=colleague, kind="accident_reported").count() == 1
    assert not Notification.objects.filter(recipient=world.other_district_bureau).exists()


@pytest.mark.parametrize(
    ("deaths", "serious", "loss", "level"),
    [
        (2, 9, "9999999.99", 1),
        (3, 0, 0, 2),
        (0, 10, 0, 2),
        (0, 0, "10000000", 2),
        (9, 49, "49999999.99", 2),
        (10, 0, 0, 3),
        (0, 50, 0, 3),
        (0, 0, "50000000", 3),
        (29, 99, "99999999.99", 3),
        (30, 0, 0, 4),
        (0, 100, 0, 4),
        (0, 0, "100000000", 4),
    ],
)
def test_level_at_every_boundary_of_the_regulation(world, deaths, serious, loss, level):
    """R-ACC-1 through the service: the level is computed, whichever measure reaches it."""
    accident = report(world, fig=figures(deaths=deaths, serious=serious, loss=Decimal(loss)))
    assert accident.level == level
    assert accident.versions.get().level == level
    chain = {1: 2, 2: 3, 3: 4, 4: 4}[level]
    assert accident.steps.count() == chain
