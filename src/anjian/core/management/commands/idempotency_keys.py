"""`anjian idempotency_keys`: forget create keys older than the retention (cron, daily)."""

from django.core.management.base import BaseCommand

from anjian.core.idempotency import KEEP_DAYS, purge


class Command(BaseCommand):
    help = "Delete idempotency keys older than --days (default 30); safe to run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=KEEP_DAYS)

    def handle(self, *args, days, **options):
        self.stdout.write(f"idempotency keys deleted: {purge(days)}")
