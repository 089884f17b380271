"""A conflict with stored records, told in Chinese on its field, never by the name of
the database constraint that caught it.

Model validation uses each constraint's `violation_error_message` (the check
`anjian.E002` requires one wherever Django's default would print the constraint's
name); when the database itself refuses a write (a race, a path without validation),
`integrity_error_as_validation` finds the constraint and answers with the same message.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.core import checks
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models

GENERIC_CONFLICT = "与已有记录冲突，未保存。"


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("anjian.")]


def _needs_message(constraint) -> bool:
    """Django's default message names the constraint for check constraints and for
    unique ones with a condition or expressions."""
    if isinstance(constraint, models.CheckConstraint):
        return True
    if isinstance(constraint, models.UniqueConstraint):
        return bool(constraint.condition is not None or constraint.expressions)
    return False


def check_constraint_messages(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for model in _project_models():
        for constraint in model._meta.constraints:
            default = constraint.default_violation_error_message
            if _needs_message(constraint) and constraint.violation_error_message == default:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}: constraint {constraint.name} has no "
                        "violation_error_message; its default shows the constraint's name.",
                        hint="Give it a Chinese violation_error_message (and "
                        'violation_error_code="unique" to put it on its one field).',
                        obj=model,
                        id="anjian.E002",
                    )
                )
    return errors


def _field_of(model, constraint) -> str:
    fields = list(getattr(constraint, "fields", ()) or ())
    return fields[0] if len(fields) == 1 else NON_FIELD_ERRORS


def _message_of(model, constraint) -> str:
    if _needs_message(constraint):
        return str(constraint.get_violation_error_message())
    names = "、".join(str(model._meta.get_field(f).verbose_name) for f in constraint.fields)
    return f"相同{names}的{model._meta.verbose_name}已存在。"


def integrity_error_as_validation(exc: IntegrityError) -> ValidationError:
    """The ValidationError a user should see for a write the database refused."""
    text = str(exc)
    for model in _project_models():
        for constraint in model._meta.constraints:
            if re.search(rf"\b{re.escape(constraint.name)}\b", text):
                return ValidationError(
                    {_field_of(model, constraint): _message_of(model, constraint)}
                )
    # SQLite names the columns, not the constraint: "UNIQUE constraint failed: t.a, t.b"
    match = re.search(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)", text)
    if match:
        columns = [c.split(".") for c in match.group(1).split(", ")]
        tables = {t for t, _ in columns}
        names = {c for _, c in columns}
        for model in _project_models():
            if model._meta.db_table not in tables:
                continue
            for constraint in model._meta.constraints:
                fields = getattr(constraint, "fields", ())
                if {model._meta.get_field(f).column for f in fields} == names:
                    return ValidationError(
                        {_field_of(model, constraint): _message_of(model, constraint)}
                    )
            for field in model._meta.local_fields:
                if field.unique and field.column in names and len(names) == 1:
                    return ValidationError({field.name: f"{field.verbose_name}已存在。"})
    return ValidationError({NON_FIELD_ERRORS: GENERIC_CONFLICT})
