"""The two kinds of page the operators' admin (/ops/) may have.

Domain records change through their services only (DESIGN §3), which check the
rules and write the audit trail; the admin shows them read-only (`ReadOnlyAdmin`).
The few records operators must manage there (accounts, permission groups, grids)
use `AuditedAdmin`: every add, change and delete — inline rows, bulk actions and
the password form included — appends an audit entry in the same transaction.
Every admin the project registers derives from one of the two; a test walks the
admin site and checks each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models, router, transaction
from django.http import HttpRequest

from anjian.core import audit
from anjian.core.models import AuditEntry

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin

#: The reason every entry written from the admin carries.
ADMIN_REASON = "运维后台修改"


class ReadOnlyAdmin(_ModelAdmin):
    """Look, never touch: no add, change or delete (the views answer 403 to a POST)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _stored(instance: models.Model) -> models.Model | None:
    """The row as the database holds it (the form has already changed `instance`)."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).first()


def _stored_snapshot(instance: models.Model) -> dict[str, Any]:
    stored = _stored(instance)
    return {} if stored is None else audit.snapshot(stored)


def _record(
    request: HttpRequest, instance: models.Model, action: str, changes: dict[str, Any]
) -> None:
    audit.record(
        actor=request.user, instance=instance, action=action, changes=changes, reason=ADMIN_REASON
    )


def _deleted(instance: models.Model) -> dict[str, Any]:
    return audit.diff(type(instance), audit.snapshot(instance), {})


class AuditedAdmin(_ModelAdmin):
    """An admin whose every write appends an audit entry (actor, before → after)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Many-to-many fields are saved later (save_related), so the stored row and its
        # relations still show the state before the change here.
        obj._audit_before = _stored_snapshot(obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        changes = audit.diff(type(obj), getattr(obj, "_audit_before", {}), audit.snapshot(obj))
        if changes or not change:
            action = AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE
            _record(request, obj, action, changes)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                stored = _stored(row.instance) or row.instance
                _record(request, stored, AuditEntry.Action.DELETE, _deleted(stored))
        befores = {
            row.instance.pk: _stored_snapshot(row.instance)
            for row in formset.initial_forms
            if row.instance.pk is not None and row not in formset.deleted_forms
        }
        formset.save()
        for obj in formset.new_objects:
            _record(
                request,
                obj,
                AuditEntry.Action.CREATE,
                audit.diff(type(obj), {}, audit.snapshot(obj)),
            )
        for obj, _fields in formset.changed_objects:
            changes = audit.diff(type(obj), befores.get(obj.pk, {}), audit.snapshot(obj))
            if changes:
                _record(request, obj, AuditEntry.Action.UPDATE, changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            _record(request, obj, AuditEntry.Action.DELETE, _deleted(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The bulk "delete selected" action: one entry per record."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                _record(request, obj, AuditEntry.Action.DELETE, _deleted(obj))
            super().delete_queryset(request, queryset)
