"""The audit trail: every change leaves an entry; entries cannot be altered."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from anjian.core.audit import history_for
from anjian.core.models import AuditEntry
from anjian.orgs import services
from anjian.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def _entry(world):
    services.organisation_update(
        actor=world.bureau,
        organisation=world.chemical_co,
        data={"phone": "0315-1234567"},
        reason="电话变更",
    )
    return AuditEntry.objects.latest("id")


def test_update_records_who_what_before_after_and_why(world):
    entry = _entry(world)
    assert entry.actor == world.bureau
    assert entry.actor_name == world.bureau.full_name
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.object_id == str(world.chemical_co.pk)
    assert entry.changes == {"phone": {"label": "联系电话", "from": "", "to": "0315-1234567"}}
    assert entry.reason == "电话变更"
    assert list(history_for(world.chemical_co)) == [entry]


def test_unchanged_save_writes_no_entry(world):
    before = AuditEntry.objects.count()
    services.organisation_update(
        actor=world.bureau, organisation=world.chemical_co, data={"name": "永兴化工公司"}
    )
    assert AuditEntry.objects.count() == before


def test_create_and_deactivate_are_recorded(world):
    org = services.organisation_create(
        actor=world.bureau,
        data={
            "name": "新登记单位",
            "kind": Organisation.Kind.GOVERNMENT,
            "region": world.building_co.region,
        },
    )
    create = history_for(org).get()
    assert create.action == AuditEntry.Action.CREATE
    assert create.changes["name"] == {"label": "单位名称", "from": None, "to": "新登记单位"}
    services.organisation_set_active(
        actor=world.bureau, organisation=org, active=False, reason="撤销"
    )
    latest = history_for(org).first()
    assert latest.action == AuditEntry.Action.DEACTIVATE
    assert latest.changes["is_active"]["to"] is False
    assert latest.reason == "撤销"


def test_entries_cannot_be_changed_through_the_orm(world):
    entry = _entry(world)
    entry.reason = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.reason == "电话变更"


def test_database_refuses_updates(world):
    entry = _entry(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET reason = %s WHERE id = %s", ["篡改", entry.pk])
    entry.refresh_from_db()
    assert entry.reason == "电话变更"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row DELETE trigger is PostgreSQL's")
def test_database_refuses_deletes_on_postgresql(world):
    entry = _entry(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_no_page_or_api_edits_entries(world, client):
    entry = _entry(world)
    client.force_login(world.bureau)
    assert client.get(f"/ops/core/auditentry/{entry.pk}/change/").status_code in (302, 403)
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_superuser(
        "ops", password="x-Pass-2026", full_name="运维"
    )
    client.force_login(operator)
    assert (
        client.get(f"/ops/core/auditentry/{entry.pk}/change/").status_code == 200
    )  # read-only view
    assert (
        client.post(f"/ops/core/auditentry/{entry.pk}/change/", {"reason": "篡改"}).status_code
        == 403
    )
    assert (
        client.post(f"/ops/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert client.post("/ops/core/auditentry/add/", {}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "电话变更"
    assert not any("/audit" in p for p in client.get("/api/v1/openapi.json").json()["paths"])


def test_history_is_shown_on_the_record_page(world, client):
    _entry(world)
    client.force_login(world.bureau)
    page = client.get(f"/organisations/{world.chemical_co.pk}/").content.decode()
    assert "变更记录" in page and "0315-1234567" in page and "电话变更" in page
    assert "True" not in page and "[]" not in page


def _backdated_insert(world) -> None:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(world.chemical_co)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditentry (created_at, actor_name, action, content_type_id,"
            " object_id, object_repr, changes, reason)"
            " VALUES (%s, '', 'update', %s, %s, '补录', '{}', '倒签')",
            [dt.datetime(2020, 1, 1, 8, tzinfo=dt.UTC), content_type.pk, str(world.chemical_co.pk)],
        )


def test_the_database_sets_the_time_of_an_entry(world):
    """An entry cannot be back-dated: PostgreSQL overwrites the time, SQLite refuses."""

    entry = _entry(world)
    assert abs(entry.created_at - timezone.now()) < dt.timedelta(seconds=5)
    year_ago = timezone.now() - dt.timedelta(days=365)
    if connection.vendor == "postgresql":
        backdated = AuditEntry.objects.create(
            action="update",
            content_type_id=entry.content_type_id,
            object_id="1",
            created_at=year_ago,
        )
        backdated.refresh_from_db()
        _backdated_insert(world)
        raw = AuditEntry.objects.get(reason="倒签")
        for stored in (backdated, raw):
            assert abs(stored.created_at - timezone.now()) < dt.timedelta(seconds=5)
    else:
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.create(
                action="update",
                content_type_id=entry.content_type_id,
                object_id="1",
                created_at=year_ago,
            )
        with pytest.raises(DatabaseError), transaction.atomic():
            _backdated_insert(world)
    assert not AuditEntry.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=1)
    ).exists()
