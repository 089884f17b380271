"""Reads of inspections, campaigns and points, always scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from anjian.core.access import get_scoped_or_404, scoped
from anjian.inspections.models import (
    Campaign,
    ChecklistTemplate,
    Inspection,
    InspectionPlan,
    InspectionPoint,
)


def inspections_for(user: Any) -> QuerySet[Inspection]:
    return scoped(Inspection.objects.all(), user).select_related(
        "enterprise__organisation", "template", "inspector", "inspector_org"
    )


def inspection_get(user: Any, pk: Any) -> Inspection:
    inspection: Inspection = get_scoped_or_404(
        Inspection.objects.select_related(
            "enterprise__organisation__region", "template", "inspector", "campaign", "point"
        ),
        user,
        pk=pk,
    )
    return inspection


def current_templates() -> QuerySet[ChecklistTemplate]:
    """Checklists are reference material: every signed-in user may read them."""
    return ChecklistTemplate.objects.filter(is_current=True).select_related("domain")


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    return scoped(Campaign.objects.all(), user).select_related("region", "lead")


def campaign_get(user: Any, pk: Any) -> Campaign:
    campaign: Campaign = get_scoped_or_404(Campaign.objects.select_related("region"), user, pk=pk)
    return campaign


def points_for(user: Any) -> QuerySet[InspectionPoint]:
    return scoped(InspectionPoint.objects.all(), user).select_related(
        "enterprise__organisation", "template"
    )


def plans_for(user: Any) -> QuerySet[InspectionPlan]:
    return scoped(InspectionPlan.objects.all(), user).select_related("template", "inspector")
