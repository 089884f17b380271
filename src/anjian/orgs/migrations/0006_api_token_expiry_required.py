from django.db import migrations, models

import anjian.orgs.models


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_api_token_expiry_backfill")]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(
                default=anjian.orgs.models.default_token_expiry, verbose_name="过期时间"
            ),
        ),
    ]
