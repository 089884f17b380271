"""A revoked API token stays revoked: the database refuses clearing or moving
`revoked_at` once it is set (an operator's edit had brought a revoked token back)."""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER orgs_apitoken_revocation_is_final BEFORE UPDATE OF revoked_at ON orgs_apitoken
WHEN OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS NULL OR NEW.revoked_at != OLD.revoked_at)
BEGIN SELECT RAISE(ABORT, 'a revoked API token stays revoked'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS orgs_apitoken_revocation_is_final;"

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION orgs_apitoken_revocation_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
        RAISE EXCEPTION 'a revoked API token stays revoked';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER orgs_apitoken_revocation_is_final BEFORE UPDATE ON orgs_apitoken
    FOR EACH ROW EXECUTE FUNCTION orgs_apitoken_revocation_is_final();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS orgs_apitoken_revocation_is_final ON orgs_apitoken;
DROP FUNCTION IF EXISTS orgs_apitoken_revocation_is_final();
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
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
    dependencies = [("orgs", "0006_api_token_expiry_required")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
