"""The register benchmark: prints figures, asserts nothing (timings on shared machines are noisy).

1. Import a generated xlsx of `import_rows` enterprises through the real check and
   apply passes, in a child process, reporting rows/s and the child's peak RSS.
2. Top the register up to `total` enterprises under 唐山市 (1302) with the generator.
3. Time the list page and the list API for a city bureau (sees everything), a
   township (one township) and a city department (its industries): p50/p95 over
   `requests` requests per case, and the SQL queries per page at several page sizes.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from anjian.enterprises import generator
from anjian.enterprises.columns import COLUMNS
from anjian.enterprises.models import Enterprise, EnterpriseStatus, MajorHazardGrade
from anjian.orgs import services as org_services
from anjian.orgs.models import Industry, Organisation, Role, User
from anjian.regions.models import Region

CITY = "1302"
PASSWORD = "Bench-mark-2026"  # noqa: S105 - benchmark accounts in a throwaway database
STATUS_LABEL = dict(EnterpriseStatus.choices)
GRADE_LABEL = dict(MajorHazardGrade.choices)


def _cell(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "status":
        return STATUS_LABEL.get(value, value)
    if key == "major_hazard_grade":
        return GRADE_LABEL.get(value, "")
    return "" if value is None else str(value) if not isinstance(value, int) else value


def write_xlsx(path: str, count: int, seed: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业台账")
    sheet.append([c.header for c in COLUMNS])
    for _, row in generator.rows(count, region=CITY, seed=seed, start=20_000_000):
        sheet.append([_cell(c.key, row.get(c.key)) for c in COLUMNS])
    workbook.save(path)


def _users() -> dict[str, User]:
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench_admin", password=PASSWORD, full_name="基准测试"
    )
    city, township = Region.objects.get(code=CITY), Region.objects.get(code="130202001")

    def org(name, kind, region, industries=()):
        found = Organisation.objects.filter(name=name, region=region).first()
        return found or org_services.organisation_create(
            actor=admin,
            data={"name": name, "kind": kind, "region": region},
            supervised_industries=list(Industry.objects.filter(code__in=industries)),
        )

    specs = {
        "bench_city": (org("唐山市应急管理局", Organisation.Kind.SAFETY, city), Role.SAFETY),
        "bench_town": (
            org("唐山市路南区学院南路街道办事处", Organisation.Kind.GOVERNMENT, township),
            Role.TOWNSHIP,
        ),
        "bench_dept": (
            org("唐山市住房和城乡建设局", Organisation.Kind.DEPARTMENT, city, ("E", "45")),
            Role.DEPARTMENT,
        ),
    }
    users = {}
    for username, (organisation, role) in specs.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = org_services.user_create(
                actor=admin,
                organisation=organisation,
                username=username,
                password=PASSWORD,
                data={"full_name": username, "role": role},
            )
        users[username] = user
    return users


def _time(client: Client, url: str, n: int) -> tuple[float, float, int]:
    client.get(url)  # warm
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return (
        statistics.median(samples),
        p95,
        response.content.count(b"<tr") if b"<tr" in response.content else 0,
    )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def run(out, *, import_rows: int, total: int, requests: int) -> None:
    vendor = connection.vendor
    out.write(f"database: {vendor} {connection.settings_dict.get('NAME')}")
    if vendor != "postgresql":
        out.write(
            "warning: the goals are stated for PostgreSQL; set DATABASE_URL (see scripts/benchmark)"
        )
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client's host
    users = _users()
    in_city = Enterprise.objects.filter(organisation__region__code__startswith=CITY).count()

    if import_rows and in_city < import_rows:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, f"enterprises-{import_rows}.xlsx")
            started = time.perf_counter()
            write_xlsx(path, import_rows, seed=7)
            out.write(
                f"wrote {import_rows}-row xlsx ({os.path.getsize(path) / 1e6:.1f} MB) in "
                f"{time.perf_counter() - started:.1f} s (not part of the import figure)"
            )
            started = time.perf_counter()
            result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "anjian.cli",
                    "enterprises",
                    "import-xlsx",
                    path,
                    "--as",
                    "bench_city",
                ],
                capture_output=True,
                text=True,
                env=os.environ.copy(),
                check=False,
            )
            wall = time.perf_counter() - started
            child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if result.returncode:
                out.write(result.stdout + result.stderr)
                raise SystemExit("import failed")
            out.write(result.stdout.strip())
            out.write(
                f"IMPORT {import_rows} rows: {wall:.1f} s wall incl. process start = "
                f"{import_rows / wall:.0f} rows/s; peak RSS of the import process {child_peak:.0f} MB"
            )
    else:
        out.write(f"import skipped: {in_city} enterprises already under {CITY}")

    count = Enterprise.objects.count()
    if count < total:
        started = time.perf_counter()
        rows = generator.rows(total - count, region=CITY, seed=11, start=30_000_000)
        from anjian.enterprises.importing import apply_rows

        apply_rows(users["bench_city"], generator.chunked(rows, 2000), reason="压测数据")
        out.write(
            f"generated {total - count} more enterprises in {time.perf_counter() - started:.1f} s"
        )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out.write(f"enterprises in the register: {Enterprise.objects.count()}")

    cases = [
        ("page 1", "/enterprises/"),
        ("page 40", "/enterprises/?page=40"),
        ("industry filter", "/enterprises/?industry=30"),
        ("name search", "/enterprises/?q=%E9%99%B6%E7%93%B7"),
        ("sort by name", "/enterprises/?sort=organisation__name"),
        ("API page 1", "/api/v1/enterprises"),
        ("API page 40", "/api/v1/enterprises?page=40"),
    ]
    out.write(f"\n{'user':<11} {'case':<16} {'rows seen':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        from anjian.enterprises.selectors import enterprises_for

        seen = enterprises_for(user).count()
        for label, url in cases:
            p50, p95, _ = _time(client, url, requests)
            out.write(f"{username:<11} {label:<16} {seen:>9} {p50:>8.1f} {p95:>8.1f}")
    out.write("\nSQL queries per request (page size 20 / 50 / 100 / 200):")
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        page = [_queries(client, f"/enterprises/?page_size={n}") for n in (20, 50, 100, 200)]
        api = [_queries(client, f"/api/v1/enterprises?page_size={n}") for n in (20, 50, 100, 200)]
        out.write(f"  {username:<11} page {page}  api {api}")
