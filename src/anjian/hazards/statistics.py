"""Hazard statistics for any scope and period.

All figures come from one grouped query (domain × level × source × region child) whose
rows are summed here into the totals and the four breakdowns. For a district or a
city seen by a region-wide user, whole months come from the monthly rollup
(`HazardMonth`) and only the days at the edges of the period are counted live;
overdue (past the deadline, or 未制定方案: stalled without a plan) is always counted
live, because it changes with the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from anjian.core.access import Scope, scope_for, scoped, scoped_region
from anjian.core.periods import Period
from anjian.hazards import rollup
from anjian.hazards.models import (
    Hazard,
    HazardDomain,
    HazardMonth,
    Level,
    Source,
    Status,
    needs_action_q,
    stalled_q,
)
from anjian.regions.labels import label_child_rows, whole_label_of
from anjian.rules.identifiers import child_code_length

GROUP = ("domain_id", "level", "source", "child")
COUNTS = ("found", "closed", "overdue", "stalled")


def _rate(closed: int, found: int) -> float | None:
    return round(closed * 100 / found, 1) if found else None


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_months(period: Period) -> tuple[tuple[date, date] | None, list[Period]]:
    """The whole months inside `period` (first day of the first, first day after the
    last) and the leftover day ranges at either edge."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    after = _month_start(period.end + timedelta(days=1))
    if first >= after:
        return None, [period]
    edges = []
    if period.start < first:
        edges.append(Period(period.start, first - timedelta(days=1)))
    if after <= period.end:
        edges.append(Period(after, period.end))
    return (first, after), edges


def _rollup_covers(scope: Scope, child_length: int) -> bool:
    """The rollup has no industry, enterprise or grid, and regions down to townships."""
    return child_length <= rollup.REGION_LENGTH and scope.region_wide


def _grouped_rows(user: Any, period: Period, base: str, child_length: int) -> list[dict[str, Any]]:
    child = Substr("region_code", 1, child_length)
    hazards = scoped(Hazard.objects.order_by(), user)
    if base:
        hazards = hazards.filter(region_code__startswith=base)
    live_periods = [period]
    rows: list[dict[str, Any]] = []
    months, edges = split_months(period)
    scope = scope_for(user)
    # The rollup is not scoped: it may answer only for a region inside the user's scope
    # (`base` has been through `scoped_region`; this keeps it so for any other caller).
    inside = scope.narrow_region(base) == base
    if months is not None and inside and _rollup_covers(scope, child_length):
        live_periods = edges
        monthly = HazardMonth.objects.order_by().filter(month__gte=months[0], month__lt=months[1])
        if base:
            monthly = monthly.filter(region_code__startswith=base)
        rows += monthly.values("domain_id", "level", "source", child=child).annotate(
            found=Sum("found"), closed=Sum("closed"), funds=Sum("funds")
        )
    for part in live_periods:
        start, end = part.bounds()
        rows += (
            hazards.filter(found_at__gte=start, found_at__lt=end)
            .values("domain_id", "level", "source", child=child)
            .annotate(
                # Counted over indexed columns (not the id) so PostgreSQL can answer
                # from the covering index alone.
                found=Count("*"),
                closed=Count("status", filter=Q(status=Status.CLOSED)),
                funds=Sum("funds"),
            )
        )
    start, end = period.bounds()
    now = timezone.now()
    # Overdue counts the stalled too (未制定方案 is late as well), each hazard once.
    rows += (
        hazards.filter(needs_action_q(now), found_at__gte=start, found_at__lt=end)
        .values("domain_id", "level", "source", child=child)
        .annotate(overdue=Count("*"), stalled=Count("status", filter=stalled_q(now)))
    )
    return rows


def _zero() -> dict[str, Any]:
    return dict.fromkeys((*COUNTS, "major_found", "major_closed"), 0) | {"funds": Decimal(0)}


def _summed(rows: list[dict[str, Any]], key: str | None) -> dict[Any, dict[str, Any]]:
    """Sum the grouped rows by one of their keys (None: everything into one)."""
    result: dict[Any, dict[str, Any]] = {}
    for row in rows:
        into = result.setdefault(row[key] if key else None, _zero())
        for name in COUNTS:
            into[name] += row.get(name) or 0
        into["funds"] += Decimal(row.get("funds") or 0)
        if row["level"] == Level.MAJOR:
            into["major_found"] += row.get("found") or 0
            into["major_closed"] += row.get("closed") or 0
    return result


def hazard_statistics(user: Any, period: Period, *, region: str | None = None) -> dict[str, Any]:
    """Found, closed (整改), 整改率, overdue (including 未制定方案), 未制定方案 (stalled),
    重大 found/closed/open and funds for hazards
    found in `period` within the user's scope (optionally narrowed to `region`), with
    breakdowns by domain, level, source and the next region level down. A region
    outside the scope raises Http404 (`scoped_region`)."""
    base = scoped_region(user, region) or scope_for(user).region_prefix or ""
    child_length = child_code_length(base)
    rows = _grouped_rows(user, period, base, child_length)

    totals = _summed(rows, None).get(None) or _zero()
    totals["rate"] = _rate(totals["closed"], totals["found"])
    totals["major_open"] = totals["major_found"] - totals["major_closed"]

    def breakdown(key: str, labels: dict[str, str]) -> list[dict[str, Any]]:
        result = [
            {
                "key": value,
                "label": labels.get(value, value),
                "found": sums["found"],
                "closed": sums["closed"],
                "overdue": sums["overdue"],
                "stalled": sums["stalled"],
                "rate": _rate(sums["closed"], sums["found"]),
            }
            for value, sums in _summed(rows, key).items()
        ]
        return sorted(result, key=lambda r: (-r["found"], r["key"]))

    child_rows = breakdown("child", {})
    label_child_rows(child_rows, base)
    return {
        "period": period,
        "scope": whole_label_of(base),
        "totals": totals,
        "by_domain": breakdown("domain_id", dict(HazardDomain.objects.values_list("code", "name"))),
        "by_level": breakdown("level", dict(Level.choices)),
        "by_source": breakdown("source", dict(Source.choices)),
        "by_region": child_rows,
    }
