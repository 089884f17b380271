"""The side navigation: core's own entries and every app's declared ones, by role.

Apps declare their entries in their `Contribution` (anjian.core.contributions); core
knows only its own: 首页, API文档 and 运维后台.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from anjian.core import contributions
from anjian.core.contributions import SUPERVISORS, NavEntry

#: Core's own entries: first and last of the navigation.
CORE_ENTRIES = (
    NavEntry("首页", "home", "house", order=0),
    NavEntry("API文档", "api-v1:openapi-view", "code-slash", group="系统", roles=SUPERVISORS),
    NavEntry("运维后台", "admin:index", "gear", group="系统", superuser_only=True),
)
SYSTEM_GROUP = contributions.NavGroup("系统", "sliders", order=10_000)


def entries() -> list[NavEntry]:
    """Every entry, in order (core's first and last)."""
    first, *system = CORE_ENTRIES
    return [first, *contributions.nav_entries(), *system]


def items_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    result = []
    for entry in entries():
        if not entry.visible_to(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": entry.label, "url": url, "icon": entry.icon, "group": entry.group})
    return result


def grouped(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Top-level entries: single items, and one section per group (by the group's order,
    groups declared by no app after the declared ones, in first-seen order)."""
    declared = {**contributions.nav_groups(), SYSTEM_GROUP.name: SYSTEM_GROUP}
    entries: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        name = item.get("group")
        if not name:
            entries.append(item)
            continue
        if name not in groups:
            group = declared.get(name)
            groups[name] = {
                "label": name,
                "key": f"nav-{len(groups)}",
                "icon": group.icon if group else "list",
                "order": group.order if group else 9_000,
                "children": [],
                "active": False,
            }
        groups[name]["children"].append(item)
        groups[name]["active"] = groups[name]["active"] or item.get("active", False)
    return entries + sorted(groups.values(), key=lambda g: g["order"])


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    items = items_for(user)
    path = request.path
    active = max(
        (i for i in items if path.startswith(i["url"])), key=lambda i: len(i["url"]), default=None
    )
    for item in items:
        item["active"] = item is active
    return {"nav_items": grouped(items)}
