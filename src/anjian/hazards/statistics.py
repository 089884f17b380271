"""Hazard statistics for any scope and period, computed in SQL (one aggregate per breakdown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from anjian.core.access import scope_for
from anjian.hazards.models import Level, Source, Status, overdue_q
from anjian.hazards.selectors import hazards_for
from anjian.regions.models import Region

#: Region code length of the next level down: province 2 → city 4 → county 6 → township 9.
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        first = timezone.make_aware(datetime.combine(self.start, time.min))
        return first, timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def _totals() -> dict[str, Any]:
    return {
        "found": Count("pk"),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "overdue": Count("pk", filter=overdue_q()),
        "major_found": Count("pk", filter=Q(level=Level.MAJOR)),
        "major_closed": Count("pk", filter=Q(level=Level.MAJOR, status=Status.CLOSED)),
        "funds": Sum("plan__funds"),
    }


def _rate(closed: int, found: int) -> float | None:
    return round(closed * 100 / found, 1) if found else None


def hazard_statistics(user: Any, period: Period, *, region: str | None = None) -> dict[str, Any]:
    """Found, closed (整改), 整改率, overdue, 重大 found/closed/open and funds for hazards
    found in `period` within the user's scope (optionally narrowed to `region`), with
    breakdowns by domain, level, source and the next region level down."""
    start, end = period.bounds()
    qs = hazards_for(user).filter(found_at__gte=start, found_at__lt=end).order_by()
    if region:
        qs = qs.filter(region_code__startswith=region)
    totals = qs.aggregate(**_totals())
    totals["funds"] = totals["funds"] or Decimal(0)
    totals["rate"] = _rate(totals["closed"], totals["found"])
    totals["major_open"] = totals["major_found"] - totals["major_closed"]

    def breakdown(field: Any, labels: dict[str, str]) -> list[dict[str, Any]]:
        rows = qs.values(key=F(field) if isinstance(field, str) else field).annotate(
            found=Count("pk"),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            overdue=Count("pk", filter=overdue_q()),
        )
        result = [
            {**r, "label": labels.get(r["key"], r["key"]), "rate": _rate(r["closed"], r["found"])}
            for r in rows
        ]
        return sorted(result, key=lambda r: -r["found"])

    from anjian.hazards.models import HazardDomain

    base = region or scope_for(user).region_prefix or ""
    child_length = CHILD_LENGTH.get(len(base), 12)
    child_rows = breakdown(Substr("region_code", 1, child_length), {})
    names = dict(
        Region.objects.filter(code__in=[r["key"] for r in child_rows]).values_list("code", "name")
    )
    for row in child_rows:
        row["label"] = names.get(row["key"], row["key"])
    return {
        "period": period,
        "totals": totals,
        "by_domain": breakdown("domain_id", dict(HazardDomain.objects.values_list("code", "name"))),
        "by_level": breakdown("level", dict(Level.choices)),
        "by_source": breakdown("source", dict(Source.choices)),
        "by_region": child_rows,
    }
