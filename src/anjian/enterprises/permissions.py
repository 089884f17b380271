"""Who may do what in the register (what they may see is decided by scoping)."""

from __future__ import annotations

from typing import Any

from anjian.orgs.models import Role

MAINTAINERS = {Role.SAFETY, Role.TOWNSHIP, Role.DEPARTMENT}
APPROVERS = {Role.SAFETY, Role.TOWNSHIP}


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_register(user: Any) -> bool:
    """Register new enterprises and import them: the bureau, townships, departments."""
    return _active(user) and (user.is_superuser or user.role in MAINTAINERS)


def can_edit(user: Any, enterprise: Any) -> bool:
    """Edit a visible enterprise: maintainers, or the enterprise itself (key fields by request)."""
    if not _active(user):
        return False
    if user.is_superuser or user.role in MAINTAINERS:
        return True
    return user.role == Role.ENTERPRISE and user.organisation_id == enterprise.pk


def edits_key_fields_directly(user: Any) -> bool:
    return bool(user.is_superuser or user.role in MAINTAINERS)


def can_assign_grid(user: Any) -> bool:
    """Put an enterprise in a grid (or take it out): the township or the bureau, whose
    grid workers they are; not the enterprise, nor a department."""
    return _active(user) and (user.is_superuser or user.role in APPROVERS)


def can_decide_changes(user: Any) -> bool:
    """Approve or reject an enterprise's key-field changes: the township or the bureau."""
    return _active(user) and (user.is_superuser or user.role in APPROVERS)


def can_change_status(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role in APPROVERS)


def can_manage_supervision(user: Any) -> bool:
    """Per-enterprise supervision overrides (三管三必须): the bureau."""
    return _active(user) and (user.is_superuser or user.role == Role.SAFETY)
