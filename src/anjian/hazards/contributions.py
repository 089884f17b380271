"""What the hazards module adds: navigation, API, "需要我处理", home figures, reminders."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from anjian.core.contributions import (
    SCOPED,
    ActionItem,
    ApiRouter,
    Contribution,
    DemoStep,
    Figure,
    Job,
    NavEntry,
    NavGroup,
    Pages,
)

GROUP = "隐患"


def _list_url(**filters: str) -> str:
    return f"{reverse('hazards:list')}?{urlencode(filters)}"


def needs_action(user: Any) -> list[ActionItem]:
    """An enterprise rectifies its hazards; the supervising side verifies submitted
    rectifications; everyone who sees overdue hazards must chase them. Each count is
    the ledger's own filter, so the link shows exactly the rows counted."""
    from anjian.hazards.models import Status
    from anjian.hazards.selectors import filter_hazards, hazards_for

    role = "operator" if user.is_superuser else user.role
    if role not in SCOPED:
        return []
    mine = hazards_for(user)
    items = []
    if role == "enterprise":
        for status, label in ((Status.REGISTERED, "待整改隐患"), (Status.RECTIFYING, "整改中隐患")):
            items.append(
                ActionItem(
                    label,
                    filter_hazards(mine, status=status).count(),
                    _list_url(status=status),
                )
            )
    elif role != "grid":
        items.append(
            ActionItem(
                "待验收隐患",
                filter_hazards(mine, status=Status.PENDING).count(),
                _list_url(status=Status.PENDING),
            )
        )
    items.append(
        ActionItem(
            "超期未制定方案隐患",
            filter_hazards(mine, stalled=True).count(),
            _list_url(stalled="on"),
            urgent=True,
        )
    )
    items.append(
        ActionItem(
            "逾期未整改隐患",
            filter_hazards(mine, overdue=True).count(),
            _list_url(overdue="on"),
            urgent=True,
        )
    )
    return items


def home_figures(user: Any) -> list[Figure]:
    from anjian.core.periods import Period
    from anjian.hazards.statistics import hazard_statistics

    today = timezone.localdate()
    totals = hazard_statistics(user, Period(date(today.year, 1, 1), today))["totals"]
    return [
        Figure(
            f"{today.year}年排查隐患",
            totals["found"],
            reverse("hazards:statistics"),
            note=f"整改率 {totals['rate']}%" if totals["rate"] is not None else "",
            order=100,
        ),
        Figure(
            # Counts the stalled (未制定方案) as well: `needs_action_q`, the ledger's filter.
            "逾期未整改",
            totals["overdue"],
            _list_url(overdue="on"),
            note=f"重大隐患在治 {totals['major_open']}",
            alert=totals["overdue"] > 0,
            order=110,
        ),
        Figure(
            "未制定整改方案",
            totals["stalled"],
            _list_url(stalled="on"),
            note=f"登记超过{settings.ANJIAN_HAZARD_PLAN_DAYS}天",
            alert=totals["stalled"] > 0,
            order=120,
        ),
    ]


CONTRIBUTION = Contribution(
    app="hazards",
    pages=[Pages("hazards/", "anjian.hazards.urls")],
    groups=[NavGroup(GROUP, "exclamation-triangle", order=200)],
    nav=[
        NavEntry("隐患台账", "hazards:list", "exclamation-triangle", GROUP, SCOPED, order=200),
        NavEntry("挂牌督办", "hazards:listed", "flag", GROUP, SCOPED, order=210),
        NavEntry("隐患统计", "hazards:statistics", "bar-chart", GROUP, SCOPED, order=220),
        NavEntry("统计报送", "hazards:filings", "journal-check", GROUP, SCOPED, order=230),
    ],
    api=[ApiRouter("/hazards", "anjian.hazards.api:router")],
    needs_action=needs_action,
    home_figures=home_figures,
    # Deadline reminders (3 days before, and overdue): idempotent per hazard and deadline.
    jobs=[Job("hazards.remind", every=timedelta(hours=1), command=("hazards", "remind"))],
    demo=[DemoStep(40, "anjian.hazards.demo.build")],
)
