"""Reads of the register, always scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from anjian.core.access import get_scoped_or_404, scoped
from anjian.enterprises.models import KEY_FLAGS, ChangeRequest, Enterprise, ImportJob
from anjian.orgs.models import Industry, Organisation, SupervisionOverride
from anjian.rules.identifiers import region_ancestors

FLAG_NAMES = {name for name, _ in KEY_FLAGS} | {"has_major_hazard", "above_scale"}


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    return scoped(Enterprise.objects.all(), user).select_related(
        "organisation", "organisation__region", "organisation__industry", "organisation__grid"
    )


def department_q(department: Organisation) -> Q:
    """Enterprises a department supervises: its region, its industries, its overrides."""
    overrides = SupervisionOverride.objects.filter(department=department)
    added = [
        e
        for e, m in overrides.values_list("enterprise_id", "mode")
        if m == SupervisionOverride.Mode.ADD
    ]
    removed = [
        e
        for e, m in overrides.values_list("enterprise_id", "mode")
        if m == SupervisionOverride.Mode.REMOVE
    ]
    by_industry = Q(organisation__industry_id__in=department.supervised_division_codes()) | Q(
        pk__in=added
    )
    return (
        Q(organisation__region__code__startswith=department.region_id)
        & by_industry
        & ~Q(pk__in=removed)
    )


def filter_enterprises(
    qs: QuerySet[Enterprise],
    *,
    q: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    department: Organisation | None = None,
    status: str | None = None,
    flags: list[str] | None = None,
    grid: int | None = None,
) -> QuerySet[Enterprise]:
    """Narrow an already scoped queryset; filters only remove rows."""
    if q:
        text = q.strip()
        qs = qs.filter(
            Q(organisation__name__icontains=text)
            | Q(organisation__credit_code__startswith=text.upper())
        )
    if region:
        qs = qs.filter(organisation__region__code__startswith=region)
    if industry:
        if industry.isalpha():
            qs = qs.filter(organisation__industry__section_id=industry)
        else:
            qs = qs.filter(organisation__industry_id=industry)
    if department is not None:
        qs = qs.filter(department_q(department))
    if status:
        qs = qs.filter(status=status)
    for flag in flags or []:
        if flag in FLAG_NAMES:
            qs = qs.filter(**{flag: True})
    if grid:
        qs = qs.filter(organisation__grid_id=grid)
    return qs


def enterprise_get(user: Any, pk: Any) -> Enterprise:
    return get_scoped_or_404(
        Enterprise.objects.select_related(
            "organisation", "organisation__region", "organisation__industry", "organisation__grid"
        ),
        user,
        pk=pk,
    )


def supervising_departments(enterprise: Enterprise) -> list[tuple[Organisation, str]]:
    """(department, why) for each department supervising the enterprise (三管三必须)."""
    org = enterprise.organisation
    ancestors = region_ancestors(org.region_id)
    industry = org.industry_id
    section = Industry.objects.filter(code=industry).values_list("section_id", flat=True).first()
    overrides = dict(
        SupervisionOverride.objects.filter(enterprise_id=enterprise.pk).values_list(
            "department_id", "mode"
        )
    )
    result = []
    departments = Organisation.objects.filter(
        kind=Organisation.Kind.DEPARTMENT, is_active=True, region_id__in=ancestors
    ).prefetch_related("supervised_industries")
    for department in departments.order_by("region_id", "name"):
        codes = {i.code for i in department.supervised_industries.all()}
        by_industry = industry in codes or section in codes
        mode = overrides.get(department.pk)
        if mode == SupervisionOverride.Mode.REMOVE:
            continue
        if by_industry:
            result.append((department, "按行业"))
        elif mode == SupervisionOverride.Mode.ADD:
            result.append((department, "单独指定"))
    return result


def change_requests_for(user: Any) -> QuerySet[ChangeRequest]:
    return scoped(ChangeRequest.objects.all(), user).select_related(
        "enterprise__organisation", "requested_by", "decided_by"
    )


def import_jobs_of(user: Any) -> QuerySet[ImportJob]:
    """A user's own imports: an upload is visible to whoever uploaded it."""
    return ImportJob.objects.filter(created_by=user)
