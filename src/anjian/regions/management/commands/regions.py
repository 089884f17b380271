import time

from django.core.management.base import BaseCommand

from anjian.regions.loader import load_regions
from anjian.regions.models import Region


class Command(BaseCommand):
    help = (
        "行政区划: `load` loads the GB/T 2260 tree with township codes (idempotent); "
        "`count` prints the counts per level."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "count"])

    def handle(self, *args, action, **options):
        if action == "load":
            started = time.perf_counter()
            in_files, in_table = load_regions()
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"regions: {in_files} rows in the files, {in_table} in the table ({seconds:.1f} s)"
            )
        for level, label in Region.Level.choices:
            count = Region.objects.filter(level=level).count()
            if count:
                self.stdout.write(f"  {label}: {count}")
