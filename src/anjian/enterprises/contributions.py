"""What the enterprise register adds: navigation, API, "需要我处理", demo data."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from anjian.core.contributions import (
    SCOPED,
    ActionItem,
    ApiRouter,
    Contribution,
    DemoStep,
    NavEntry,
    NavGroup,
    Pages,
)

GROUP = "企业"


def _can_decide(user: Any) -> bool:
    from anjian.enterprises.permissions import can_decide_changes

    return can_decide_changes(user)


def needs_action(user: Any) -> list[ActionItem]:
    """Key changes (关键信息变更) waiting for this user's decision."""
    if not _can_decide(user):
        return []
    from anjian.enterprises.models import ChangeRequest
    from anjian.enterprises.selectors import change_requests_for

    pending = change_requests_for(user).filter(status=ChangeRequest.Status.PENDING)
    return [ActionItem("待审核企业变更", pending.count(), reverse("enterprises:changes"))]


CONTRIBUTION = Contribution(
    app="enterprises",
    pages=[Pages("enterprises/", "anjian.enterprises.urls")],
    groups=[NavGroup(GROUP, "buildings", order=100)],
    nav=[
        NavEntry("企业台账", "enterprises:list", "buildings", GROUP, SCOPED, order=100),
        NavEntry(
            "变更审核", "enterprises:changes", "check2-square", GROUP, check=_can_decide, order=110
        ),
    ],
    api=[ApiRouter("/enterprises", "anjian.enterprises.api:router")],
    needs_action=needs_action,
    demo=[DemoStep(20, "anjian.enterprises.demo.build")],
)
