from django.core.management.base import BaseCommand

from anjian.hazards.notices import remind, remind_stalled


class Command(BaseCommand):
    help = (
        "隐患: `remind` sends deadline reminders (3 days before, overdue, and 未制定方案 once "
        "a hazard has waited ANJIAN_HAZARD_PLAN_DAYS without a plan); safe to run "
        "often (cron or hourly). `rollup` recomputes the monthly statistics counters from "
        "the hazards (`--check` only reports differences). `benchmark` prints figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["remind", "rollup", "benchmark"])
        parser.add_argument(
            "--check", action="store_true", help="rollup: report differences, change nothing"
        )
        parser.add_argument(
            "--total", type=int, default=2_000_000, help="benchmark: hazards in the database"
        )
        parser.add_argument(
            "--requests", type=int, default=30, help="benchmark: timed requests per case"
        )

    def handle(self, *args, action, **options):
        if action == "benchmark":
            from anjian.hazards.benchmark import run

            run(self.stdout, total=options["total"], requests=options["requests"])
            return
        if action == "rollup":
            from anjian.hazards import rollup

            if options["check"]:
                wrong = rollup.differences()
                for row in wrong[:20]:
                    self.stdout.write(f"  {row}")
                self.stdout.write(f"rollup rows that disagree with the hazards: {len(wrong)}")
                if wrong:
                    raise SystemExit(1)
                return
            self.stdout.write(f"rollup rebuilt: {rollup.rebuild()} rows")
            return
        soon, overdue = remind()
        stalled = remind_stalled()
        self.stdout.write(
            f"reminders: {soon} due soon, {overdue} overdue, {stalled} without a plan"
        )
