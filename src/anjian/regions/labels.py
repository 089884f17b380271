"""How a region is named when figures are about it: its whole subtree or its own level.

"本级" means the region's own level — records whose region code is exactly the
region's (a district's own bureau, an enterprise registered at district level) — and
never the whole subtree. The subtree is "全区"/"全县"/"全市"/… after the kind of
region, read from the end of its name (路南区 → 全区, 迁安市 → 全市, 滦南县 → 全县,
学院南路街道 → 全街道), or from its level when the name does not say.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from anjian.regions.models import Region

#: The endings of region names and what the whole region is called, longest first.
WHOLE_BY_SUFFIX = (
    ("街道办事处", "全街道"),
    ("街道", "全街道"),
    ("自治州", "全州"),
    ("自治县", "全县"),
    ("自治旗", "全旗"),
    ("地区", "全地区"),
    ("社区", "全社区"),
    ("林区", "全林区"),
    ("省", "全省"),
    ("市", "全市"),
    ("区", "全区"),
    ("县", "全县"),
    ("旗", "全旗"),
    ("盟", "全盟"),
    ("州", "全州"),
    ("镇", "全镇"),
    ("乡", "全乡"),
    ("村", "全村"),
)
WHOLE_BY_LEVEL = {1: "全省", 2: "全市", 3: "全县", 4: "全乡镇", 5: "全村"}
#: The label of everything, for a user whose scope is not a region (运维管理员).
EVERYTHING = "全部区划"


def whole_word(region: Region) -> str:
    """全区 / 全县 / 全市 / 全镇 … for the whole of `region`."""
    for suffix, word in WHOLE_BY_SUFFIX:
        if region.name.endswith(suffix):
            return word
    return WHOLE_BY_LEVEL.get(region.level, "全部")


def whole_label(region: Region | None) -> str:
    """ "路南区（全区）": the region with everything below it."""
    if region is None:
        return EVERYTHING
    return f"{region.name}（{whole_word(region)}）"


def own_level_label(region: Region) -> str:
    """ "路南区（本级）": records at the region's own level, not those below it."""
    return f"{region.name}（本级）"


def whole_label_of(code: str | None) -> str:
    """`whole_label` for a region code ("" or None: everything)."""
    return whole_label(Region.objects.filter(code=code).first() if code else None)


def label_child_rows(rows: Iterable[dict[str, Any]], base: str) -> None:
    """Name the rows of a breakdown by the next region level below `base` (each row's
    "key" is a code cut to the child length): a child region by its name, and the
    records that sit at `base` itself (their cut code is `base`) as its 本级."""
    rows = list(rows)
    regions = Region.objects.in_bulk([r["key"] for r in rows if r["key"]])
    for row in rows:
        region = regions.get(row["key"])
        if region is None:
            row["label"] = row["key"] or "—"
        elif base and row["key"] == base:
            row["label"] = own_level_label(region)
        else:
            row["label"] = region.name
