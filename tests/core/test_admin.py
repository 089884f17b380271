"""The operators' admin (/ops/): domain records are read-only there, and every change
to what operators do manage (accounts, permission groups, grids, tokens) is audited.

The tests walk every model registered in the admin site, so a model registered later
is checked without anyone remembering to add it here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, models, transaction
from django.forms import inlineformset_factory
from django.test import Client

from anjian.core.admin_base import AuditedAdmin, ReadOnlyAdmin
from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise
from anjian.orgs import services
from anjian.orgs.models import ApiToken, Grid, Organisation, Role, SupervisionOverride, User
from tests.factories import PASSWORD, OrganisationFactory

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
AUDITED = [(m, a) for m, a in REGISTRY if isinstance(a, AuditedAdmin)]
NOT_AUDITED = [(m, a) for m, a in REGISTRY if not isinstance(a, AuditedAdmin)]


def _url(model: type[models.Model], view: str, *args: Any) -> str:
    base = f"/ops/{model._meta.app_label}/{model._meta.model_name}/"
    return base + "".join(f"{a}/" for a in args) + (f"{view}/" if view else "")


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m, _ in REGISTRY}


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops", password=PASSWORD, full_name="运维")


@pytest.fixture
def ops(operator):
    client = Client()
    client.force_login(operator)
    return client


def test_every_registered_admin_uses_the_projects_base_classes():
    """Ours (and accounts') derive from ReadOnlyAdmin or AuditedAdmin; a third-party
    admin (the task queue's) may stay only because it refuses every write itself, which
    the next test checks like any other."""
    ours = [(m, a) for m, a in REGISTRY if m.__module__.startswith(("anjian.", "django.contrib"))]
    assert len(ours) >= 10
    for model, model_admin in ours:
        assert isinstance(model_admin, ReadOnlyAdmin | AuditedAdmin), model._meta.label


@pytest.mark.parametrize(
    "model", [m for m, _ in NOT_AUDITED], ids=[m._meta.label for m, _ in NOT_AUDITED]
)
def test_domain_models_refuse_add_change_and_delete(world, ops, operator, model):
    services.api_token_create(user=world.bureau, name="只读检查")
    obj = model._base_manager.order_by("pk").first()
    pk = obj.pk if obj is not None else 1
    before_rows, before_audit = _row_counts(), AuditEntry.objects.count()
    snapshot = model._base_manager.filter(pk=pk).values().first()

    assert ops.post(_url(model, "add"), {"name": "x"}).status_code == 403
    assert ops.post(_url(model, "change", pk), {"name": "x", "revoked_at": ""}).status_code == 403
    assert ops.post(_url(model, "delete", pk), {"post": "yes"}).status_code == 403
    bulk = ops.post(
        _url(model, ""), {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)  # "no such action": nothing done

    assert _row_counts() == before_rows
    assert model._base_manager.filter(pk=pk).values().first() == snapshot
    assert AuditEntry.objects.count() == before_audit
    assert ops.get(_url(model, "")).status_code == 200  # still readable


# --- the admins that do write: each must have a case below ------------------------------


def _form_data(response) -> dict[str, Any]:
    """The POST a browser would send for the admin form in `response`, unchanged."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        widget = getattr(field.widget, "widget", field.widget)
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif hasattr(widget, "decompress"):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def _permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def _new_user(world) -> dict[str, Any]:
    return {
        "username": "newops",
        "full_name": "新账号",
        "organisation": world.bureau.organisation_id,
        "role": Role.SAFETY,
        "password1": "Ops-pass-2026!",
        "password2": "Ops-pass-2026!",
    }


#: model label → (data for the add form, {field: value} to change, whether delete is allowed)
CASES: dict[str, Any] = {
    "orgs.User": (_new_user, lambda w: {"is_superuser": "on", "is_staff": "on"}, False),
    "auth.Group": (
        lambda w: {"name": "运维组", "permissions": [_permission("view_grid").pk]},
        lambda w: {"permissions": [_permission("view_grid").pk, _permission("change_user").pk]},
        True,
    ),
    "orgs.Grid": (
        lambda w: {"name": "新网格", "region": "130202001"},
        lambda w: {"name": "改名网格"},
        False,
    ),
}


def test_every_writing_admin_has_an_audit_case():
    assert {m._meta.label for m, _ in AUDITED} == set(CASES)


def _entries(model, pk) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(content_type__model=model._meta.model_name, object_id=str(pk))
    )


@pytest.mark.parametrize("model", [m for m, _ in AUDITED], ids=[m._meta.label for m, _ in AUDITED])
def test_every_admin_write_is_audited(world, ops, operator, model):
    add_data, change_data, deletable = CASES[model._meta.label]
    pks_before = set(model._base_manager.values_list("pk", flat=True))

    added = ops.post(_url(model, "add"), add_data(world))
    assert added.status_code == 302, added.context and added.context["adminform"].form.errors
    (pk,) = set(model._base_manager.values_list("pk", flat=True)) - pks_before
    (created,) = _entries(model, pk)
    assert created.action == AuditEntry.Action.CREATE and created.actor == operator

    form = ops.get(_url(model, "change", pk))
    changed = ops.post(_url(model, "change", pk), {**_form_data(form), **change_data(world)})
    assert changed.status_code == 302, changed.context and changed.context["adminform"].form.errors
    update = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=str(pk)).get()
    assert update.actor == operator and update.changes

    if not deletable:
        assert ops.post(_url(model, "delete", pk), {"post": "yes"}).status_code == 403
        assert model._base_manager.filter(pk=pk).exists()
        return
    assert ops.post(_url(model, "delete", pk), {"post": "yes"}).status_code == 302
    assert not model._base_manager.filter(pk=pk).exists()
    assert _entries(model, pk)[0].action == AuditEntry.Action.DELETE


