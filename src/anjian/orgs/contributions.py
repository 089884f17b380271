"""What the organisations module adds: navigation, the auth/organisation/notification
API, and the demo's organisations and logins."""

from __future__ import annotations

from anjian.core.contributions import (
    SUPERVISORS,
    ApiRouter,
    Contribution,
    DemoStep,
    NavEntry,
    NavGroup,
    Pages,
)
from anjian.orgs.permissions import can_manage_any_users

GROUP = "单位与人员"

CONTRIBUTION = Contribution(
    app="orgs",
    pages=[Pages("", "anjian.orgs.urls")],
    groups=[NavGroup(GROUP, "people", order=900)],
    nav=[
        NavEntry("单位", "orgs:organisation_list", "building", GROUP, SUPERVISORS, order=900),
        # Not in an enterprise's navigation; the page itself still serves its admins.
        NavEntry(
            "用户管理",
            "orgs:user_list",
            "people",
            GROUP,
            SUPERVISORS,
            check=can_manage_any_users,
            order=910,
        ),
    ],
    api=[
        ApiRouter("/auth", "anjian.orgs.api:auth_router"),
        ApiRouter("/organisations", "anjian.orgs.api:org_router"),
        ApiRouter("/notifications", "anjian.orgs.api:notifications_router"),
    ],
    # The logins need the enterprises, which need the organisations.
    demo=[DemoStep(10, "anjian.orgs.demo.build"), DemoStep(30, "anjian.orgs.demo.build_logins")],
)
