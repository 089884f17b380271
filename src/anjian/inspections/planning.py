"""Plans, campaigns and inspection statistics: what is due, what is covered, what was found."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from anjian.core.access import scope_for, scoped
from anjian.core.periods import Period
from anjian.enterprises.models import Enterprise
from anjian.enterprises.selectors import enterprises_for
from anjian.hazards.models import Hazard, Status
from anjian.inspections.models import Answer, Campaign, Inspection, InspectionPlan
from anjian.regions.models import Region
from anjian.rules.identifiers import child_code_length

MONTHS = {
    InspectionPlan.Frequency.MONTHLY: 1,
    InspectionPlan.Frequency.QUARTERLY: 3,
    InspectionPlan.Frequency.HALF_YEARLY: 6,
    InspectionPlan.Frequency.YEARLY: 12,
}


def window_of(plan: InspectionPlan, day: date) -> Period | None:
    """The plan's period that contains `day` (None: outside the plan)."""
    if day < plan.start or (plan.end and day > plan.end):
        return None
    if plan.frequency == InspectionPlan.Frequency.ONCE:
        return Period(plan.start, plan.end or date(2100, 12, 31))
    months = MONTHS[InspectionPlan.Frequency(plan.frequency)]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = (
        date(day.year + 1, 1, 1) if end_month > 12 else date(day.year, end_month, 1)
    ) - timedelta(days=1)
    return Period(max(start, plan.start), min(end, plan.end) if plan.end else end)


@dataclass
class Task:
    plan: InspectionPlan
    enterprise: Enterprise
    window: Period
    done: bool
    overdue: bool  # the previous window (or a finished one-off plan) was missed


def tasks_for(user: Any, today: date | None = None) -> list[Task]:
    """The inspector's due and overdue inspections, one per plan and enterprise."""
    today = today or timezone.localdate()
    visible = set(enterprises_for(user).values_list("pk", flat=True))
    tasks: list[Task] = []
    plans = InspectionPlan.objects.filter(inspector=user).prefetch_related(
        "enterprises__organisation"
    )
    for plan in plans:
        window = window_of(plan, today)
        if window is None:
            continue
        done = _done(plan, window)
        previous = window_of(plan, window.start - timedelta(days=1))
        missed = _done(plan, previous) if previous else None
        for enterprise in plan.enterprises.all():
            if enterprise.pk not in visible:
                continue
            tasks.append(
                Task(
                    plan=plan,
                    enterprise=enterprise,
                    window=window,
                    done=enterprise.pk in done,
                    overdue=missed is not None and enterprise.pk not in missed,
                )
            )
    return sorted(tasks, key=lambda t: (t.done, not t.overdue, t.window.end, t.enterprise.pk))


def _done(plan: InspectionPlan, window: Period) -> set[int]:
    start, end = window.bounds()
    return set(
        Inspection.objects.filter(
            plan=plan, finished_at__gte=start, finished_at__lt=end
        ).values_list("enterprise_id", flat=True)
    )


def campaign_targets(user: Any, campaign: Campaign) -> QuerySet[Enterprise]:
    """Operating enterprises the campaign aims at, within the user's scope."""
    qs = enterprises_for(user).filter(
        organisation__region__code__startswith=campaign.region_id,
        status__in=["operating", "suspended"],
    )
    codes = [c.strip() for c in campaign.industry_codes.split(",") if c.strip()]
    if codes:
        qs = qs.filter(
            Q(organisation__industry_id__in=codes) | Q(organisation__industry__section_id__in=codes)
        )
    if campaign.flag:
        qs = qs.filter(**{campaign.flag: True})
    return qs


