"""The figures on the home page: this year's hazards and accidents, this month's
inspections, each for the user's own scope and linked to the page behind it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from anjian.core.periods import Period


def overview(user: Any, scope_region: Any) -> list[dict[str, Any]]:
    from anjian.accidents.statistics import accident_statistics, target_report
    from anjian.hazards.statistics import hazard_statistics
    from anjian.inspections.planning import inspection_statistics

    today = timezone.localdate()
    year = Period(date(today.year, 1, 1), today)
    month = Period(today.replace(day=1), today)
    hazards = hazard_statistics(user, year)["totals"]
    accidents = accident_statistics(user, year)
    inspections = inspection_statistics(user, month)
    hazard_url = reverse("hazards:list")
    cards = [
        {
            "label": f"{today.year}年排查隐患",
            "value": hazards["found"],
            "note": f"整改率 {hazards['rate']}%" if hazards["rate"] is not None else "",
            "url": reverse("hazards:statistics"),
        },
        {
            # Counts the stalled (未制定方案) as well: `needs_action_q`, the ledger's overdue filter.
            "label": "逾期未整改",
            "value": hazards["overdue"],
            "note": f"重大隐患在治 {hazards['major_open']}",
            "url": f"{hazard_url}?overdue=on",
            "alert": hazards["overdue"] > 0,
        },
        {
            "label": "未制定整改方案",
            "value": hazards["stalled"],
            "note": f"登记超过{settings.ANJIAN_HAZARD_PLAN_DAYS}天",
            "url": f"{hazard_url}?stalled=on",
            "alert": hazards["stalled"] > 0,
        },
        {
            "label": f"{today.month}月检查",
            "value": inspections["inspections"],
            "note": f"覆盖企业 {inspections['enterprises_covered']} 家",
            "url": reverse("inspections:list"),
        },
        {
            "label": f"{today.year}年事故 / 死亡",
            "value": f"{accidents['totals']['accidents']} / {accidents['totals']['deaths']}",
            "note": "起数、死亡双下降" if accidents["year_on_year"]["double_decline"] else "",
            "url": reverse("accidents:statistics"),
        },
    ]
    accident_card = cards[-1]
    if scope_region is not None:
        target = target_report(user, scope_region, today.year)
        if target.get("available") and target.get("usage") is not None:
            accident_card["note"] = (
                f"占控制指标{target['target'].death_target}人的{target['usage']:.0f}%"
            )
            accident_card["alert"] = target["usage"] >= 80
    return cards
