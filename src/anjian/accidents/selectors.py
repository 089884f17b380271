"""Reads of accidents, always scoped."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet

from anjian.accidents.models import Accident, ControlTarget
from anjian.core.access import get_scoped_or_404, scoped
from anjian.core.periods import day_start
from anjian.rules.accidents import AuthorityLevel


def accidents_for(user: Any) -> QuerySet[Accident]:
    """The accidents `user` may see, with what a ledger row shows: region, category,
    industry and the county step's due and receipt times (for 迟报) in the same row;
    a step is unique per accident and authority, so the join adds no rows."""
    return (
        scoped(Accident.objects.all(), user)
        .select_related("region", "category", "industry")
        .annotate(
            county_step=FilteredRelation(
                "steps", condition=Q(steps__authority=AuthorityLevel.COUNTY)
            ),
            county_due_at=F("county_step__due_at"),
            county_received_at=F("county_step__received_at"),
        )
    )


def accident_get(user: Any, pk: Any) -> Accident:
    accident: Accident = get_scoped_or_404(
        Accident.objects.select_related(
            "region", "category", "industry", "enterprise__organisation", "investigation"
        ),
        user,
        pk=pk,
    )
    return accident


def filter_accidents(
    qs: QuerySet[Accident],
    *,
    region: str | None = None,
    unit: str | None = None,
    level: int | None = None,
    category: str | None = None,
    domain: str | None = None,
    concealment: str | None = None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
    investigation_open: bool = False,
) -> QuerySet[Accident]:
    """Narrow an already scoped queryset; filters only remove rows."""
    if investigation_open:
        qs = qs.filter(investigation__isnull=False, investigation__closed_at__isnull=True)
    if region:
        qs = qs.filter(region__code__startswith=region)
    if unit:
        qs = qs.filter(unit_name__icontains=unit.strip())
    if level:
        qs = qs.filter(level=level)
    if category:
        qs = qs.filter(category_id=category)
    if domain:
        qs = qs.filter(domain=domain)
    if concealment == "any":
        qs = qs.exclude(concealment="")
    elif concealment:
        qs = qs.filter(concealment=concealment)
    if occurred_from:
        qs = qs.filter(occurred_at__gte=day_start(occurred_from))
    if occurred_to:
        qs = qs.filter(occurred_at__lt=day_start(occurred_to + timedelta(days=1)))
    return qs


def targets_for(user: Any) -> QuerySet[ControlTarget]:
    return scoped(ControlTarget.objects.all(), user).select_related("region")
