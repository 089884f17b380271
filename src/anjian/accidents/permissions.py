"""Who may do what with accident reports (what they may see is decided by scoping)."""

from __future__ import annotations

from typing import Any

from anjian.orgs.models import Role
from anjian.orgs.permissions import acting_role as _role

#: Who enters a 快报: the unit itself, or the government side that took the call.
REPORTERS = frozenset({Role.ENTERPRISE, Role.TOWNSHIP, Role.SAFETY, Role.DEPARTMENT})


def can_report(user: Any) -> bool:
    role = _role(user)
    return role == "operator" or role in REPORTERS


def can_supplement(user: Any, accident: Any) -> bool:
    """续报/补报: the unit for its own accident, or the government side."""
    role = _role(user)
    if role == Role.ENTERPRISE:
        return accident.enterprise_id is not None and accident.enterprise_id == user.organisation_id
    return role == "operator" or role in REPORTERS


def can_supervise(user: Any) -> bool:
    """The 应急管理部门: records receipts up the chain, marks 瞒报/漏报, runs the
    investigation file and sets the control targets."""
    role = _role(user)
    return role in ("operator", Role.SAFETY)
