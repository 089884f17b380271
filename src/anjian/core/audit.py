"""Writing and reading the audit trail.

Services take a `snapshot` before a change and call `record` after it; the
entry stores the fields that differ, as the values a person reads (choice
labels, related records' names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from anjian.core.models import AuditEntry

#: Fields never shown in the trail (secrets or bookkeeping).
HIDDEN_FIELDS = frozenset({"password", "created_at", "updated_at", "last_login", "key_hash"})


def _readable(instance: models.Model, field: models.Field[Any, Any]) -> Any:
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(str(obj) for obj in getattr(instance, field.name).all())
    if field.is_relation:
        related = getattr(instance, field.name)
        return None if related is None else str(related)
    value = getattr(instance, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return shown.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The record's audited fields as readable, JSON-safe values."""
    wanted = set(fields) if fields is not None else None
    result: dict[str, Any] = {}
    for field in [*instance._meta.concrete_fields, *instance._meta.many_to_many]:
        if field.name in HIDDEN_FIELDS or getattr(field, "primary_key", False):
            continue
        if wanted is not None and field.name not in wanted:
            continue
        result[field.name] = _readable(instance, field)
    return result


def diff(
    model: type[models.Model], before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any]:
    """{field: {"label", "from", "to"}} for every field whose value differs."""
    changes: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new and not (_is_empty(old) and _is_empty(new)):
            label = str(getattr(model._meta.get_field(name), "verbose_name", name))
            changes[name] = {"label": label, "from": old, "to": new}
    return changes


def record(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry for `instance`. Pass before/after snapshots, or `changes` directly."""
    if changes is None:
        changes = diff(
            type(instance), before or {}, after if after is not None else snapshot(instance)
        )
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_name = ""
    if actor_obj is not None:
        actor_name = actor_obj.get_full_name() or actor_obj.get_username()
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_name=actor_name,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=changes,
        reason=reason or "",
    )


def history_for(*instances: models.Model) -> models.QuerySet[AuditEntry]:
    """The trail of one record (or of records shown together, such as an enterprise and
    its organisation), newest first. Callers must have fetched the instances through a
    scoped selector: the trail is visible exactly when the record is."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for instance in instances:
        condition |= Q(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
            object_id=str(instance.pk),
        )
    return AuditEntry.objects.filter(condition).select_related("actor")


def save_with_audit(
    *,
    actor: Any,
    instance: models.Model,
    values: dict[str, Any],
    action: str = AuditEntry.Action.UPDATE,
    reason: str = "",
    m2m: dict[str, Iterable[models.Model]] | None = None,
    check: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Set `values` (and many-to-many `m2m`) on `instance`, validate, save the changed
    fields and append one audit entry if anything changed. Returns the changes.

    The caller holds the transaction (and any row lock); `check` runs after the
    values are set and before validation, for rules that depend on them.
    """
    fields = [*values, *(m2m or {})]
    before = snapshot(instance, fields)
    for name, value in values.items():
        setattr(instance, name, value)
    if check is not None:
        check(instance)
    instance.full_clean()
    update_fields = list(values)
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    for name, objects in (m2m or {}).items():
        getattr(instance, name).set(objects)
    changes = diff(type(instance), before, snapshot(instance, fields))
    if changes:
        record(actor=actor, instance=instance, action=action, changes=changes, reason=reason)
    return changes
