"""Loading the region tree from the packaged CSV files (idempotent upsert)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from django.db import transaction

from anjian.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
#: Pseudo-cities that group a municipality's districts; left out of full names.
_GROUPING_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
BATCH = 2000


@functools.cache
def _parsed() -> tuple[tuple[str, str, int, str | None, str], ...]:
    """(code, name, level, parent, full name) for every row of the packaged files."""
    regions: list[tuple[str, str, int, str | None, str]] = []
    names: dict[str, str] = {}

    def add(code: str, name: str, level: int, parent: str | None) -> None:
        parent_full = names.get(parent, "") if parent else ""
        full = parent_full if name in _GROUPING_NAMES else parent_full + name
        names[code] = full
        regions.append((code, name, level, parent, full or name))

    def read(name: str) -> list[dict[str, str]]:
        with open(DATA_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    for row in read("provinces"):
        add(row["code"], row["name"], 1, None)
    for row in read("cities"):
        add(row["code"], row["name"], 2, row["provinceCode"])
    for row in read("areas"):
        add(row["code"], row["name"], 3, row["cityCode"])
    for row in read("streets"):
        add(row["code"], row["name"], 4, row["areaCode"])
    return tuple(regions)


def _rows(only: tuple[str, ...] = ()) -> list[Region]:
    return [
        Region(code=code, name=name, level=level, parent_id=parent, full_name=full)
        for code, name, level, parent, full in _parsed()
        if not only or any(code.startswith(c) or c.startswith(code) for c in only)
    ]


def load_regions(only: tuple[str, ...] = ()) -> tuple[int, int]:
    """Insert or update every region; returns (rows in the files, rows in the table).

    `only` limits the load to the subtrees of these codes and their ancestors
    (tests and small installations).
    """
    rows = _rows(only)
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            Region.objects.bulk_create(
                rows[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent", "full_name", "updated_at"],
            )
    return len(rows), Region.objects.count()
