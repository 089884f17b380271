"""Who may do which inspection, and who manages checklists, plans and campaigns."""

from __future__ import annotations

from typing import Any

from anjian.inspections.models import Kind
from anjian.orgs.models import Role
from anjian.orgs.permissions import acting_role as _role

KINDS_BY_ROLE = {
    Role.ENTERPRISE: {Kind.SELF},
    Role.GRID: {Kind.TOWNSHIP},
    Role.TOWNSHIP: {Kind.TOWNSHIP, Kind.JOINT, Kind.PEER, Kind.UNANNOUNCED},
    Role.DEPARTMENT: {Kind.DEPARTMENT, Kind.JOINT, Kind.UNANNOUNCED},
    Role.SAFETY: {Kind.DEPARTMENT, Kind.JOINT, Kind.UNANNOUNCED, Kind.TOWNSHIP},
}


def kinds_for(user: Any) -> set[str]:
    role = _role(user)
    if role == "operator":
        return set(Kind.values)
    return {str(k) for k in KINDS_BY_ROLE.get(role, set())}


def can_inspect(user: Any, kind: str | None = None) -> bool:
    kinds = kinds_for(user)
    return bool(kinds) if kind is None else kind in kinds


def can_manage(user: Any) -> bool:
    """Checklists, plans, campaigns and inspection points: the government side."""
    role = _role(user)
    return role in ("operator", Role.SAFETY, Role.DEPARTMENT, Role.TOWNSHIP)
