"""Tokens made before every token had an expiry get one: ANJIAN_API_TOKEN_DAYS after
they were made (data only; 0006 then makes the column required)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    ApiToken = apps.get_model("orgs", "ApiToken")
    days = timedelta(days=settings.ANJIAN_API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + days)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_login_throttle")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
