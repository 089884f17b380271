"""The hazard closed loop: every step allowed and forbidden per role, and its trace."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from anjian.hazards import services
from anjian.hazards.models import Hazard, HazardEvent, Status
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = pytest.mark.django_db

# Roles that may take the steps on the building company's hazard (who can see it at all
# is checked separately in test_access): supervisors, and the enterprise for its own.
ALLOWED = {"bureau", "township", "zhujian", "enterprise_user"}
FORBIDDEN = {"leader", "grid_worker", "expert"}


def _users(world, names):
    return [getattr(world, n) for n in names]


@pytest.mark.parametrize("name", sorted(ALLOWED | FORBIDDEN))
def test_plan_per_role(world, hazard, name):
    user = getattr(world, name)
    if name in ALLOWED:
        services.hazard_set_plan(actor=user, hazard=hazard, plan=plan_data())
        hazard.refresh_from_db()
        assert hazard.status == Status.RECTIFYING and hazard.deadline is not None
    else:
        with pytest.raises(PermissionDenied):
            services.hazard_set_plan(actor=user, hazard=hazard, plan=plan_data())
        hazard.refresh_from_db()
        assert hazard.status == Status.REGISTERED


@pytest.mark.parametrize("name", sorted(ALLOWED | FORBIDDEN))
def test_submit_per_role(world, rectifying, name):
    user = getattr(world, name)
    if name in ALLOWED:
        services.hazard_submit_rectification(
            actor=user, hazard=rectifying, note="已整改", photos=[photo()]
        )
        rectifying.refresh_from_db()
        assert rectifying.status == Status.PENDING and rectifying.rectified_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.hazard_submit_rectification(
                actor=user, hazard=rectifying, note="已整改", photos=[photo()]
            )


@pytest.mark.parametrize(
    "name", ["bureau", "township", "zhujian", "enterprise_user", "leader", "grid_worker", "expert"]
)
def test_verify_per_role(world, pending, name):
    """Supervisors verify; the enterprise may not close a hazard a township found."""
    user = getattr(world, name)
    if name in {"bureau", "township", "zhujian"}:
        services.hazard_verify(actor=user, hazard=pending, note="复查合格")
        pending.refresh_from_db()
        assert pending.status == Status.CLOSED and pending.closed_by == user and pending.closed_at
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            services.hazard_verify(actor=user, hazard=pending)
        pending.refresh_from_db()
        assert pending.status == Status.PENDING


def test_enterprise_verifies_its_own_self_found_general_hazard_but_not_its_own_rectification(world):
    from anjian.orgs.models import Role
    from tests.factories import UserFactory

    safety_officer = UserFactory(
        username="anquanyuan", organisation=world.building_co, role=Role.ENTERPRISE
    )
    hazard = services.hazard_register(
        actor=world.enterprise_user,
        enterprise=world.building_co.enterprise,
        data=hazard_data(source="township"),
    )
    assert hazard.source == "self"  # an enterprise's own finding is 企业自查 whatever it says
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=hazard, note="已整改", photos=[photo()]
    )
    with pytest.raises(ValidationError, match="验收人不能是整改提交人"):
        services.hazard_verify(actor=world.enterprise_user, hazard=hazard)
    services.hazard_verify(actor=safety_officer, hazard=hazard, note="安全员复查")
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED


def test_verifier_cannot_be_the_rectifier(world, rectifying):
    services.hazard_submit_rectification(
        actor=world.township, hazard=rectifying, note="代为提交", photos=[photo()]
    )
    with pytest.raises(ValidationError, match="验收人不能是整改提交人"):
        services.hazard_verify(actor=world.township, hazard=rectifying)
    with pytest.raises(ValidationError, match="验收人不能是整改提交人"):
        services.hazard_reject(actor=world.township, hazard=rectifying, reason="x")
    services.hazard_verify(actor=world.bureau, hazard=rectifying)


@pytest.mark.parametrize(
    ("fixture", "step"),
    [
        ("hazard", "submit"),
        ("hazard", "verify"),
        ("hazard", "reject"),
        ("rectifying", "plan"),
        ("rectifying", "verify"),
        ("pending", "plan"),
        ("pending", "submit"),
    ],
)
def test_forbidden_transitions_change_nothing(world, request, fixture, step):
    item = request.getfixturevalue(fixture)
    before = (item.status, HazardEvent.objects.filter(hazard=item).count())
    calls = {
        "plan": lambda: services.hazard_set_plan(actor=world.bureau, hazard=item, plan=plan_data()),
        "submit": lambda: services.hazard_submit_rectification(
            actor=world.bureau, hazard=item, note="x", photos=[photo()]
        ),
        "verify": lambda: services.hazard_verify(actor=world.bureau, hazard=item),
        "reject": lambda: services.hazard_reject(actor=world.bureau, hazard=item, reason="x"),
    }
    with pytest.raises(ValidationError, match="不能办理此环节"):
        calls[step]()
    item.refresh_from_db()
    assert (item.status, HazardEvent.objects.filter(hazard=item).count()) == before


def test_rejection_returns_to_rectifying_with_reason(world, pending):
    with pytest.raises(ValidationError, match="原因"):
        services.hazard_reject(actor=world.township, hazard=pending, reason=" ")
    services.hazard_reject(actor=world.township, hazard=pending, reason="限位器型号不符")
    pending.refresh_from_db()
    assert pending.status == Status.RECTIFYING
    event = pending.events.last()
    assert (
        event.kind == "rejected"
        and event.note == "限位器型号不符"
        and event.from_status == "pending"
    )


def test_plan_needs_all_five_and_six_parts_for_a_major_hazard(world):
    major = services.hazard_register(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data=hazard_data(level="major", place="基坑"),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.hazard_set_plan(
            actor=world.bureau, hazard=major, plan=plan_data(measures="", funds=None)
        )
    assert {"measures", "funds", "goals", "safety_and_contingency"} <= set(
        excinfo.value.message_dict
    )
    six = {
        f: "已制定"
        for f in (
            "goals",
            "methods",
            "funds_and_materials",
            "organisation_and_people",
            "time_and_requirements",
            "safety_and_contingency",
        )
    }
    services.hazard_set_plan(actor=world.bureau, hazard=major, plan=plan_data(**six))
    major.refresh_from_db()
    assert major.status == Status.RECTIFYING


def test_immediate_rectification_closes_at_once_for_general_only(world):
    hazard = services.hazard_register(
        actor=world.grid_worker,
        enterprise=world.building_co.enterprise,
        data=hazard_data(source="grid"),
        immediate=True,
        rectification_note="现场清理通道",
        photos=[photo()],
    )
    assert (
        hazard.status == Status.CLOSED
        and hazard.immediate
        and hazard.closed_by == world.grid_worker
    )
    with pytest.raises(ValidationError, match="一般隐患"):
        services.hazard_register(
            actor=world.township,
            enterprise=world.building_co.enterprise,
            data=hazard_data(level="major"),
            immediate=True,
            rectification_note="x",
            photos=[photo()],
        )
    assert Hazard.objects.count() == 1


def test_extension_keeps_the_original_deadline_in_history(world, rectifying):
    original = rectifying.deadline
    new = original + timedelta(days=10)
    request = services.extension_request(
        actor=world.enterprise_user, hazard=rectifying, new_deadline=new, reason="设备到货延迟"
    )
    with pytest.raises(ValidationError, match="待审批"):
        services.extension_request(
            actor=world.enterprise_user, hazard=rectifying, new_deadline=new, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=world.enterprise_user, request=request, approve=True)
    services.extension_decide(actor=world.township, request=request, approve=True, note="同意")
    rectifying.refresh_from_db()
    assert rectifying.deadline == new and rectifying.plan.deadline == new
    event = rectifying.events.get(kind="extension_approved")
    assert event.data["original_deadline"] == original.isoformat()
    request.refresh_from_db()
    assert request.original_deadline == original and request.decision == "approved"
    from anjian.core.audit import history_for

    change = history_for(rectifying).filter(changes__has_key="deadline").first()
    assert change is not None
    assert change.changes["deadline"]["to"] == timezone.localtime(new).strftime("%Y-%m-%d %H:%M")


def test_refused_extension_needs_a_note_and_keeps_the_deadline(world, rectifying):
    original = rectifying.deadline
    request = services.extension_request(
        actor=world.enterprise_user,
        hazard=rectifying,
        new_deadline=original + timedelta(days=3),
        reason="x",
    )
    with pytest.raises(ValidationError):
        services.extension_decide(actor=world.bureau, request=request, approve=False, note="")
    services.extension_decide(actor=world.bureau, request=request, approve=False, note="理由不充分")
    rectifying.refresh_from_db()
    assert rectifying.deadline == original


def test_overdue_is_right_the_minute_after_the_deadline(world, rectifying):
    deadline = rectifying.deadline
    assert not rectifying.is_overdue(deadline - timedelta(minutes=1))
    assert not rectifying.is_overdue(deadline)
    assert rectifying.is_overdue(deadline + timedelta(minutes=1))
    assert not Hazard.objects.overdue(deadline).exists()
    assert list(Hazard.objects.overdue(deadline + timedelta(minutes=1))) == [rectifying]


def test_a_submitted_rectification_is_not_overdue(world, pending):
    assert not pending.is_overdue(pending.deadline + timedelta(days=1))
    assert not Hazard.objects.overdue(pending.deadline + timedelta(days=1)).exists()


def test_closed_hazards_are_never_overdue(world, pending):
    services.hazard_verify(actor=world.bureau, hazard=pending)
    pending.refresh_from_db()
    assert not pending.is_overdue(timezone.now() + timedelta(days=365))


def test_repeat_within_12_months_is_marked_and_linked(world, pending):
    services.hazard_verify(actor=world.bureau, hazard=pending)
    again = services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(place=" 3号 塔吊 "),
    )
    assert again.is_repeat and again.repeat_of_id == pending.pk
    other_place = services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(place="1号塔吊"),
    )
    assert not other_place.is_repeat
    Hazard.objects.filter(pk=pending.pk).update(closed_at=timezone.now() - timedelta(days=400))
    old = services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    assert not old.is_repeat


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_verifications_close_once(world):
    hazard = services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=hazard, note="已整改", photos=[photo()]
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def verify(user):
        from django.db import connections

        try:
            barrier.wait()
            services.hazard_verify(actor=user, hazard=hazard, note="验收")
            outcomes.append("closed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=verify, args=(u,)) for u in (world.township, world.bureau)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["closed", "refused"]
    assert HazardEvent.objects.filter(hazard=hazard, kind="closed").count() == 1
