"""Scoping: the one place that decides which records a user may see.

A user's scope is (region code prefix) ∩ (industries, for a department) ∩
(enterprise, for an enterprise user) ∩ (grid, for a grid worker). Every selector
passes its queryset through `scoped(qs, user)`; a model says how its rows reach
those facts with a `scope_paths` class attribute. A restriction a model cannot
express (a department looking at records with no industry) yields nothing:
the mechanism fails closed.

Records outside the scope answer exactly like records that do not exist:
`get_scoped_or_404` raises Http404 for both.

Filters a user sends are intersected with the scope here too. A region filter goes
through `scoped_region` on every page, API endpoint, export and statistic (rollups
included): a region inside the scope narrows, an ancestor of the user's region means
the user's own region, and anything else answers like a region that does not exist
(a statistic or target: 404; a list: nothing, see `listed_region`).
Industry, enterprise and grid filters only ever narrow querysets that `scoped` has
already restricted, and the region-wide rollups carry none of those facts (see
`Scope.region_wide`), so they cannot widen what a user sees.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScopePaths:
    """Lookups from a model's rows to the facts a scope restricts.

    region: lookup of the region code (a path string), e.g. "region_id" or
        "enterprise__region_id". Required: every scoped record lies somewhere.
    industry: lookup of the GB/T 4754 大类 code, or None if rows carry none.
    enterprise: lookup of the enterprise organisation's id, or None.
    grid: lookup of the grid's id, or None.
    """

    region: str
    industry: str | None = None
    enterprise: str | None = None
    grid: str | None = None


@dataclass(frozen=True)
class Scope:
    """What one user may see. `everything` is for operators; `nothing` for users with
    no organisation or a role that sees records only by assignment (experts)."""

    everything: bool = False
    nothing: bool = False
    region_prefix: str | None = None
    industry_codes: frozenset[str] | None = None
    enterprise_id: int | None = None
    grid_id: int | None = None
    #: A department's per-enterprise exceptions to its industries (三管三必须 overrides).
    added_enterprise_ids: frozenset[int] = frozenset()
    removed_enterprise_ids: frozenset[int] = frozenset()

    def q(self, paths: ScopePaths) -> Q | None:
        """The filter for a model with `paths`, or None when nothing may be seen."""
        if self.everything:
            return Q()
        if self.nothing or not self.region_prefix:
            return None
        condition = Q(**{f"{paths.region}__startswith": self.region_prefix})
        if self.industry_codes is not None:
            if paths.industry is None:
                return None
            by_industry = Q(**{f"{paths.industry}__in": self.industry_codes})
            if paths.enterprise is not None:
                if self.added_enterprise_ids:
                    by_industry |= Q(**{f"{paths.enterprise}__in": self.added_enterprise_ids})
                if self.removed_enterprise_ids:
                    by_industry &= ~Q(**{f"{paths.enterprise}__in": self.removed_enterprise_ids})
            condition &= by_industry
        for wanted, path in (
            (self.enterprise_id, paths.enterprise),
            (self.grid_id, paths.grid),
        ):
            if wanted is None:
                continue
            if path is None:
                return None
            condition &= Q(**{path: wanted})
        return condition

    def apply(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        paths = getattr(qs.model, "scope_paths", None)
        if not isinstance(paths, ScopePaths):
            raise TypeError(f"{qs.model.__name__} declares no scope_paths; it cannot be scoped")
        condition = self.q(paths)
        return qs.none() if condition is None else qs.filter(condition)

    @property
    def region_wide(self) -> bool:
        """Whether the scope is a whole region subtree (no industry, enterprise or grid
        restriction): the scopes region-level figures such as rollups and targets serve."""
        if self.everything:
            return True
        return (
            not self.nothing
            and self.industry_codes is None
            and self.enterprise_id is None
            and self.grid_id is None
        )

    def narrow_region(self, code: str) -> str | None:
        """The region subtree a filter for `code` leaves inside the scope: `code` itself
        when it lies inside, the scope's own region when `code` is an ancestor of it,
        None when the two are disjoint (or the scope sees nothing)."""
        if self.everything:
            return code
        if self.nothing or not self.region_prefix:
            return None
        if code.startswith(self.region_prefix):
            return code
        if self.region_prefix.startswith(code):
            return self.region_prefix
        return None

    def covers_region(self, code: str | None) -> bool:
        """Whether a region code lies inside the scope's region subtree (no code: no)."""
        if not code:
            return False
        if self.everything:
            return True
        if self.nothing or not self.region_prefix:
            return False
        return code.startswith(self.region_prefix)


