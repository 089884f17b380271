from django.core.management.base import BaseCommand

from anjian.hazards.notices import remind


class Command(BaseCommand):
    help = "隐患: `remind` sends deadline reminders (3 days before, and overdue); safe to run often (cron or hourly)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["remind"])

    def handle(self, *args, action, **options):
        soon, overdue = remind()
        self.stdout.write(f"reminders: {soon} due soon, {overdue} overdue")
