from django.core.management.base import BaseCommand

from anjian.orgs.loader import load_industries


class Command(BaseCommand):
    help = "GB/T 4754-2017 行业: `load` loads 门类 and 大类 (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])

    def handle(self, *args, action, **options):
        in_file, in_table = load_industries()
        self.stdout.write(f"industries: {in_file} rows in the file, {in_table} in the table")
