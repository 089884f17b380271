"""`anjian enterprises …`: load-test data, command-line import, and the register benchmark."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from anjian.enterprises import generator
from anjian.enterprises.importing import apply_rows


class Command(BaseCommand):
    help = (
        "企业台账工具: `generate` creates N believable enterprises in a region subtree (deterministic "
        "with --seed); `import-xlsx` imports a file as a user; `benchmark` measures import speed and "
        "list latency (see scripts/benchmark)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="create enterprises for load tests")
        gen.add_argument("--enterprises", type=int, required=True)
        gen.add_argument(
            "--region", default="130202", help="region code whose townships get the enterprises"
        )
        gen.add_argument("--seed", type=int, default=1)
        gen.add_argument(
            "--as", dest="username", default="admin", help="user the audit trail names"
        )
        imp = sub.add_parser("import-xlsx", help="check and import an xlsx file as a user")
        imp.add_argument("path")
        imp.add_argument("--as", dest="username", required=True)
        imp.add_argument("--mode", choices=["all", "valid"], default="all")
        bench = sub.add_parser(
            "benchmark", help="import 100k rows, then time the list at 200k enterprises"
        )
        bench.add_argument("--import-rows", type=int, default=100_000)
        bench.add_argument("--total", type=int, default=200_000)
        bench.add_argument("--requests", type=int, default=40, help="timed requests per case")

    def handle(self, *args, action, **options):
        if action == "generate":
            self.generate(
                options["enterprises"], options["region"], options["seed"], options["username"]
            )
        elif action == "import-xlsx":
            self.import_xlsx(options["path"], options["username"], options["mode"])
        else:
            from anjian.enterprises.benchmark import run

            run(
                self.stdout,
                import_rows=options["import_rows"],
                total=options["total"],
                requests=options["requests"],
            )

    def generate(self, count: int, region: str, seed: int, username: str) -> None:
        from anjian.orgs.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        from anjian.enterprises.models import Enterprise

        start = Enterprise.objects.count() + 10_000_000 * seed
        started = time.perf_counter()
        rows = generator.rows(count, region=region, seed=seed + start, start=start)
        created, _, _ = apply_rows(user, generator.chunked(rows, 2000), reason="压测数据")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"generated {created} enterprises under {region} in {seconds:.1f} s "
            f"({created / max(seconds, 0.001):.0f} rows/s)"
        )

    def import_xlsx(self, path: str, username: str, mode: str) -> None:
        from anjian.enterprises import importing
        from anjian.enterprises.models import ImportJob
        from anjian.orgs.models import User

        user = User.objects.get(username=username)
        started = time.perf_counter()
        with open(path, "rb") as fh:
            job = ImportJob.objects.create(
                created_by=user, file=File(fh, name=Path(path).name), original_name=Path(path).name
            )
        importing.check_file(job)
        checked = time.perf_counter()
        if job.error_rows and mode == "all":
            raise CommandError(f"{job.error_rows} rows have errors; first: {job.errors[:3]}")
        job.mode = mode
        importing.apply_file(job)
        done = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"import: {job.total_rows} rows, {job.created_count} created, {job.updated_count} updated, "
            f"{job.unchanged_count} unchanged; check {checked - started:.1f} s, apply {done - checked:.1f} s, "
            f"total {done - started:.1f} s = {job.total_rows / max(done - started, 0.001):.0f} rows/s; "
            f"peak RSS {peak_mb:.0f} MB"
        )
