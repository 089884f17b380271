"""The hazard benchmark: prints figures, asserts nothing.

Generates load-test hazards in bulk (not through the per-row services: these rows
are synthetic and carry no audit trail), then times the ledger page, the list API
and the statistics for the users of the register benchmark.
"""

from __future__ import annotations

import random
import statistics as stats_module
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.enterprises.models import Enterprise
from anjian.hazards import rollup
from anjian.hazards.domains import ensure_domains
from anjian.hazards.models import Hazard, HazardMonth, RectificationPlan, Status

BATCH = 5000
DOMAINS = [
    "fire",
    "construction",
    "gas",
    "hazchem",
    "industry_trade",
    "public",
    "road",
    "special_equipment",
]
SOURCES = ["township", "department", "joint", "campaign", "grid", "self"]
FACTORS = ["人的因素", "物的因素", "环境因素", "管理因素"]


def generate(total: int, *, seed: int, actor: Any, out) -> None:
    ensure_domains()
    rng = random.Random(seed)
    now = timezone.now()
    have = Hazard.objects.count()
    if have >= total:
        out.write(f"hazards: {have} already")
        return
    enterprises = list(
        Enterprise.objects.values_list(
            "pk", "organisation__region_id", "organisation__industry_id", "organisation__grid_id"
        )
    )
    started = time.perf_counter()
    made = have
    while made < total:
        hazards, plans = [], []
        for _ in range(min(BATCH, total - made)):
            pk, region, industry, grid = rng.choice(enterprises)
            found = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
            roll = rng.random()
            status = (
                Status.CLOSED
                if roll < 0.8
                else Status.RECTIFYING
                if roll < 0.93
                else Status.PENDING
                if roll < 0.97
                else Status.REGISTERED
            )
            deadline = (
                None
                if status == Status.REGISTERED
                else found + timedelta(days=rng.choice((7, 15, 30)))
            )
            closed = status == Status.CLOSED
            hazards.append(
                Hazard(
                    enterprise_id=pk,
                    region_code=region,
                    industry_code=industry or "",
                    grid_id=grid,
                    place=f"部位{rng.randint(1, 50)}",
                    domain_id=rng.choice(DOMAINS),
                    factor_class=rng.choice(FACTORS),
                    level="major" if rng.random() < 0.01 else "general",
                    description="压测隐患",
                    source=rng.choice(SOURCES),
                    found_by=actor,
                    found_by_name="压测",
                    found_at=found,
                    status=status,
                    deadline=deadline,
                    closed_at=(deadline or found) if closed else None,
                    closed_by=actor if closed else None,
                )
            )
        for hazard in hazards:
            if hazard.deadline is not None:
                hazard.funds = Decimal(rng.choice((0, 500, 2000)))
        with transaction.atomic():
            Hazard.objects.bulk_create(hazards, batch_size=BATCH)
            for hazard in hazards:
                if hazard.deadline is not None:
                    plans.append(
                        RectificationPlan(
                            hazard=hazard,
                            measures="整改",
                            responsible_person="负责人",
                            funds=hazard.funds,
                            deadline=hazard.deadline,
                            contingency="防范",
                            accepted_by=actor,
                        )
                    )
            RectificationPlan.objects.bulk_create(plans, batch_size=BATCH)
        made += len(hazards)
        if made % 200_000 < BATCH:
            out.write(f"  {made} hazards ({made / (time.perf_counter() - started):.0f} rows/s)")
    out.write(f"generated {made - have} hazards in {time.perf_counter() - started:.0f} s")


def _time(client: Client, url: str, n: int) -> tuple[float, float]:
    client.get(url)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return stats_module.median(samples), samples[
        min(len(samples) - 1, round(0.95 * len(samples)) - 1)
    ]


def run(out, *, total: int, requests: int) -> None:
    from django.conf import settings

    from anjian.enterprises.benchmark import _users

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    out.write(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    users = _users()
    generate(total, seed=5, actor=users["bench_city"], out=out)
    if HazardMonth.objects.aggregate(n=Sum("found"))["n"] != Hazard.objects.count():
        started = time.perf_counter()
        rows = rollup.rebuild()
        out.write(f"rollup rebuilt: {rows} rows in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum would: fresh statistics and visibility map (index-only scans).
            for table in ("hazards_hazard", "hazards_rectificationplan", "hazards_hazardmonth"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    out.write(f"rollup rows: {HazardMonth.objects.count()}")
    out.write(f"hazards: {Hazard.objects.count()}, enterprises: {Enterprise.objects.count()}")
    today = timezone.localdate()
    year_ago = (today - timedelta(days=365)).isoformat()
    cases = [
        ("ledger page 1", "/hazards/"),
        ("ledger overdue", "/hazards/?overdue=on"),
        ("ledger domain+status", "/hazards/?domain=fire&status=rectifying"),
        ("API page 1", "/api/v1/hazards"),
        ("stats own scope 1y", f"/api/v1/hazards/statistics/summary?start={year_ago}&end={today}"),
        (
            "stats district 1y",
            f"/api/v1/hazards/statistics/summary?start={year_ago}&end={today}&region=130202",
        ),
        ("stats page 1y", f"/hazards/statistics/?start={year_ago}&end={today}"),
        ("stats page Q3", f"/hazards/statistics/?start={today.year}-07-01&end={today.year}-09-30"),
    ]
    from anjian.hazards.selectors import hazards_for

    out.write(f"\n{'user':<11} {'case':<22} {'rows seen':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        seen = hazards_for(user).count()
        for label, url in cases:
            p50, p95 = _time(client, url, requests)
            out.write(f"{username:<11} {label:<22} {seen:>9} {p50:>8.1f} {p95:>8.1f}")
    out.write("\nSQL queries per ledger request (page size 20 / 50 / 100 / 200):")
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        counts = []
        for size in (20, 50, 100, 200):
            with CaptureQueriesContext(connection) as ctx:
                client.get(f"/hazards/?page_size={size}")
            counts.append(len(ctx.captured_queries))
        out.write(f"  {username:<11} {counts}")
