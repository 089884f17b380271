"""`anjian worker`: run background tasks (imports, exports, notifications)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    def handle(self, *args, interval, batch, **options):
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--interval", str(interval), "--no-startup-delay", *extra)
