"""Plans, campaigns and inspection statistics: what is due, what is covered, what was found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
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
from anjian.inspections.models import Answer, Campaign, Inspection, InspectionPlan, Kind
from anjian.regions.labels import label_child_rows, whole_label_of
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
    overdue: bool = False  # the previous window (or a finished one-off plan) was missed


def planned_inspections(
    plans: Iterable[InspectionPlan], period: Period, visible: set[int]
) -> list[Task]:
    """The one definition of a planned inspection: each enterprise of a plan (among
    `visible`), in each of the plan's windows that overlap `period`, is one inspection
    due; it is done when an inspection of that enterprise under that plan finished
    inside the window. 我的检查任务 (the window of today) and 检查统计 (any period)
    both count with this, so the same plans and period give the same figures."""
    tasks: list[Task] = []
    for plan in plans:
        day = max(period.start, plan.start)
        while day <= period.end:
            window = window_of(plan, day)
            if window is None:
                break
            done = _done(plan, window)
            tasks.extend(
                Task(plan=plan, enterprise=e, window=window, done=e.pk in done)
                for e in plan.enterprises.all()
                if e.pk in visible
            )
            day = window.end + timedelta(days=1)
    return tasks


def planned_summary(tasks: Iterable[Task]) -> dict[str, int]:
    """应检 and 已检 of planned inspections."""
    tasks = list(tasks)
    return {"due": len(tasks), "done": sum(t.done for t in tasks)}


def tasks_for(user: Any, today: date | None = None) -> list[Task]:
    """The inspector's due and overdue inspections, one per plan and enterprise."""
    today = today or timezone.localdate()
    visible = set(enterprises_for(user).values_list("pk", flat=True))
    plans = InspectionPlan.objects.filter(inspector=user).prefetch_related(
        "enterprises__organisation"
    )
    tasks = planned_inspections(plans, Period(today, today), visible)
    missed: dict[int, set[int] | None] = {}
    for task in tasks:
        if task.plan.pk not in missed:
            previous = window_of(task.plan, task.window.start - timedelta(days=1))
            missed[task.plan.pk] = _done(task.plan, previous) if previous else None
        done_before = missed[task.plan.pk]
        task.overdue = done_before is not None and task.enterprise.pk not in done_before
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
    township_rows = [{"key": code, **row} for code, row in sorted(by_township.items())]
    # records at the campaign's own region (not in a township) are its 本级
    label_child_rows(township_rows, campaign.region_id)
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
        "by_township": [{"code": r.pop("key"), "name": r.pop("label"), **r} for r in township_rows],
        "by_department": by_department,
        "not_covered": targets.exclude(pk__in=covered_ids).select_related("organisation__region")[
            :200
        ],
    }


#: Inspections an enterprise makes of itself or of its peers: not supervision. They are
#: counted in their own block, never beside the government's by unit or inspector.
ENTERPRISE_KINDS = (Kind.SELF, Kind.PEER)


def _breakdown(qs: QuerySet[Inspection], key: Any, label: str) -> list[dict[str, Any]]:
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


def _by_region(qs: QuerySet[Inspection], base: str) -> list[dict[str, Any]]:
    rows = _breakdown(qs, Substr("region_code", 1, child_code_length(base)), "—")
    label_child_rows(rows, base)
    return rows


def inspection_statistics(user: Any, period: Period) -> dict[str, Any]:
    """Government inspections done, coverage of the enterprises in scope, hazards found
    per inspection, by township, inspecting organisation, inspector and campaign; the
    enterprises' own self- and peer inspections apart, in `enterprise_side`."""
    start, end = period.bounds()
    finished = scoped(Inspection.objects.order_by(), user).filter(
        finished_at__gte=start, finished_at__lt=end
    )
    qs = finished.exclude(kind__in=ENTERPRISE_KINDS)
    own = finished.filter(kind__in=ENTERPRISE_KINDS)
    done = qs.count()
    in_scope = enterprises_for(user).filter(status__in=["operating", "suspended"]).count()
    covered = qs.values("enterprise").distinct().count()
    found = Hazard.objects.filter(inspection_answer__inspection__in=qs).count()
    base = scope_for(user).region_prefix or ""
    kinds = dict(Kind.choices)
    by_kind = _breakdown(own, "kind", "—")
    for row in by_kind:
        row["label"] = kinds.get(row["key"], row["key"])
    return {
        "period": period,
        "scope": whole_label_of(base),
        "inspections": done,
        "enterprises_in_scope": in_scope,
        "enterprises_covered": covered,
        "coverage": round(covered * 100 / in_scope, 1) if in_scope else None,
        "hazards": found,
        "hazards_per_inspection": round(found / done, 2) if done else None,
        "planned": _planned(user, period),
        "by_region": _by_region(qs, base),
        "by_organisation": _breakdown(qs, "inspector_org__name", "—"),
        "by_inspector": _breakdown(qs, "inspector__full_name", "—"),
        "by_campaign": _breakdown(qs, "campaign__name", "（不属于专项整治）"),
        "enterprise_side": {
            "inspections": own.count(),
            "enterprises": own.values("enterprise").distinct().count(),
            "hazards": Hazard.objects.filter(inspection_answer__inspection__in=own).count(),
            "by_kind": by_kind,
            "by_region": _by_region(own, base),
        },
    }


def _planned(user: Any, period: Period) -> dict[str, int]:
    """Planned inspections of the plans in scope whose windows overlap the period."""
    plans = scoped(InspectionPlan.objects.all(), user).prefetch_related("enterprises")
    visible = set(enterprises_for(user).values_list("pk", flat=True))
    return planned_summary(planned_inspections(plans, period, visible))