def test_superuser_grant_is_audited_with_before_and_after(world, ops, operator):
    user = world.township
    data = {**_form_data(ops.get(_url(User, "change", user.pk))), "is_superuser": "on"}
    assert ops.post(_url(User, "change", user.pk), data).status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(user.pk)).latest("id")
    assert entry.actor == operator
    assert entry.changes["is_superuser"]["from"] is False
    assert entry.changes["is_superuser"]["to"] is True


def test_unchanged_save_writes_no_entry(world, ops):
    user = world.township
    before = AuditEntry.objects.count()
    data = _form_data(ops.get(_url(User, "change", user.pk)))
    assert ops.post(_url(User, "change", user.pk), data).status_code == 302
    assert AuditEntry.objects.count() == before


def test_admin_user_form_reports_missing_organisation_instead_of_failing(world, ops):
    data = {**_new_user(world), "organisation": "", "role": ""}
    response = ops.post(_url(User, "add"), data)
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newops").exists()


def test_password_change_in_the_admin_is_audited(world, ops, operator):
    user = world.township
    response = ops.post(
        f"/ops/orgs/user/{user.pk}/password/",
        {"password1": "New-pass-2026!", "password2": "New-pass-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-pass-2026!")
    entry = AuditEntry.objects.filter(object_id=str(user.pk)).latest("id")
    assert entry.action == AuditEntry.Action.PASSWORD and entry.actor == operator
    assert "New-pass" not in str(entry.changes)


def test_the_admins_own_password_form_goes_to_the_audited_account_page(ops, operator):
    # Django's /ops/password_change/ changed a password with no audit row and kept tokens.
    before = AuditEntry.objects.count()
    response = ops.post(
        "/ops/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "New-pass-2026!",
            "new_password2": "New-pass-2026!",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    operator.refresh_from_db()
    assert not operator.check_password("New-pass-2026!")
    assert AuditEntry.objects.count() == before
    assert ops.get("/ops/password_change/")["Location"] == "/account/password/"


def test_bulk_delete_writes_one_entry_per_record(world, ops):
    groups = [Group.objects.create(name=f"组{n}") for n in range(3)]
    response = ops.post(
        _url(Group, ""),
        {"action": "delete_selected", "_selected_action": [g.pk for g in groups], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Group.objects.exists()
    for group in groups:
        (entry,) = _entries(Group, group.pk)
        assert (
            entry.action == AuditEntry.Action.DELETE and entry.changes["name"]["from"] == group.name
        )


def test_tokens_are_revoked_through_the_service_and_stay_revoked(world, ops, operator):
    token, key = services.api_token_create(user=world.bureau, name="接口")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/v1/auth/me", **auth).status_code == 200
    response = ops.post(
        _url(ApiToken, ""), {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED).latest("id")
    assert entry.actor == operator

    # The admin cannot bring it back, and neither can a direct write.
    assert ops.post(_url(ApiToken, "change", token.pk), {"revoked_at": ""}).status_code == 403
    with pytest.raises(DatabaseError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/auth/me", **auth).status_code == 401


def test_an_enterprise_profile_cannot_be_deleted(world, ops, client):
    profile = Enterprise.objects.get(pk=world.building_co.pk)
    assert ops.post(_url(Enterprise, "delete", profile.pk), {"post": "yes"}).status_code == 403
    with pytest.raises(models.ProtectedError), transaction.atomic():
        profile.delete()
    with pytest.raises(models.ProtectedError), transaction.atomic():
        Enterprise.objects.filter(pk=profile.pk).delete()
    with pytest.raises(models.ProtectedError), transaction.atomic():
        Organisation.objects.filter(pk=profile.pk).delete()
    assert Enterprise.objects.filter(pk=profile.pk).exists()

    client.force_login(world.bureau)
    assert client.get("/enterprises/").status_code == 200
    key = services.api_token_create(user=world.bureau)[1]
    assert client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the refusing trigger is PostgreSQL's"
)
def test_database_refuses_deleting_an_enterprise_profile(world):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM enterprises_enterprise WHERE organisation_id = %s", [world.building_co.pk]
        )
    assert Enterprise.objects.filter(pk=world.building_co.pk).exists()


def test_inline_rows_are_audited_one_entry_each(world, operator, rf):
    """No admin has inlines today; one that gets them is audited row by row."""
    Formset = inlineformset_factory(
        Organisation,
        SupervisionOverride,
        fk_name="enterprise",
        fields=["department", "mode", "reason"],
        extra=1,
    )
    company, department = world.building_co, world.zhujian.organisation
    other, third = OrganisationFactory.create_batch(2, kind=Organisation.Kind.DEPARTMENT)
    kept = SupervisionOverride.objects.create(
        enterprise=company, department=department, mode="add", reason="旧"
    )
    gone = SupervisionOverride.objects.create(enterprise=company, department=other, mode="add")
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "2"}
    for i, (row, reason, delete) in enumerate([(kept, "新", ""), (gone, "", "on")]):
        data |= {f"form-{i}-id": str(row.pk), f"form-{i}-department": str(row.department_id)}
        data |= {f"form-{i}-mode": "add", f"form-{i}-reason": reason, f"form-{i}-DELETE": delete}
    data |= {"form-2-department": str(third.pk), "form-2-mode": "remove"}
    formset = Formset(data, instance=company, prefix="form")
    assert formset.is_valid(), formset.errors
    request = rf.post("/")
    request.user = operator

    with transaction.atomic():
        AuditedAdmin(Organisation, admin.site).save_formset(request, None, formset, True)

    entries = AuditEntry.objects.filter(content_type__model="supervisionoverride")
    by_action = {e.action: e for e in entries}
    assert sorted(by_action) == ["create", "delete", "update"] and entries.count() == 3
    assert by_action["update"].changes["reason"] == {"label": "原因", "from": "旧", "to": "新"}
    assert by_action["delete"].object_id == str(gone.pk)
    assert all(e.actor == operator for e in entries)


def test_disabling_an_account_or_changing_its_password_in_the_admin_revokes_its_tokens(world, ops):
    user = world.township
    first = services.api_token_create(user=user, name="一")[0]
    data = _form_data(ops.get(_url(User, "change", user.pk)))
    data.pop("is_active")
    assert ops.post(_url(User, "change", user.pk), data).status_code == 302
    first.refresh_from_db()
    assert first.revoked_at is not None
    revoked = AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED).get()
    assert revoked.object_id == str(user.pk) and revoked.reason == "账号停用"

    second = services.api_token_create(user=world.bureau, name="二")[0]
    ops.post(
        f"/ops/orgs/user/{world.bureau.pk}/password/",
        {"password1": "New-pass-2026!", "password2": "New-pass-2026!", "usable_password": "true"},
    )
    second.refresh_from_db()
    assert second.revoked_at is not None


def test_a_grid_keeps_its_township(world, ops):
    grid = world.grid_worker.grid
    data = {**_form_data(ops.get(_url(Grid, "change", grid.pk))), "region": "130203001"}
    assert ops.post(_url(Grid, "change", grid.pk), data).status_code == 302
    grid.refresh_from_db()
    assert grid.region_id == "130202001"
