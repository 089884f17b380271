"""责令限期整改 at registration, plans within it, and hazards stalled without a plan (未制定方案)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from anjian.core.models import AuditEntry
from anjian.hazards import notices, services
from anjian.hazards.models import (
    Hazard,
    HazardEvent,
    RectificationPlan,
    Source,
    Status,
    needs_action_q,
    stalled_q,
)
from anjian.hazards.statistics import hazard_statistics
from tests.hazards.conftest import hazard_data, plan_data
from tests.hazards.test_statistics import YEAR

pytestmark = pytest.mark.django_db

GOVERNMENT_SOURCES = sorted(set(Source.values) - {Source.SELF, Source.PEER})


def _register(world, actor=None, **extra):
    return services.hazard_register(
        actor=actor or world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(**extra),
    )


@pytest.mark.parametrize("source", GOVERNMENT_SOURCES)
def test_a_regulators_finding_needs_a_deadline_and_nothing_is_written_without_one(world, source):
    with pytest.raises(ValidationError) as caught:
        _register(world, source=source, deadline=None)
    assert "deadline" in caught.value.message_dict
    assert "整改期限" in caught.value.message_dict["deadline"][0]
    assert not Hazard.objects.exists() and not HazardEvent.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_deadline_set_at_registration_is_kept(world):
    deadline = timezone.now() + timedelta(days=12)
    hazard = _register(world, deadline=deadline)
    hazard.refresh_from_db()
    assert hazard.deadline == deadline and hazard.status == Status.REGISTERED


def test_a_deadline_before_the_finding_is_refused(world):
    found = timezone.now() - timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        _register(world, found_at=found, deadline=found - timedelta(hours=1))
    assert "deadline" in caught.value.message_dict and not Hazard.objects.exists()


@pytest.mark.parametrize(("level", "days"), [("general", 30), ("major", 90)])
def test_a_self_found_hazard_without_a_deadline_gets_the_default_of_its_level(world, level, days):
    found = timezone.now() - timedelta(days=1)
    hazard = _register(
        world, actor=world.enterprise_user, level=level, found_at=found, deadline=None
    )
    assert hazard.source == Source.SELF
    assert hazard.deadline == found + timedelta(days=days)


@override_settings(ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS={"general": 5, "major": 20})
def test_the_default_deadline_is_a_setting(world):
    found = timezone.now() - timedelta(hours=1)
    hazard = _register(world, source="peer", found_at=found, deadline=None)
    assert hazard.deadline == found + timedelta(days=5)


def test_a_self_found_hazard_may_carry_its_own_deadline(world):
    deadline = timezone.now() + timedelta(days=3)
    hazard = _register(world, actor=world.enterprise_user, deadline=deadline)
    assert hazard.deadline == deadline


def test_a_hazard_rectified_on_the_spot_needs_no_deadline(world):
    from tests.hazards.conftest import photo

    hazard = services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(deadline=None),
        immediate=True,
        rectification_note="当场整改",
        photos=[photo()],
    )
    assert hazard.status == Status.CLOSED and hazard.deadline is None


def test_a_plan_beyond_the_deadline_is_refused_and_nothing_is_written(world):
    hazard = _register(world, deadline=timezone.now() + timedelta(days=10))
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.hazard_set_plan(
            actor=world.enterprise_user,
            hazard=hazard,
            plan=plan_data(deadline=hazard.deadline + timedelta(minutes=1)),
        )
    assert "申请延期" in caught.value.message_dict["deadline"][0]
    hazard.refresh_from_db()
    assert hazard.status == Status.REGISTERED and hazard.funds is None
    assert not RectificationPlan.objects.exists()
    assert not hazard.events.filter(kind=HazardEvent.Kind.PLAN).exists()
    assert AuditEntry.objects.count() == audits
    # Up to the deadline itself is allowed.
    services.hazard_set_plan(
        actor=world.enterprise_user, hazard=hazard, plan=plan_data(deadline=hazard.deadline)
    )
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFYING


def test_a_longer_plan_is_allowed_after_an_approved_extension(world):
    hazard = _register(world, deadline=timezone.now() + timedelta(days=10))
    longer = hazard.deadline + timedelta(days=20)
    request = services.extension_request(
        actor=world.enterprise_user, hazard=hazard, new_deadline=longer, reason="设备订货周期长"
    )
    with pytest.raises(ValidationError):  # not while the extension is only requested
        services.hazard_set_plan(
            actor=world.enterprise_user, hazard=hazard, plan=plan_data(deadline=longer)
        )
    services.extension_decide(actor=world.township, request=request, approve=True, note="同意")
    services.hazard_set_plan(
        actor=world.enterprise_user, hazard=hazard, plan=plan_data(deadline=longer)
    )
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFYING and hazard.deadline == longer
    assert hazard.plan.deadline == longer


def test_a_refused_extension_leaves_the_plan_bound_by_the_deadline(world):
    hazard = _register(world, deadline=timezone.now() + timedelta(days=10))
    longer = hazard.deadline + timedelta(days=20)
    request = services.extension_request(
        actor=world.enterprise_user, hazard=hazard, new_deadline=longer, reason="x"
    )
    services.extension_decide(actor=world.township, request=request, approve=False, note="不同意")
    with pytest.raises(ValidationError):
        services.hazard_set_plan(
            actor=world.enterprise_user, hazard=hazard, plan=plan_data(deadline=longer)
        )
    assert not RectificationPlan.objects.exists()


@override_settings(ANJIAN_HAZARD_PLAN_DAYS=7)
def test_stalled_from_exactly_n_days_after_registration(world):
    found = timezone.now() - timedelta(days=1)
    hazard = _register(world, found_at=found, deadline=found + timedelta(days=60))
    at_n = found + timedelta(days=7)
    before = at_n - timedelta(seconds=1)
    assert not hazard.is_stalled(before)
    assert not Hazard.objects.filter(stalled_q(before)).exists()
    assert hazard.is_stalled(at_n)
    assert list(Hazard.objects.filter(stalled_q(at_n))) == [hazard]
    # Stalled counts as needing action although the deadline has not passed.
    assert not hazard.is_overdue(at_n)
    assert list(Hazard.objects.filter(needs_action_q(at_n))) == [hazard]
    assert not Hazard.objects.filter(needs_action_q(before)).exists()


def test_an_accepted_plan_ends_the_stall(world):
    found = timezone.now() - timedelta(days=30)
    hazard = _register(world, found_at=found, deadline=timezone.now() + timedelta(days=30))
    assert hazard.is_stalled()
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    hazard.refresh_from_db()
    assert not hazard.is_stalled() and not Hazard.objects.filter(stalled_q()).exists()


@pytest.fixture
def stalled_and_overdue(world):
    """In 学院南路: one stalled (deadline still running), one stalled and past its
    deadline, one overdue with a plan, one fresh. The other township: one stalled."""
    long_ago = timezone.now() - timedelta(days=40)
    stalled = _register(
        world, place="A", found_at=long_ago, deadline=timezone.now() + timedelta(days=50)
    )
    both = _register(
        world,
        place="B",
        level="major",
        found_at=long_ago,
        deadline=long_ago + timedelta(days=10),
    )
    late = _register(world, place="C", found_at=long_ago, deadline=long_ago + timedelta(days=20))
    services.hazard_set_plan(
        actor=world.township,
        hazard=late,
        plan=plan_data(deadline=long_ago + timedelta(days=5)),
        at=long_ago + timedelta(days=1),
    )
    _register(world, place="D")
    services.hazard_register(
        actor=world.other_township,
        enterprise=world.youyi_co.enterprise,
        data=hazard_data(place="E", found_at=long_ago),
    )
    return stalled, both, late


def test_statistics_count_the_stalled_and_include_them_in_overdue(world, stalled_and_overdue):
    totals = hazard_statistics(world.township, YEAR)["totals"]
    # overdue: A (stalled), B (stalled and late, once), C (late); stalled: A, B
    assert (totals["found"], totals["overdue"], totals["stalled"]) == (4, 3, 2)
    district = hazard_statistics(world.bureau, YEAR)
    assert (district["totals"]["overdue"], district["totals"]["stalled"]) == (4, 3)
    by_region = {r["key"]: (r["overdue"], r["stalled"]) for r in district["by_region"]}
    assert by_region == {"130202001": (3, 2), "130202002": (1, 1)}
    by_level = {r["key"]: r["stalled"] for r in district["by_level"]}
    assert by_level == {"general": 2, "major": 1}


def test_home_page_counts_the_stalled(world, client, stalled_and_overdue):
    client.force_login(world.township)
    figures = {f["label"]: f for f in client.get("/").context["figures"]}
    assert figures["逾期未整改"]["value"] == 3
    assert figures["未制定整改方案"]["value"] == 2
    assert figures["未制定整改方案"]["url"] == "/hazards/?stalled=on"
    # The figures drill down to the same rows.
    for label, rows in (("逾期未整改", 3), ("未制定整改方案", 2)):
        page = client.get(figures[label]["url"])
        assert page.context["page"].paginator.count == rows, label


def test_ledger_filters_and_marks_the_stalled(world, client, stalled_and_overdue):
    stalled, both, late = stalled_and_overdue
    client.force_login(world.township)
    page = client.get("/hazards/?stalled=on")
    assert sorted(r["url"] for r in page.context["rows"]) == sorted(
        h.get_absolute_url() for h in (stalled, both)
    )
    content = page.content.decode()
    assert "已登记（未制定方案）" in content and "已登记（逾期，未制定方案）" in content
    detail = client.get(f"/hazards/{stalled.pk}/").content.decode()
    assert 'data-testid="hazard-stalled"' in detail
    assert 'data-testid="hazard-stalled"' not in client.get(f"/hazards/{late.pk}/").content.decode()


def test_stalled_reminder_goes_once_to_the_enterprise_and_the_township(world, stalled_and_overdue):
    from anjian.core.models import Notification

    sent = notices.remind_stalled()
    assert sent > 0
    assert notices.remind_stalled() == 0
    told = set(
        Notification.objects.filter(kind="hazard_stalled").values_list(
            "recipient__username", flat=True
        )
    )
    assert {world.enterprise_user.username, world.township.username} <= told
    assert world.other_district_bureau.username not in told


def test_api_refuses_a_government_finding_without_a_deadline(world, client):
    client.force_login(world.township)
    payload = {
        "enterprise_id": world.building_co.pk,
        "place": "配电箱",
        "domain": "construction",
        "factor_class": "物的因素",
        "level": "general",
        "description": "漏电保护器失效",
        "source": "township",
    }
    refused = client.post("/api/v1/hazards", payload, content_type="application/json")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["deadline"]
    assert not Hazard.objects.exists()
    created = client.post(
        "/api/v1/hazards",
        {**payload, "deadline": "2030-01-01T12:00:00"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["deadline"] == "2030-01-01T04:00:00Z" and body["stalled"] is False  # 12:00 Beijing


def test_api_self_found_without_a_deadline_gets_the_default(world, client):
    client.force_login(world.enterprise_user)
    created = client.post(
        "/api/v1/hazards",
        {
            "enterprise_id": world.building_co.pk,
            "place": "仓库",
            "domain": "fire",
            "factor_class": "物的因素",
            "level": "general",
            "description": "灭火器过期",
            "source": "self",
            "found_at": "2026-03-02T10:00:00",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    hazard = Hazard.objects.get()
    assert hazard.deadline == hazard.found_at + timedelta(days=30)
    # Registered in March without a plan: stalled, and listed as such.
    assert created.json()["stalled"] is True
    listed = client.get("/api/v1/hazards?stalled=true").json()
    assert [h["id"] for h in listed["items"]] == [hazard.pk]


def test_the_form_asks_for_the_deadline_of_a_government_finding(world, client):
    client.force_login(world.township)
    data = {
        "place": "脚手架",
        "domain": "construction",
        "factor_class": "物的因素",
        "level": "general",
        "source": "township",
        "description": "连墙件缺失",
        "found_at": "2026-11-20T09:30",
    }
    page = client.post(f"/hazards/new/{world.building_co.pk}/", data)
    assert page.status_code == 200 and "请填写整改期限" in page.content.decode()
    assert not Hazard.objects.exists()
    done = client.post(
        f"/hazards/new/{world.building_co.pk}/", {**data, "deadline": "2026-12-20T18:00"}
    )
    assert done.status_code == 302
    hazard = Hazard.objects.get()
    assert timezone.localtime(hazard.deadline).strftime("%Y-%m-%d %H:%M") == "2026-12-20 18:00"


def test_reminders_cover_the_deadline_set_at_registration(world):
    deadline = timezone.now() + timedelta(days=10)
    _register(world, deadline=deadline)
    assert notices.remind(deadline - timedelta(days=4)) == (0, 0)
    soon, _ = notices.remind(deadline - timedelta(days=2))
    assert soon == 1
    _, overdue = notices.remind(deadline + timedelta(minutes=1))
    assert overdue >= 2  # the enterprise and the township, though no plan was ever made


def test_statistics_page_shows_the_stalled_figure(world, client, stalled_and_overdue):
    client.force_login(world.township)
    page = client.get("/hazards/statistics/").content.decode()
    assert 'data-testid="overdue">3<' in page and 'data-testid="stalled">2<' in page


def test_the_enterprise_may_ask_for_more_time_before_its_plan(world, client):
    hazard = _register(world, deadline=timezone.now() + timedelta(days=10))
    client.force_login(world.enterprise_user)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert f'action="/hazards/{hazard.pk}/extensions/"' in page and "提交延期申请" in page
    plan_page = client.get(f"/hazards/{hazard.pk}/plan/").content.decode()
    assert "不能晚于责令整改期限" in plan_page
