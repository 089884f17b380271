"""Accident statistics for any scope and period, year-on-year change, control-target
usage and the R-STAT rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from anjian.accidents.models import (
    COAL_MINING,
    LEVEL_CHOICES,
    Accident,
    AccidentCategory,
    ControlTarget,
    Domain,
)
from anjian.core.access import scope_for, scoped, scoped_region
from anjian.core.money import to_wan
from anjian.core.periods import Period
from anjian.orgs.models import Industry
from anjian.regions.labels import label_child_rows, whole_label_of
from anjian.regions.models import Region
from anjian.rules import indicators
from anjian.rules.identifiers import child_code_length

MEASURES = {
    "accidents": Count("pk"),
    "deaths": Sum("deaths"),
    "missing": Sum("missing"),
    "serious_injuries": Sum("serious_injuries"),
    "minor_injuries": Sum("minor_injuries"),
    "direct_loss": Sum("direct_loss"),
}


def accidents_in(user: Any, period: Period, region: str | None = None) -> QuerySet[Accident]:
    start, end = period.bounds()
    qs = scoped(Accident.objects.order_by(), user).filter(
        occurred_at__gte=start, occurred_at__lt=end
    )
    return qs.filter(region__code__startswith=region) if region else qs


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    for name in MEASURES:
        row[name] = row.get(name) or (Decimal(0) if name == "direct_loss" else 0)
    row["loss_10k"] = float(to_wan(row["direct_loss"]))
    return row


def totals(qs: QuerySet[Accident]) -> dict[str, Any]:
    return _clean(qs.aggregate(**MEASURES))


def _change(now: int, before: int) -> dict[str, Any]:
    return {
        "now": now,
        "before": before,
        "change": now - before,
        "percent": round((now - before) * 100 / before, 1) if before else None,
    }


def year_on_year(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """起数 and 死亡人数 against the same period a year earlier; 双下降 when both fell."""
    accidents = _change(current["accidents"], previous["accidents"])
    deaths = _change(current["deaths"], previous["deaths"])
    return {
        "accidents": accidents,
        "deaths": deaths,
        "double_decline": accidents["change"] < 0 and deaths["change"] < 0,
    }


def _breakdown(qs: QuerySet[Accident], key: Any, labels: dict[Any, str]) -> list[dict[str, Any]]:
    expression = F(key) if isinstance(key, str) else key
    rows = [_clean(r) for r in qs.values(key=expression).annotate(**MEASURES).order_by("key")]
    for row in rows:
        row["label"] = labels.get(row["key"], row["key"] or "未填")
    return rows


def accident_statistics(user: Any, period: Period, *, region: str | None = None) -> dict[str, Any]:
    """Accidents, deaths, missing, injuries and direct loss for accidents that occurred
    in `period` within the user's scope (optionally narrowed to `region`): totals, the
    same period a year earlier, and breakdowns by level, category, domain, industry,
    the next region level down and month. A region outside the scope raises Http404."""
    region = scoped_region(user, region)
    qs = accidents_in(user, period, region)
    current = totals(qs)
    previous = totals(accidents_in(user, period.year_before(), region))
    base = region or scope_for(user).region_prefix or ""
    child = Substr("region_id", 1, child_code_length(base))
    by_region = _breakdown(qs, child, {})
    label_child_rows(by_region, base)
    counted = {
        timezone.localtime(row["key"]).strftime("%Y-%m"): row
        for row in _breakdown(qs, TruncMonth("occurred_at"), {})
    }
    # every month of the period, a month without accidents as 0 (a chart must not skip it)
    by_month = [
        {**(counted.get(month) or _clean({})), "key": month, "label": month}
        for month in period.months()
    ]
    return {
        "period": period,
        "scope": whole_label_of(base),
        "totals": current,
        "previous": previous,
        "year_on_year": year_on_year(current, previous),
        "by_level": _breakdown(qs, "level", dict(LEVEL_CHOICES)),
        "by_category": _breakdown(
            qs, "category_id", dict(AccidentCategory.objects.values_list("code", "name"))
        ),
        "by_domain": _breakdown(qs, "domain", dict(Domain.choices)),
        "by_industry": _breakdown(
            qs, "industry_id", dict(Industry.objects.values_list("code", "name"))
        ),
        "by_region": by_region,
        "by_month": by_month,
    }


def target_report(user: Any, region: Region, year: int) -> dict[str, Any]:
    """Deaths against the region's 控制指标 for `year` ("死亡12人，占控制指标18人的66%")
    and the four rates of R-STAT where the denominators are known. A region outside the
    scope raises Http404; an ancestor of the user's region means the user's own."""
    code = scoped_region(user, region.code)
    if code != region.code:
        region = Region.objects.get(code=code)
    scope = scope_for(user)
    # targets are for a whole region: only users who see all of it compare against them
    if not scope.region_wide or not scope.covers_region(region.code):
        return {"available": False}
    period = Period(date(year, 1, 1), date(year, 12, 31))
    qs = accidents_in(user, period, region.code)
    deaths = qs.aggregate(
        all=Sum("deaths"),
        industry_trade=Sum("deaths", filter=Q(domain=Domain.INDUSTRY_TRADE)),
        road=Sum("deaths", filter=Q(domain=Domain.ROAD)),
        coal=Sum("deaths", filter=Q(industry_id=COAL_MINING)),
    )
    deaths = {k: v or 0 for k, v in deaths.items()}
    target = ControlTarget.objects.filter(region=region, year=year).first()
    report: dict[str, Any] = {
        "available": True,
        "region": region,
        "year": year,
        "deaths": deaths["all"],
        "target": target,
        "usage": None,
        "rates": [],
        "larger_accidents": qs.filter(level__gte=2).count(),
    }
    if target is None:
        return report
    if target.death_target:
        report["usage"] = round(
            indicators.target_usage(deaths["all"], target.death_target) * 100, 1
        )
    rates = [
        (
            "亿元GDP生产安全事故死亡率",
            target.gdp_100m,
            deaths["all"],
            indicators.deaths_per_100m_gdp,
        ),
        (
            "工矿商贸就业人员十万人生产安全事故死亡率",
            target.employed_persons,
            deaths["industry_trade"],
            indicators.deaths_per_100k_workers,
        ),
        (
            "道路交通事故万车死亡率",
            target.motor_vehicles,
            deaths["road"],
            indicators.road_deaths_per_10k_vehicles,
        ),
        (
            "煤矿百万吨死亡率",
            target.coal_output_mt,
            deaths["coal"],
            indicators.coal_deaths_per_million_tonnes,
        ),
    ]
    for label, denominator, count, formula in rates:
        if denominator:
            report["rates"].append(
                {"label": label, "deaths": count, "value": round(formula(count, denominator), 4)}
            )
    return report


def monthly_table(user: Any, year: int, month: int, region: str | None = None) -> list[list[Any]]:
    """The monthly statistics table (生产安全事故统计月报): one row per domain and a 合计,
    with this month, the year to date, the same period last year and the change."""
    region = scoped_region(user, region)
    last_day = (date(year, month % 12 + 1, 1) if month < 12 else date(year + 1, 1, 1)).toordinal()
    month_period = Period(date(year, month, 1), date.fromordinal(last_day - 1))
    to_date = Period(date(year, 1, 1), month_period.end)
    rows = []

    def figures(qs: QuerySet[Accident]) -> dict[str, Any]:
        return totals(qs)

    for value, label in [*Domain.choices, (None, "合计")]:

        def pick(qs: QuerySet[Accident], value: Any = value) -> QuerySet[Accident]:
            return qs if value is None else qs.filter(domain=value)

        this_month = figures(pick(accidents_in(user, month_period, region)))
        cumulative = figures(pick(accidents_in(user, to_date, region)))
        before = figures(pick(accidents_in(user, to_date.year_before(), region)))
        change = year_on_year(cumulative, before)
        rows.append(
            [
                label,
                this_month["accidents"],
                this_month["deaths"],
                cumulative["accidents"],
                cumulative["deaths"],
                cumulative["missing"],
                cumulative["serious_injuries"] + cumulative["minor_injuries"],
                float(to_wan(cumulative["direct_loss"])),
                before["accidents"],
                before["deaths"],
                change["accidents"]["percent"],
                change["deaths"]["percent"],
            ]
        )
    return rows


MONTHLY_HEADERS = [
    "领域",
    "本月起数",
    "本月死亡（人）",
    "累计起数",
    "累计死亡（人）",
    "累计下落不明（人）",
    "累计受伤（人）",
    "累计直接经济损失（万元）",
    "去年同期起数",
    "去年同期死亡（人）",
    "起数同比（%）",
    "死亡同比（%）",
]
