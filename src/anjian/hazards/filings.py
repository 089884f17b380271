"""Quarterly and yearly hazard statistics filed by each enterprise (R-HAZ-4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from anjian.core import audit
from anjian.core.idempotency import idempotent
from anjian.core.models import AuditEntry
from anjian.enterprises.models import Enterprise
from anjian.hazards import permissions
from anjian.hazards.models import Hazard, Level, StatisticsFiling, Status
from anjian.rules.hazards import statistics_due

QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31), 0: (12, 31)}
QUARTER_START = {1: (1, 1), 2: (4, 1), 3: (7, 1), 4: (10, 1), 0: (1, 1)}


def period_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in QUARTER_END or not 2000 <= year <= 2100:
        raise ValidationError({"quarter": "请选择有效的年度和季度。"})
    return date(year, *QUARTER_START[quarter]), date(year, *QUARTER_END[quarter])


def due_date(year: int, quarter: int) -> date:
    """R-HAZ-4 via anjian.rules: quarters before the 15th of the next quarter's first
    month; the year (quarter 0; also the fourth quarter's report) before 31 January."""
    _, end = period_bounds(year, quarter)
    return statistics_due(end)


def figures(enterprise: Enterprise, year: int, quarter: int) -> dict[str, int]:
    start, end = period_bounds(year, quarter)
    found = Hazard.objects.filter(
        enterprise=enterprise, found_at__date__gte=start, found_at__date__lte=end
    )
    return {
        "found": found.count(),
        "closed": found.filter(status=Status.CLOSED).count(),
        "major_found": found.filter(level=Level.MAJOR).count(),
        "major_closed": found.filter(level=Level.MAJOR, status=Status.CLOSED).count(),
    }


@idempotent(StatisticsFiling)
@transaction.atomic
def file_statistics(
    *,
    actor: Any,
    enterprise: Enterprise,
    year: int,
    quarter: int,
    signed_by: str,
    note: str = "",
    idempotency_key: str | None = None,
) -> StatisticsFiling:
    """File the period's statistics for `enterprise` (fetched through a scoped selector)."""
    if not (permissions.can_plan(actor, _Own(enterprise.pk))):
        raise PermissionDenied("无权报送该企业的统计。")
    _, end = period_bounds(year, quarter)
    if end >= timezone.localdate():
        raise ValidationError({"quarter": "统计期尚未结束，不能报送。"})
    if not signed_by.strip():
        raise ValidationError({"signed_by": "须由主要负责人签字。"})
    try:
        with transaction.atomic():
            filing = StatisticsFiling.objects.create(
                enterprise=enterprise,
                year=year,
                quarter=quarter,
                signed_by=signed_by,
                filed_by=actor,
                due_on=due_date(year, quarter),
                figures=figures(enterprise, year, quarter),
                note=note,
            )
    except IntegrityError as exc:
        raise ValidationError({"quarter": "该期统计已报送。"}) from exc
    audit.record(
        actor=actor,
        instance=enterprise,
        action=AuditEntry.Action.UPDATE,
        changes={"hazard_statistics": {"label": "隐患统计报送", "from": None, "to": str(filing)}},
    )
    return filing


class _Own:
    """Lets the hazard permission rules be asked about an enterprise instead of a hazard."""

    def __init__(self, enterprise_id: int):
        self.enterprise_id = enterprise_id


def filing_status(
    enterprises: QuerySet[Enterprise], year: int, quarter: int
) -> QuerySet[Enterprise]:
    """The enterprises annotated with `filed` for the period (in SQL, one query)."""
    period_bounds(year, quarter)
    filed = StatisticsFiling.objects.filter(enterprise=OuterRef("pk"), year=year, quarter=quarter)
    return enterprises.annotate(filed=Exists(filed))
