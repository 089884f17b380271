"""`anjian worker`: run background tasks (imports, exports, notifications) and the
scheduled jobs the apps declare (anjian.core.schedule).

Each task runs in a child process with a memory and a time limit (see
anjian.core.worker), so a task that crashes or runs away fails alone.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument(
            "--reload",
            action="store_true",
            default=settings.DEBUG,
            help="restart on code changes (default: DEBUG; never with --batch)",
        )

    def handle(self, *args, interval, batch, reload, verbosity, **options):
        import os

        from anjian.core.worker import IsolatedWorker, worker_id

        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(verbosity)
        worker = IsolatedWorker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id(),
            excluded_queue_names=[],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
