"""The home page's figures and the "需要我处理" list: what each app declares for the
user (anjian.core.contributions), each linked to the list behind it."""

from __future__ import annotations

from typing import Any

from anjian.core import contributions


def overview(user: Any) -> list[dict[str, Any]]:
    return [vars(f) for f in contributions.home_figures(user)]


def needs_action(user: Any) -> list[dict[str, Any]]:
    return [vars(i) for i in contributions.needs_action(user)]