NO_SCOPE = Scope(nothing=True)


def _compute_scope(user: Any) -> Scope:
    from anjian.orgs.models import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    if user.is_superuser:
        return Scope(everything=True)
    org = user.organisation
    if org is None or not org.is_active:
        return NO_SCOPE
    region = org.region_id
    role = user.role
    if role in (Role.LEADER, Role.SAFETY, Role.TOWNSHIP):
        return Scope(region_prefix=region)
    if role == Role.DEPARTMENT:
        from anjian.orgs.models import SupervisionOverride

        overrides = SupervisionOverride.objects.filter(department=org).values_list(
            "enterprise_id", "mode"
        )
        return Scope(
            region_prefix=region,
            industry_codes=org.supervised_division_codes(),
            added_enterprise_ids=frozenset(
                e for e, m in overrides if m == SupervisionOverride.Mode.ADD
            ),
            removed_enterprise_ids=frozenset(
                e for e, m in overrides if m == SupervisionOverride.Mode.REMOVE
            ),
        )
    if role == Role.GRID:
        if user.grid_id is None:
            return NO_SCOPE
        return Scope(region_prefix=user.grid.region_id, grid_id=user.grid_id)
    if role == Role.ENTERPRISE:
        return Scope(region_prefix=region, enterprise_id=org.pk)
    return NO_SCOPE  # experts see only what they are assigned to


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object (one request)."""
    cached = getattr(user, "_anjian_scope", None)
    if cached is None:
        cached = _compute_scope(user)
        if user is not None:
            with contextlib.suppress(AttributeError):
                user._anjian_scope = cached
    return cached


def scoped(qs: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """`qs` restricted to what `user` may see."""
    return scope_for(user).apply(qs)


def get_scoped_or_404(qs: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One record of `qs` inside the user's scope; outside it looks like not found."""
    try:
        return scoped(qs, user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该记录") from exc


def scoped_region(user: Any, code: str | None) -> str | None:
    """The region code a user's region filter stands for, intersected with the scope.

    None (no filter) stays None: the whole scope. A region inside the scope is kept; an
    ancestor of the user's region narrows to the user's own region; a region outside
    the scope raises Http404 exactly like a region that does not exist. Every region
    filter and every region-wide figure (rollups, control targets) goes through here.
    """
    if code is None or code == "":
        return None
    from anjian.regions.models import Region

    # Region codes are digit paths; anything else (NUL, text) names no region at all.
    well_formed = isinstance(code, str) and code.isascii() and code.isdigit() and len(code) <= 12
    if not well_formed or not Region.objects.filter(code=code).exists():
        raise Http404("未找到该区划")
    narrowed = scope_for(user).narrow_region(code)
    if narrowed is None:
        raise Http404("未找到该区划")
    return narrowed


#: A region prefix no region code has (codes are digits): a list filtered by it is empty.
NOWHERE = "-"


def listed_region(user: Any, code: str | None) -> str | None:
    """`scoped_region` for list filters: a region outside the scope lists nothing, as an
    unknown region does (NOWHERE), instead of answering 404."""
    try:
        return scoped_region(user, code)
    except Http404:
        return NOWHERE


def unscoped(qs: models.QuerySet[M]) -> models.QuerySet[M]:
    """Every row, ignoring scope. For management commands and tests only."""
    return qs
