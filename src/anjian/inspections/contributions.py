"""What the inspections module adds: navigation, API, "需要我处理", home figures."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from anjian.core.contributions import (
    SCOPED,
    ActionItem,
    ApiRouter,
    Contribution,
    DemoStep,
    Figure,
    NavEntry,
    NavGroup,
    Pages,
)

GROUP = "检查"
#: Who is given inspection tasks by a plan (我的检查任务).
INSPECTORS = frozenset({"enterprise", "grid", "township", "department", "safety"})
#: Who draws up inspection plans (检查计划).
PLANNERS = frozenset({"leader", "township", "department", "safety"})


def needs_action(user: Any) -> list[ActionItem]:
    """The planned inspections of the current window this inspector has not done yet."""
    from anjian.inspections.planning import tasks_for

    if not user.is_superuser and user.role not in INSPECTORS:
        return []
    open_tasks = [t for t in tasks_for(user) if not t.done]
    return [
        ActionItem(
            "待完成检查任务",
            len(open_tasks),
            reverse("inspections:tasks"),
            urgent=any(t.overdue for t in open_tasks),
        )
    ]


def home_figures(user: Any) -> list[Figure]:
    from anjian.core.periods import Period
    from anjian.inspections.planning import inspection_statistics

    today = timezone.localdate()
    stats = inspection_statistics(user, Period(today.replace(day=1), today))
    return [
        Figure(
            f"{today.month}月检查",
            stats["inspections"],
            reverse("inspections:list"),
            note=f"覆盖企业 {stats['enterprises_covered']} 家",
            order=200,
        )
    ]


CONTRIBUTION = Contribution(
    app="inspections",
    pages=[Pages("inspections/", "anjian.inspections.urls")],
    groups=[NavGroup(GROUP, "clipboard-check", order=300)],
    nav=[
        NavEntry("检查记录", "inspections:list", "clipboard-check", GROUP, SCOPED, order=300),
        NavEntry("我的检查任务", "inspections:tasks", "list-check", GROUP, INSPECTORS, order=310),
        NavEntry("检查计划", "inspections:plans", "calendar-check", GROUP, PLANNERS, order=315),
        NavEntry("专项整治", "inspections:campaigns", "megaphone", GROUP, SCOPED, order=320),
        NavEntry("检查表", "inspections:checklists", "card-checklist", GROUP, SCOPED, order=330),
        NavEntry("检查统计", "inspections:statistics", "bar-chart-line", GROUP, SCOPED, order=340),
    ],
    api=[ApiRouter("/inspections", "anjian.inspections.api:router")],
    needs_action=needs_action,
    home_figures=home_figures,
    demo=[DemoStep(60, "anjian.inspections.demo.build")],
)
