"""Writing and reading the audit trail.

Services take a `snapshot` before a change and call `record` after it; the
entry stores the fields that differ, as the values a person reads (choice
labels, related records' names, a person's name rather than a login, "已上传"
rather than a file's path, a region's name rather than its code).

Reading goes through `presented_changes`, which resolves labels and values again
from the model, so entries stored before a field got its Chinese name (or while
the trail still stored paths, codes and logins) read the same as new ones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from anjian.core.models import AuditEntry

#: Fields never shown in the trail (secrets or bookkeeping).
HIDDEN_FIELDS = frozenset(
    {
        "password",
        "created_at",
        "updated_at",
        "last_login",
        "key_hash",
        "token",
        "sha256",
        "client_id",
        "dedupe_key",
    }
)

#: What an uploaded file reads as: that it is there, never where it is stored.
FILE_PRESENT = "已上传"

#: Character fields that hold a code of a reference table (the scoping columns copied
#: onto records), by field name, with their label in the trail: the value reads as the
#: region's or industry's name, so the label names the region, not its code.
CODE_FIELDS = {"region_code": "所在区划", "industry_code": "所属行业"}


def person_name(user: Any) -> str:
    """How a person appears in the trail: the name, never the login."""
    if user is None:
        return ""
    name = (getattr(user, "full_name", "") or "").strip()
    if name:
        return name
    if getattr(user, "is_superuser", False):
        return "系统管理员"
    organisation = getattr(user, "organisation", None)
    return f"{organisation.name}用户" if organisation is not None else "未填写姓名的用户"


def _code_names(field_name: str, codes: Iterable[str]) -> dict[str, str]:
    codes = {c for c in codes if isinstance(c, str) and c}
    if not codes:
        return {}
    if field_name == "region_code":
        from anjian.regions.models import Region

        return {
            code: full or name
            for code, name, full in Region.objects.filter(code__in=codes).values_list(
                "code", "name", "full_name"
            )
        }
    from anjian.orgs.models import Industry

    return dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))


def _is_user_model(model: Any) -> bool:
    from django.contrib.auth import get_user_model

    return model is not None and issubclass(model, get_user_model())


def _readable(instance: models.Model, field: models.Field[Any, Any]) -> Any:
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(str(obj) for obj in getattr(instance, field.name).all())
    if field.is_relation:
        related = getattr(instance, field.name)
        if related is None:
            return None
        return person_name(related) if _is_user_model(field.related_model) else str(related)
    value = getattr(instance, field.attname)
    if field.name in CODE_FIELDS and value:
        return _code_names(field.name, [value]).get(value, value)
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
        return FILE_PRESENT if value.name else None
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
            label = CODE_FIELDS.get(name) or str(
                getattr(model._meta.get_field(name), "verbose_name", name)
            )
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
        actor_name = person_name(actor_obj)
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


# Reading -----------------------------------------------------------------------------

_LOGIN_IN_NAME = re.compile(r"^(?P<name>.+?)（[^（）]+）$")
_HAS_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_LOGIN = re.compile(r"^[\w.@+-]+$", re.ASCII)


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a key that is not a field (e.g. "listing")
        return None


def _label(field: Any, stored: Any, name: str) -> str:
    if field is not None and name in CODE_FIELDS:
        return CODE_FIELDS[name]
    verbose = str(getattr(field, "verbose_name", "") or "")
    if _HAS_CHINESE.search(verbose):
        return verbose
    if stored and _HAS_CHINESE.search(str(stored)):
        return str(stored)
    return "其他信息"


def _user_value(value: Any) -> Any:
    """A person stored as "姓名（login）" or as a bare login, by older entries."""
    if not isinstance(value, str) or not value:
        return value
    match = _LOGIN_IN_NAME.match(value)
    if match:
        return match.group("name")
    if not _LOGIN.match(value):
        return value  # a name already
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=value).select_related("organisation").first()
    return person_name(user) if user is not None else value


def _time_value(value: Any) -> Any:
    """Times once stored as ISO text ("2026-12-01T21:30:00+00:00") read as local time."""
    if not isinstance(value, str) or "T" not in value:
        return value
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return parsed.strftime("%Y-%m-%d %H:%M")


def _value(field: Any, value: Any, codes: dict[str, dict[str, str]]) -> Any:
    if field is None or value in (None, "", []):
        return value
    if isinstance(field, models.FileField):
        return FILE_PRESENT
    if field.is_relation and _is_user_model(field.related_model):
        return _user_value(value)
    if field.name in CODE_FIELDS:
        return codes.get(field.name, {}).get(value, value)
    if isinstance(field, models.DateTimeField):
        return _time_value(value)
    return value


def presented_changes(entry: AuditEntry) -> list[dict[str, Any]]:
    """The entry's changes as a person reads them: [{"label", "from", "to"}], with the
    label and values resolved from the current model (see the module docstring)."""
    changes = entry.changes or {}
    if not isinstance(changes, dict):
        return []
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    fields = {name: _field(model, name) for name in changes}
    codes = {
        name: _code_names(name, [changes[name].get("from"), changes[name].get("to")])
        for name in CODE_FIELDS
        if isinstance(changes.get(name), dict)
    }
    shown = []
    for name, change in changes.items():
        if name in HIDDEN_FIELDS or not isinstance(change, dict):
            continue
        field = fields[name]
        shown.append(
            {
                "label": _label(field, change.get("label"), name),
                "from": _value(field, change.get("from"), codes),
                "to": _value(field, change.get("to"), codes),
            }
        )
    return shown


def presented_actor(entry: AuditEntry) -> str:
    """Who made the change, by name: older entries stored a login when a person had no
    name on file."""
    actor = entry.actor
    if actor is not None and (not entry.actor_name or entry.actor_name == actor.username):
        return person_name(actor)
    return entry.actor_name or "系统"
