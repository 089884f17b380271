"""Who is told what: assignment, awaiting verification, rejection, deadline reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anjian.core.models import Notification
from anjian.hazards import services
from anjian.hazards.notices import remind
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = pytest.mark.django_db


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_enterprise_is_told_of_a_new_hazard_and_township_of_a_submission(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hazard = services.hazard_register(
            actor=world.bureau, enterprise=world.building_co.enterprise, data=hazard_data()
        )
    assert inbox(world.enterprise_user) == ["hazard_registered"]
    assert inbox(world.other_township) == [] and inbox(world.zhujian) == []
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=hazard, note="已整改", photos=[photo()]
    )
    assert "hazard_submitted" in inbox(world.township) and "hazard_submitted" in inbox(world.bureau)
    assert "hazard_submitted" not in inbox(world.enterprise_user)
    services.hazard_reject(actor=world.township, hazard=hazard, reason="未整改到位")
    assert inbox(world.enterprise_user).count("hazard_rejected") == 1


def test_reminders_are_sent_once_per_deadline(world, rectifying):
    deadline = rectifying.deadline
    assert remind(deadline - timedelta(days=4)) == (0, 0)
    soon, _ = remind(deadline - timedelta(days=2))
    assert soon == 1 and "hazard_due" in inbox(world.enterprise_user)
    assert remind(deadline - timedelta(days=1)) == (0, 0)  # idempotent
    _, overdue = remind(deadline + timedelta(minutes=1))
    assert (
        overdue >= 2
        and "hazard_overdue" in inbox(world.enterprise_user)
        and "hazard_overdue" in inbox(world.township)
    )
    assert remind(deadline + timedelta(hours=5)) == (0, 0)


def test_inbox_page_marks_read_and_api_lists(world, client, hazard):
    note = Notification.objects.get(recipient=world.enterprise_user)
    client.force_login(world.enterprise_user)
    page = client.get("/inbox/").content.decode()
    assert "新隐患待整改" in page and "未读" in page
    assert 'rounded-pill text-bg-danger">1<' in client.get("/").content.decode()
    response = client.get(f"/inbox/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == hazard.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get("/api/v1/notifications", {"unread": True}).json()["count"] == 0
    client.force_login(world.township)
    assert client.get(f"/inbox/{note.pk}/").status_code == 404  # someone else's message
    assert client.post(f"/api/v1/notifications/{note.pk}/read").status_code == 404


def test_delivery_uses_the_configured_senders(
    world, settings, django_capture_on_commit_callbacks, caplog
):
    settings.ANJIAN_NOTIFICATION_SENDERS = [
        "anjian.core.notifications.LoggingSender",
        "anjian.core.notifications.EmailSender",
    ]
    from django.core import mail

    world.enterprise_user.email = "ent@example.com"
    world.enterprise_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        services.hazard_register(
            actor=world.bureau, enterprise=world.building_co.enterprise, data=hazard_data()
        )
    assert any("新隐患待整改" in r.getMessage() for r in caplog.records)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ent@example.com"]
    assert timezone.now()
