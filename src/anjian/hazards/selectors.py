"""Reads of hazards, always scoped (the hazard row carries its region and industry)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from anjian.core.access import get_scoped_or_404, scoped
from anjian.core.periods import day_start
from anjian.hazards.models import Hazard, needs_action_q, stalled_q
from anjian.orgs.models import Organisation, SupervisionOverride


def hazards_for(user: Any) -> QuerySet[Hazard]:
    return scoped(Hazard.objects.all(), user).select_related(
        "enterprise__organisation", "domain", "plan"
    )


def hazard_get(user: Any, pk: Any) -> Hazard:
    hazard: Hazard = get_scoped_or_404(
        Hazard.objects.select_related(
            "enterprise__organisation__region", "domain", "plan", "repeat_of"
        ),
        user,
        pk=pk,
    )
    return hazard


def filter_hazards(
    qs: QuerySet[Hazard],
    *,
    region: str | None = None,
    q: str | None = None,
    enterprise: str | None = None,
    department: Organisation | None = None,
    domain: str | None = None,
    level: str | None = None,
    status: str | None = None,
    source: str | None = None,
    overdue: bool = False,
    stalled: bool = False,
    found_from: date | None = None,
    found_to: date | None = None,
) -> QuerySet[Hazard]:
    """Narrow an already scoped queryset; filters only remove rows.

    `q` is the ledger's search box: the enterprise's name or credit code, the place or
    the description; `enterprise` matches the enterprise only. `overdue` is what the
    overdue figures count: past the deadline or stalled without a plan (未制定方案)."""
    if region:
        qs = qs.filter(region_code__startswith=region)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(enterprise__organisation__name__icontains=text)
            | Q(enterprise__organisation__credit_code=text.upper())
            | Q(place__icontains=text)
            | Q(description__icontains=text)
        )
    if enterprise:
        text = enterprise.strip()
        qs = qs.filter(
            Q(enterprise__organisation__name__icontains=text)
            | Q(enterprise__organisation__credit_code=text.upper())
        )
    if department is not None:
        overrides = list(
            SupervisionOverride.objects.filter(department=department).values_list(
                "enterprise_id", "mode"
            )
        )
        added = [e for e, m in overrides if m == SupervisionOverride.Mode.ADD]
        removed = [e for e, m in overrides if m == SupervisionOverride.Mode.REMOVE]
        by_industry = Q(industry_code__in=department.supervised_division_codes()) | Q(
            enterprise_id__in=added
        )
        qs = qs.filter(
            Q(region_code__startswith=department.region_id)
            & by_industry
            & ~Q(enterprise_id__in=removed)
        )
    if domain:
        qs = qs.filter(domain_id=domain)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if overdue:
        qs = qs.filter(needs_action_q())
    if stalled:
        qs = qs.filter(stalled_q())
    if found_from:
        qs = qs.filter(found_at__gte=day_start(found_from))
    if found_to:
        qs = qs.filter(found_at__lt=day_start(found_to) + timedelta(days=1))
    return qs


def listed_hazards_for(user: Any) -> QuerySet[Hazard]:
    """Hazards under 挂牌督办 that `user` may see."""
    return (
        hazards_for(user).filter(listing__isnull=False).select_related("listing__supervising_org")
    )
