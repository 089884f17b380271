"""Loading GB/T 4754-2017 门类 and 大类 from the packaged CSV (idempotent upsert)."""

import csv
from pathlib import Path

from django.db import transaction

from anjian.orgs.models import Industry

DATA_FILE = Path(__file__).resolve().parent / "data" / "industries-gbt4754-2017.csv"


def load_industries() -> tuple[int, int]:
    with open(DATA_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sections = {r["section"]: r["section_name"] for r in rows}
    items = [Industry(code=c, name=n, kind=Industry.Kind.SECTION) for c, n in sections.items()]
    items += [
        Industry(
            code=r["division"],
            name=r["division_name"],
            kind=Industry.Kind.DIVISION,
            section_id=r["section"],
        )
        for r in rows
    ]
    with transaction.atomic():
        Industry.objects.bulk_create(
            items,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "kind", "section"],
        )
    return len(items), Industry.objects.count()
