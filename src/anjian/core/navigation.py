"""Role-aware navigation. Later modules add their entries to NAV_ITEMS."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from anjian.orgs import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] | None = None  # None: every signed-in user
    check: str | None = None  # name of a permission function in anjian.orgs.permissions
    superuser_only: bool = False
    group: str | None = None  # items of one group share a dropdown in the navbar


NAV_ITEMS: list[NavItem] = [
    NavItem("首页", "home", "house"),
    NavItem("企业台账", "enterprises:list", "buildings"),
    NavItem("隐患台账", "hazards:list", "exclamation-triangle", group="隐患"),
    NavItem("挂牌督办", "hazards:listed", "flag", group="隐患"),
    NavItem("隐患统计", "hazards:statistics", "bar-chart", group="隐患"),
    NavItem("统计报送", "hazards:filings", "journal-check", group="隐患"),
    NavItem("检查记录", "inspections:list", "clipboard-check", group="检查"),
    NavItem(
        "我的检查任务",
        "inspections:tasks",
        "list-check",
        roles=frozenset({"enterprise", "grid", "township", "department", "safety"}),
        group="检查",
    ),
    NavItem(
        "检查计划",
        "inspections:plans",
        "calendar-check",
        roles=frozenset({"leader", "township", "department", "safety"}),
        group="检查",
    ),
    NavItem("专项整治", "inspections:campaigns", "megaphone", group="检查"),
    NavItem("检查表", "inspections:checklists", "card-checklist", group="检查"),
    NavItem("检查统计", "inspections:statistics", "bar-chart-line", group="检查"),
    NavItem("事故台账", "accidents:list", "activity", group="事故"),
    NavItem("事故统计", "accidents:statistics", "graph-up", group="事故"),
    NavItem("控制指标", "accidents:targets", "bullseye", group="事故"),
    NavItem("重点关注企业", "accidents:watch", "eye", group="事故"),
    NavItem("单位", "orgs:organisation_list", "building"),
    NavItem(
        "变更审核", "enterprises:changes", "check2-square", check="can_decide_enterprise_changes"
    ),
    NavItem("用户管理", "orgs:user_list", "people", check="can_manage_any_users"),
    NavItem("API文档", "api-v1:openapi-view", "code-slash", superuser_only=False),
    NavItem("运维后台", "admin:index", "gear", superuser_only=True),
]


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    result = []
    for item in NAV_ITEMS:
        if item.superuser_only and not user.is_superuser:
            continue
        if item.roles is not None and user.role not in item.roles and not user.is_superuser:
            continue
        if item.check and not getattr(permissions, item.check)(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": item.label, "url": url, "icon": item.icon, "group": item.group})
    return result


GROUP_ICONS = {"隐患": "exclamation-triangle", "检查": "clipboard-check", "事故": "activity"}


def grouped(items: list[dict]) -> list[dict]:
    """Top-level entries: single items, and one dropdown per group (in first-seen order)."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        name = item.get("group")
        if not name:
            entries.append(item)
            continue
        if name not in groups:
            groups[name] = {"label": name, "icon": GROUP_ICONS.get(name, "list"), "children": []}
            entries.append(groups[name])
        groups[name]["children"].append(item)
        groups[name]["active"] = groups[name].get("active") or item.get("active", False)
    return entries


def navigation(request):
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
