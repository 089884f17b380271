"""Reads of organisations and users, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from anjian.core.access import get_scoped_or_404, listed_region, scoped
from anjian.orgs.models import ApiToken, Organisation, User


def organisations_for(
    user: Any,
    *,
    q: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Organisation]:
    """Organisations `user` may see, filtered. `region` is a code: its whole subtree,
    intersected with the user's scope (outside it: nothing, like an unknown region)."""
    region = listed_region(user, region)
    qs = scoped(Organisation.objects.all(), user).select_related("region", "industry", "parent")
    return filter_organisations(
        qs, q=q, kind=kind, region=region, industry=industry, is_active=is_active
    )


def filter_organisations(
    qs: QuerySet[Organisation],
    *,
    q: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Organisation]:
    """Narrow an already scoped queryset; filters can only remove rows."""
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region__code__startswith=region)
    if industry:
        field = "industry__section_id" if industry.isalpha() else "industry_id"
        qs = qs.filter(**{field: industry})
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def with_organisation_visible(qs: QuerySet[Any], user: Any, *, path: str) -> QuerySet[Any]:
    """`qs` annotated `organisation_visible`: whether the organisation at `path` (e.g.
    "organisation_id") opens for `user` — so a list links a unit only where its page
    would not answer 404. One subquery in the list's query, whatever the number of rows."""
    from django.db.models import Exists, OuterRef

    visible = scoped(Organisation.objects.all(), user).filter(pk=OuterRef(path))
    annotated: QuerySet[Any] = qs.annotate(organisation_visible=Exists(visible))
    return annotated


def organisation_get(user: Any, pk: Any) -> Organisation:
    return get_scoped_or_404(
        Organisation.objects.select_related("region", "industry", "parent", "grid"), user, pk=pk
    )


def users_manageable_by(user: Any) -> QuerySet[User]:
    """Users whose accounts `user` administers: an org admin's own organisation; a safety
    authority's admin, every organisation in its region; an operator, everyone."""
    from anjian.orgs import permissions

    qs = User.objects.select_related("organisation", "organisation__region", "grid")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if permissions.can_manage_organisations(user):
        return qs.filter(organisation__in=organisations_for(user).values("pk")) | qs.filter(
            organisation_id=user.organisation_id
        )
    if user.is_org_admin and user.organisation_id:
        return qs.filter(organisation_id=user.organisation_id)
    return qs.none()


def user_get_manageable(user: Any, pk: Any) -> User:
    from django.http import Http404

    try:
        return users_manageable_by(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该用户") from exc


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def login_limits_of(member: User) -> list[Any]:
    """The login limits in force on a user's account. Call with a user already
    fetched through user_get_manageable (the limits are the account's own)."""
    from anjian.orgs.throttle import active_for_account

    return active_for_account(member.username)
