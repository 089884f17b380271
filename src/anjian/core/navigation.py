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


NAV_ITEMS: list[NavItem] = [
    NavItem("首页", "home", "house"),
    NavItem("企业台账", "enterprises:list", "buildings"),
    NavItem("隐患台账", "hazards:list", "exclamation-triangle"),
    NavItem("挂牌督办", "hazards:listed", "flag"),
    NavItem("隐患统计", "hazards:statistics", "bar-chart"),
    NavItem("统计报送", "hazards:filings", "journal-check"),
    NavItem("检查记录", "inspections:list", "clipboard-check"),
    NavItem("事故台账", "accidents:list", "activity"),
    NavItem("事故统计", "accidents:statistics", "graph-up"),
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
        result.append({"label": item.label, "url": url, "icon": item.icon})
    return result


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
    return {"nav_items": items}
