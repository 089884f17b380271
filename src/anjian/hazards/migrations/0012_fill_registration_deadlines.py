"""Registered hazards used to wait for the enterprise's plan without a deadline, so they
never became overdue. Give each one the default term of its level, counted from when
it was found (ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS at the time this runs): a hazard that
has waited longer than that is overdue from now on, which is what it is."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import F


def fill(apps, schema_editor):
    Hazard = apps.get_model("hazards", "Hazard")
    for level, days in settings.ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS.items():
        Hazard.objects.filter(status="registered", deadline__isnull=True, level=level).update(
            deadline=F("found_at") + timedelta(days=days)
        )


class Migration(migrations.Migration):
    dependencies = [("hazards", "0011_constraint_messages")]

    # Going back leaves the deadlines: they are valid under the old rules too.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
