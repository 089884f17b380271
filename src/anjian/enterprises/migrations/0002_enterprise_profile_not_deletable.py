"""Refuse, in PostgreSQL itself, deleting an enterprise profile while its organisation
exists (that left an organisation of kind ENTERPRISE without a profile, and every list
covering it failed). The model refuses the delete on every backend; SQLite gets no
trigger because Django's test flush deletes its tables row by row in no fixed order.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION enterprises_enterprise_keep_profile() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM orgs_organisation WHERE id = OLD.organisation_id) THEN
        RAISE EXCEPTION 'an enterprise profile is not deleted while its organisation exists';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enterprises_enterprise_keep_profile BEFORE DELETE ON enterprises_enterprise
    FOR EACH ROW EXECUTE FUNCTION enterprises_enterprise_keep_profile();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS enterprises_enterprise_keep_profile ON enterprises_enterprise;
DROP FUNCTION IF EXISTS enterprises_enterprise_keep_profile();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
