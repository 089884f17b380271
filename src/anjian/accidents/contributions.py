"""What the accidents module adds: navigation, API, "需要我处理", home figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from anjian.core.contributions import (
    SCOPED,
    SUPERVISORS,
    ActionItem,
    ApiRouter,
    Contribution,
    DemoStep,
    Figure,
    NavEntry,
    NavGroup,
    Pages,
)

GROUP = "事故"


def needs_action(user: Any) -> list[ActionItem]:
    """The 应急管理部门 runs each investigation until it is closed (结案)."""
    from anjian.accidents.permissions import can_supervise
    from anjian.accidents.selectors import accidents_for, filter_accidents

    if not can_supervise(user):
        return []
    count = filter_accidents(accidents_for(user), investigation_open=True).count()
    return [
        ActionItem("调查未结案事故", count, f"{reverse('accidents:list')}?investigation_open=on")
    ]


def home_figures(user: Any) -> list[Figure]:
    from anjian.accidents.statistics import accident_statistics, target_report
    from anjian.core.access import scope_for
    from anjian.core.periods import Period
    from anjian.regions.models import Region

    today = timezone.localdate()
    stats = accident_statistics(user, Period(date(today.year, 1, 1), today))
    figure = {
        "label": f"{today.year}年事故 / 死亡",
        "value": f"{stats['totals']['accidents']} / {stats['totals']['deaths']}",
        "url": reverse("accidents:statistics"),
        "note": "起数、死亡双下降" if stats["year_on_year"]["double_decline"] else "",
        "order": 300,
    }
    prefix = scope_for(user).region_prefix
    region = Region.objects.filter(code=prefix).first() if prefix else None
    if region is not None:
        target = target_report(user, region, today.year)
        if target.get("available") and target.get("usage") is not None:
            figure["note"] = f"占控制指标{target['target'].death_target}人的{target['usage']:.0f}%"
            figure["alert"] = target["usage"] >= 80
    return [Figure(**figure)]


CONTRIBUTION = Contribution(
    app="accidents",
    pages=[Pages("accidents/", "anjian.accidents.urls")],
    groups=[NavGroup(GROUP, "activity", order=400)],
    nav=[
        NavEntry("事故台账", "accidents:list", "activity", GROUP, SCOPED, order=400),
        NavEntry("事故统计", "accidents:statistics", "graph-up", GROUP, SCOPED, order=410),
        NavEntry("控制指标", "accidents:targets", "bullseye", GROUP, SUPERVISORS, order=420),
        NavEntry("重点关注企业", "accidents:watch", "eye", GROUP, SUPERVISORS, order=430),
    ],
    api=[ApiRouter("/accidents", "anjian.accidents.api:router")],
    needs_action=needs_action,
    home_figures=home_figures,
    demo=[DemoStep(50, "anjian.accidents.demo.build")],
)
