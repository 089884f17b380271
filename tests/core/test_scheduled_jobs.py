"""Scheduled jobs run by `anjian worker` itself (no cron): the hourly hazard reminders
fire once, however often workers poll within the hour."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anjian.core.models import Notification, ScheduledJob
from anjian.hazards import services as hazard_services
from anjian.hazards.models import Hazard
from tests.core.test_worker import database_tasks, run_worker  # noqa: F401
from tests.hazards.conftest import hazard_data


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_hazard_reminders_once_an_hour(world, run_worker):  # noqa: F811
    hazard = hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.now() - timezone.timedelta(days=1))
    assert not Notification.objects.filter(kind="hazard_overdue").exists()

    code, output = run_worker()
    assert code == 0, output
    told = set(
        Notification.objects.filter(kind="hazard_overdue").values_list("recipient", flat=True)
    )
    assert world.enterprise_user.pk in told  # the reminder fired without any cron
    runs = DBTaskResult.objects.filter(task_path="anjian.core.schedule.run_scheduled_job")
    assert runs.count() == 1 and runs.get().status == "SUCCESSFUL"
    job = ScheduledJob.objects.get(name="hazards.remind")
    assert job.next_run_at > timezone.now() + timezone.timedelta(minutes=50)

    # a second worker (or a restarted one) within the hour starts nothing
    code, output = run_worker()
    assert code == 0, output
    assert runs.count() == 1
    assert Notification.objects.filter(kind="hazard_overdue").count() == len(told)
