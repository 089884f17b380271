"""Loading the region tree from the packaged CSV files (idempotent upsert)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from anjian.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
#: Pseudo-cities that group a municipality's districts; left out of full names.
_GROUPING_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
BATCH = 2000


def _rows() -> list[Region]:
    regions: list[Region] = []
    names: dict[str, str] = {}

    def add(code: str, name: str, level: int, parent: str | None) -> None:
        parent_full = names.get(parent, "") if parent else ""
        full = parent_full if name in _GROUPING_NAMES else parent_full + name
        names[code] = full
        regions.append(
            Region(code=code, name=name, level=level, parent_id=parent, full_name=full or name)
        )

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
    return regions


def load_regions() -> tuple[int, int]:
    """Insert or update every region; returns (rows in the files, rows in the table)."""
    rows = _rows()
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            Region.objects.bulk_create(
                rows[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent", "full_name", "updated_at"],
            )
    return len(rows), Region.objects.count()
