"""Accident categories (GB 6441-1986) from the data file shipped with the package.
The migration seeds them; `ensure_categories` keeps a flushed database usable."""

import csv
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "accident-categories-gb6441-1986.csv"


def category_rows() -> list[tuple[str, str]]:
    with DATA_FILE.open(encoding="utf-8") as f:
        return [(row["code"], row["name"]) for row in csv.DictReader(f)]


def ensure_categories() -> None:
    from anjian.accidents.models import AccidentCategory

    for order, (code, name) in enumerate(category_rows(), start=1):
        AccidentCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
