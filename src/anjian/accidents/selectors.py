"""Reads of accidents, always scoped."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from anjian.accidents.models import Accident, ControlTarget
from anjian.core.access import get_scoped_or_404, scoped
from anjian.core.periods import day_start


def accidents_for(user: Any) -> QuerySet[Accident]:
    return scoped(Accident.objects.all(), user).select_related("region", "category", "industry")


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
) -> QuerySet[Accident]:
    """Narrow an already scoped queryset; filters only remove rows."""
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