def campaign_board(user: Any, campaign: Campaign) -> dict[str, Any]:
    """Covered / not covered, inspections and hazards, by township and by department."""
    targets = campaign_targets(user, campaign)
    inspections = scoped(Inspection.objects.filter(campaign=campaign), user)
    covered_ids = set(inspections.values_list("enterprise_id", flat=True))
    target_rows = list(targets.values_list("pk", "organisation__region_id"))
    hazards = scoped(Hazard.objects.filter(inspection_answer__inspection__campaign=campaign), user)
    by_township: dict[str, dict[str, int]] = defaultdict(
        lambda: {"targets": 0, "covered": 0, "hazards": 0, "closed": 0}
    )
    for pk, region in target_rows:
        row = by_township[region[:9]]
        row["targets"] += 1
        row["covered"] += pk in covered_ids
    for region, status in hazards.values_list("region_code", "status"):
        row = by_township[region[:9]]
        row["hazards"] += 1
        row["closed"] += status == Status.CLOSED
    names = dict(Region.objects.filter(code__in=by_township).values_list("code", "name"))
    by_department = list(
        inspections.values("inspector_org__name")
        .annotate(
            inspections=Count("pk", distinct=True),
            enterprises=Count("enterprise", distinct=True),
            failed=Count("answers", filter=Q(answers__result=Answer.Result.FAIL)),
        )
        .order_by("-inspections")
    )
    total_targets = len(target_rows)
    covered = sum(1 for pk, _ in target_rows if pk in covered_ids)
    return {
        "targets": total_targets,
        "covered": covered,
        "coverage": round(covered * 100 / total_targets, 1) if total_targets else None,
        "inspections": inspections.count(),
        "hazards": hazards.count(),
        "hazards_closed": hazards.filter(status=Status.CLOSED).count(),
        "by_township": [
            {"code": code, "name": names.get(code, code), **row}
            for code, row in sorted(by_township.items())
        ],
        "by_department": by_department,
        "not_covered": targets.exclude(pk__in=covered_ids).select_related("organisation__region")[
            :200
        ],
    }


def inspection_statistics(user: Any, period: Period) -> dict[str, Any]:
    """Inspections done, coverage of the enterprises in scope, hazards found per
    inspection, by township, inspecting organisation, inspector and campaign."""
    start, end = period.bounds()
    qs = scoped(Inspection.objects.order_by(), user).filter(
        finished_at__gte=start, finished_at__lt=end
    )
    done = qs.count()
    in_scope = enterprises_for(user).filter(status__in=["operating", "suspended"]).count()
    covered = qs.values("enterprise").distinct().count()
    found = Hazard.objects.filter(inspection_answer__inspection__in=qs).count()

    def breakdown(key: Any, label: str) -> list[dict[str, Any]]:
        rows = (
            qs.values(key=F(key) if isinstance(key, str) else key)
            .annotate(
                inspections=Count("pk", distinct=True),
                enterprises=Count("enterprise", distinct=True),
                hazards=Count("answers__hazard", distinct=True),
            )
            .order_by("-inspections")
        )
        return [{**r, "label": r["key"] or label} for r in rows]

    base = scope_for(user).region_prefix or ""
    by_region = breakdown(Substr("region_code", 1, child_code_length(base)), "—")
    names = dict(
        Region.objects.filter(code__in=[r["key"] for r in by_region]).values_list("code", "name")
    )
    for row in by_region:
        row["label"] = names.get(row["key"], row["key"])
    return {
        "period": period,
        "inspections": done,
        "enterprises_in_scope": in_scope,
        "enterprises_covered": covered,
        "coverage": round(covered * 100 / in_scope, 1) if in_scope else None,
        "hazards": found,
        "hazards_per_inspection": round(found / done, 2) if done else None,
        "planned": _planned(user, period),
        "by_region": by_region,
        "by_organisation": breakdown("inspector_org__name", "—"),
        "by_inspector": breakdown("inspector__full_name", "—"),
        "by_campaign": breakdown("campaign__name", "（不属于专项整治）"),
    }


def _planned(user: Any, period: Period) -> dict[str, int]:
    """Plan windows ending inside the period (one per enterprise) and how many were done."""
    due = done = 0
    plans = scoped(InspectionPlan.objects.all(), user).prefetch_related("enterprises")
    for plan in plans:
        day = max(period.start, plan.start)
        seen: set[tuple[date, date]] = set()
        while day <= period.end:
            window = window_of(plan, day)
            if window is None:
                break
            if (window.start, window.end) not in seen and window.end <= period.end:
                seen.add((window.start, window.end))
                ids = {e.pk for e in plan.enterprises.all()}
                due += len(ids)
                done += len(ids & _done(plan, window))
            day = window.end + timedelta(days=1)
    return {"due": due, "done": done}
