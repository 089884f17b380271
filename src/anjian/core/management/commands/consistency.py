from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Copies kept for speed (a hazard's region, industry and grid …) and the tables "
        "derived from them (the hazard rollup): `check` lists what disagrees with its "
        "source and exits 1 if anything does; `repair` brings it back, in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "repair"])
        parser.add_argument("--examples", type=int, default=10, help="check: rows shown per copy")

    def handle(self, *args, action, examples, **options):
        from anjian.core import copies

        if action == "repair":
            for label, count in copies.repair().items():
                self.stdout.write(f"{label}: {count} repaired")
            return
        drift = copies.drift(examples=examples)
        for item in drift:
            self.stdout.write(f"{item.label}: {item.count} disagree")
            for row in item.examples:
                self.stdout.write(f"  {row}")
        checked = len([c for c in copies.copies() if c.fields]) + len(copies.checks())
        self.stdout.write(f"checked {checked} copies and derived tables; {len(drift)} drifted")
        if drift:
            raise SystemExit(1)
