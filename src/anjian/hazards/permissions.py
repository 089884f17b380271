"""Who may take each step of the hazard workflow (what they may see is decided by scoping)."""

from __future__ import annotations

from typing import Any

from anjian.orgs.models import Role
from anjian.orgs.permissions import acting_role as _role

SUPERVISORS = frozenset({Role.SAFETY, Role.TOWNSHIP, Role.DEPARTMENT})
REGISTRARS = SUPERVISORS | {Role.GRID, Role.ENTERPRISE}


def _own(user: Any, hazard: Any) -> bool:
    return user.organisation_id is not None and hazard.enterprise_id == user.organisation_id


def can_register(user: Any) -> bool:
    role = _role(user)
    return role == "operator" or role in REGISTRARS


def can_plan(user: Any, hazard: Any) -> bool:
    """Record the 五落实 plan: the supervising side, or the enterprise for its own hazard."""
    role = _role(user)
    return (
        role == "operator"
        or role in SUPERVISORS
        or (role == Role.ENTERPRISE and _own(user, hazard))
    )


def can_submit(user: Any, hazard: Any) -> bool:
    """Submit the rectification: the enterprise, or the supervising side on its behalf."""
    return can_plan(user, hazard)


def can_verify(user: Any, hazard: Any) -> bool:
    """Verify and close, or reject: the supervising side; the enterprise only for a 一般
    hazard it found itself (企业自查). Never the person who submitted the rectification."""
    role = _role(user)
    if role == "operator" or role in SUPERVISORS:
        return True
    from anjian.hazards.models import Level, Source

    return (
        role == Role.ENTERPRISE
        and _own(user, hazard)
        and hazard.source == Source.SELF
        and (hazard.level == Level.GENERAL)
    )


def can_request_extension(user: Any, hazard: Any) -> bool:
    return can_plan(user, hazard)


def can_decide_extension(user: Any) -> bool:
    role = _role(user)
    return role == "operator" or role in SUPERVISORS


def can_list(user: Any) -> bool:
    """List a 重大 hazard for supervision: the safety authority (应急管理局/安委办)."""
    role = _role(user)
    return role == "operator" or role == Role.SAFETY


def can_report_progress(user: Any, hazard: Any) -> bool:
    return can_plan(user, hazard)
