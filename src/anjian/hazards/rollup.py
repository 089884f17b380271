"""Monthly hazard counts (`HazardMonth`) so that statistics for a district or a city
read thousands of rows instead of millions.

The hazard services call `bump` in the same transaction as the change that moves a
count: registration (found), closing (closed) and the accepted plan (funds). A
hazard's month, domain, level and source never change after registration; its
township changes only when its enterprise moves, and then `move` (the hook of the
hazard's copies, see anjian.core.copies) carries its counts from the old township's
rows to the new one's in the same transaction. `rebuild` recomputes everything from
the hazards (after a bulk load, or to check the counters).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest, Substr, TruncMonth
from django.utils import timezone

from anjian.hazards.models import Hazard, HazardMonth, Status

#: Rollup rows keep the region down to the township; village breakdowns are counted live.
REGION_LENGTH = 9
KEY = ("month", "region_code", "domain_id", "level", "source")


def month_of(hazard: Hazard) -> date:
    return timezone.localtime(hazard.found_at).date().replace(day=1)


def bump(hazard: Hazard, *, found: int = 0, closed: int = 0, funds: Decimal | int = 0) -> None:
    """Add to the counters of the hazard's month; one upsert, safe for concurrent writers."""
    key = (
        month_of(hazard),
        hazard.region_code[:REGION_LENGTH],
        hazard.domain_id,
        hazard.level,
        hazard.source,
    )
    _add(key, found=found, closed=closed, funds=funds)


def _add(key: tuple[Any, ...], *, found: int, closed: int, funds: Decimal | int) -> None:
    table = connection.ops.quote_name(HazardMonth._meta.db_table)
    columns = ", ".join(KEY)
    # Identifiers come from the model, values are parameters.
    sql = (
        f"INSERT INTO {table} ({columns}, found, closed, funds) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({columns}) DO UPDATE SET "
        f"found = {table}.found + excluded.found, "
        f"closed = {table}.closed + excluded.closed, "
        f"funds = {table}.funds + excluded.funds"
    )
    params: list[Any] = [*key, found, closed, Decimal(funds)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _subtract(key: tuple[Any, ...], *, found: int, closed: int, funds: Decimal) -> None:
    # An UPDATE, not the upsert: a negative count must never be inserted. If the row
    # had drifted below the hazards' counts it stops at zero, and the check reports it.
    HazardMonth.objects.filter(**dict(zip(KEY, key, strict=True))).update(
        found=Greatest(F("found") - found, Value(0)),
        closed=Greatest(F("closed") - closed, Value(0)),
        funds=Greatest(F("funds") - funds, Value(Decimal(0))),
    )


def move(hazards: QuerySet[Hazard]) -> None:
    """Carry the counts of hazards about to change township (annotated with their new
    `new_region_code`) from the old township's rows to the new one's. Counts are moved
    by increments, so concurrent registrations in either township are never lost."""
    grouped = (
        hazards.order_by()
        .annotate(
            m=TruncMonth("found_at"),
            old=Substr("region_code", 1, REGION_LENGTH),
            new=Substr("new_region_code", 1, REGION_LENGTH),
        )
        .exclude(old=F("new"))
        .values("m", "old", "new", "domain_id", "level", "source")
        .annotate(
            n_found=Count("pk"),
            n_closed=Count("pk", filter=Q(status=Status.CLOSED)),
            n_funds=Sum("funds"),
        )
    )
    for row in grouped:
        month = timezone.localtime(row["m"]).date()
        rest = (row["domain_id"], row["level"], row["source"])
        counts = {
            "found": row["n_found"],
            "closed": row["n_closed"],
            "funds": row["n_funds"] or Decimal(0),
        }
        _subtract((month, row["old"], *rest), **counts)
        _add((month, row["new"], *rest), **counts)


def rows_from_hazards() -> list[HazardMonth]:
    grouped = (
        Hazard.objects.order_by()
        .values(
            "domain_id",
            "level",
            "source",
            m=TruncMonth("found_at"),
            r=Substr("region_code", 1, REGION_LENGTH),
        )
        .annotate(
            found=Count("pk"),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            funds=Sum("funds"),
        )
    )
    return [
        HazardMonth(
            month=timezone.localtime(row["m"]).date(),
            region_code=row["r"],
            domain_id=row["domain_id"],
            level=row["level"],
            source=row["source"],
            found=row["found"],
            closed=row["closed"],
            funds=row["funds"] or Decimal(0),
        )
        for row in grouped
    ]


@transaction.atomic
def rebuild() -> int:
    """Recompute every counter from the hazards; returns the number of rollup rows."""
    rows = rows_from_hazards()
    HazardMonth.objects.all().delete()
    HazardMonth.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def differences() -> list[dict[str, Any]]:
    """Counters that disagree with the hazards (empty when the rollup is right)."""
    stored = {
        tuple(getattr(r, k) for k in KEY): (r.found, r.closed, r.funds)
        for r in HazardMonth.objects.all()
    }
    fresh = {
        tuple(getattr(r, k) for k in KEY): (r.found, r.closed, r.funds) for r in rows_from_hazards()
    }
    zero = (0, 0, Decimal(0))
    return [
        {"key": key, "stored": stored.get(key, zero), "hazards": fresh.get(key, zero)}
        for key in sorted(set(stored) | set(fresh))
        if stored.get(key, zero) != fresh.get(key, zero)
    ]
