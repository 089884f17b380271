"""Who may do what with organisations and users (beyond what they may see)."""

from __future__ import annotations

from typing import Any

from anjian.core.access import scope_for


def acting_role(user: Any) -> str | None:
    """The role a user acts in: "operator" for superusers, None when signed out or inactive."""
    if not (user.is_authenticated and user.is_active):
        return None
    return "operator" if user.is_superuser else str(user.role)


def can_manage_organisations(user: Any) -> bool:
    """Operators, and admins of a safety authority (应急管理局/安委办) in their region."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from anjian.orgs.models import Role

    return bool(user.is_org_admin and user.role == Role.SAFETY and user.organisation_id)


def can_manage_users_of(user: Any, organisation: Any) -> bool:
    """An organisation's own admins manage its users; operators manage everyone's; a
    safety authority's admin may also manage users of organisations in its region."""
    if not user.is_authenticated or organisation is None:
        return bool(user.is_authenticated and user.is_superuser)
    if user.is_superuser:
        return True
    if user.is_org_admin and user.organisation_id == organisation.pk:
        return True
    return can_manage_organisations(user) and scope_for(user).covers_region(organisation.region_id)


def can_manage_any_users(user: Any) -> bool:
    """Whether the user manages the users of at least one organisation."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_org_admin))


def can_decide_enterprise_changes(user: Any) -> bool:
    from anjian.enterprises.permissions import can_decide_changes

    return can_decide_changes(user)
