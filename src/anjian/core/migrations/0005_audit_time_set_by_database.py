"""The database, not the caller, sets an audit entry's time.

PostgreSQL: a BEFORE INSERT trigger overwrites `created_at` with clock_timestamp(),
so a back-dated INSERT is stored with the real time. SQLite cannot change a row in
a BEFORE trigger; it refuses an INSERT whose time is more than 5 seconds from its
own clock (the column's default is that clock, so the application never trips it).

Changing the column's default makes SQLite rebuild the table, which drops its
triggers: the append-only trigger of 0003 is created again after the rebuild (and
again when going back, since the reverse rebuild drops it too).
"""

from django.db import migrations, models
from django.db.models.functions import Now

SQLITE_NO_UPDATE = (
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
)
SQLITE_FORWARD = """
CREATE TRIGGER core_auditentry_own_time BEFORE INSERT ON core_auditentry
WHEN NEW.created_at IS NULL
    OR abs(julianday(NEW.created_at) - julianday('now')) * 86400 > 5
BEGIN SELECT RAISE(ABORT, 'audit entries take the time of the database'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditentry_own_time;"

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_own_time() RETURNS trigger AS $$
BEGIN
    NEW.created_at := clock_timestamp();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_own_time BEFORE INSERT ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_own_time();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_own_time ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_own_time();
"""


def _sqlite_no_update(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_NO_UPDATE:
            schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _sqlite_no_update(apps, schema_editor)
        schema_editor.execute(SQLITE_FORWARD)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_notifications")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _sqlite_no_update, elidable=False),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(
                db_default=Now(), db_index=True, editable=False, verbose_name="时间"
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
