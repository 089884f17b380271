import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from anjian.accidents import permissions, selectors, services
from anjian.accidents.forms import (
    AccidentFilterForm,
    AccidentForm,
    ConcealmentForm,
    ExtendForm,
    FindingForm,
    InvestigationForm,
    MonthlyForm,
    ReceiveForm,
    ReportUploadForm,
    StatisticsForm,
    SupplementForm,
    TargetForm,
)
from anjian.accidents.models import WatchEntry
from anjian.accidents.statistics import (
    MONTHLY_HEADERS,
    accident_statistics,
    monthly_table,
    target_report,
)
from anjian.core.access import scope_for
from anjian.core.audit import history_for
from anjian.core.exports import xlsx_response
from anjian.core.forms import form_page, post_action
from anjian.core.listing import Column, ListPage, local_minute
from anjian.core.money import to_wan
from anjian.core.periods import Period
from anjian.enterprises.selectors import enterprise_get
from anjian.regions.models import Region


def duration_text(delta):
    """A delay as 报表 write it: 1天2小时5分钟."""
    if not delta:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "天"), (hours, "小时"), (minutes, "分钟")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "不足1分钟"


def _late_mark(a):
    delay = a.report_delay()
    marks = []
    if delay:
        marks.append("迟报")
    if a.concealment:
        marks.append(a.get_concealment_display())
    return "、".join(marks) or None


class AccidentList(ListPage):
    title = "事故台账"
    export_name = "事故台账"
    filter_form_class = AccidentFilterForm
    default_sort = "-occurred_at"
    columns = [
        Column("发生时间", lambda a: local_minute(a.occurred_at), sort="occurred_at", link=True),
        Column(
            "事故单位",
            lambda a: a.unit_name,
            sort="unit_name",
            # a unit not in the register (free text) has no page
            href=lambda a: (
                reverse("enterprises:detail", args=[a.enterprise_id]) if a.enterprise_id else None
            ),
        ),
        Column("发生地", lambda a: a.region.name, sort="region_id", phone=False),
        Column("领域", lambda a: a.get_domain_display(), sort="domain", phone=False),
        Column("类别", lambda a: a.category.name, sort="category_id", phone=False),
        Column("等级", lambda a: a.get_level_display(), sort="level"),
        Column("死亡", lambda a: a.deaths, sort="deaths"),
        Column("下落不明", lambda a: a.missing, phone=False),
        Column("重伤", lambda a: a.serious_injuries, phone=False),
        Column("轻伤", lambda a: a.minor_injuries, phone=False),
        Column(
            "直接经济损失（万元）",
            lambda a: float(to_wan(a.direct_loss)),
            sort="direct_loss",
            phone=False,
        ),
        Column("报告情况", _late_mark, phone=False),
    ]

    def queryset(self, request):
        return selectors.accidents_for(request.user)

    def filter(self, qs, data):
        region = data.get("region")
        category = data.get("category")
        return selectors.filter_accidents(
            qs,
            region=region.code if region else None,
            unit=data.get("unit"),
            level=data.get("level") or None,
            category=category.code if category else None,
            domain=data.get("domain"),
            concealment=data.get("concealment"),
            occurred_from=data.get("occurred_from"),
            occurred_to=data.get("occurred_to"),
            investigation_open=bool(data.get("investigation_open")),
        )

    def can_create(self, request):
        return permissions.can_report(request.user)

    create_label = "报告事故"

    @property
    def create_url(self):
        return reverse("accidents:create")


@require_http_methods(["GET", "POST"])
def accident_create(request):
    if not permissions.can_report(request.user):
        raise PermissionDenied("无权报告事故。")
    enterprise = None
    wanted = request.GET.get("enterprise")
    if request.user.role == "enterprise" and not request.user.is_superuser:
        wanted = request.user.organisation_id
    if wanted:
        try:
            enterprise = enterprise_get(request.user, int(wanted))
        except (TypeError, ValueError) as exc:
            raise Http404 from exc
    form = AccidentForm(request.POST or None, request=request, enterprise=enterprise)

    def report(cleaned):
        return services.accident_report(
            actor=request.user,
            data=form.report_data(),
            figures=form.figures(),
            enterprise=form.linked_enterprise(),
            received_at=cleaned.get("received_at"),
        )

    return form_page(
        request,
        form,
        report,
        success=lambda a: f"事故快报已报送（{a.get_level_display()}事故）。",
        title="事故快报" + (f"：{enterprise.organisation.name}" if enterprise else ""),
        back_url=reverse("accidents:list"),
        back_label="事故台账",
    )


def kuaibao_download(request, pk, fmt):
    """The 快报 as a file to print or send (R-ACC-4 layout): Word or PDF."""
    import io

    from django.http import FileResponse

    from anjian.accidents import kuaibao

    accident = selectors.accident_get(request.user, pk)
    if fmt == "docx":
        content = kuaibao.render_docx(accident)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        content = kuaibao.render_pdf(accident)
        content_type = "application/pdf"
    else:
        raise Http404
    name = f"事故快报-{timezone.localtime(accident.occurred_at):%Y%m%d}-{accident.pk}.{fmt}"
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=name, content_type=content_type
    )


def accident_detail(request, pk):
    accident = selectors.accident_get(request.user, pk)
    user = request.user
    investigation = accident.investigation
    supervise = permissions.can_supervise(user)
    now = timezone.now()
    steps = list(accident.steps.select_related("received_by"))
    for step in steps:
        step.delay_now = step.delay(now)
        step.delay_text = duration_text(step.delay_now)
    context = {
        "title": f"事故：{accident.unit_name}",
        "accident": accident,
        "now": now,
        "steps": steps,
        "versions": accident.versions.select_related("created_by"),
        "investigation": investigation,
        "deadline": investigation.deadline(),
        "findings": investigation.findings.all(),
        "supplement_deadline": accident.supplement_deadline(),
        "history": history_for(accident, investigation)[:100],
        "can_supplement": permissions.can_supplement(user, accident),
        "can_supervise": supervise,
        "receive_form": ReceiveForm(accident=accident) if supervise else None,
        "concealment_form": ConcealmentForm() if supervise else None,
        "extend_form": ExtendForm() if supervise else None,
        "report_form": ReportUploadForm() if supervise else None,
        "finding_form": FindingForm() if supervise else None,
        "veto": getattr(accident, "veto", None) if hasattr(accident, "veto") else None,
    }
    return render(request, "accidents/detail.html", context)


@require_http_methods(["GET", "POST"])
def accident_supplement(request, pk):
    accident = selectors.accident_get(request.user, pk)
    if not permissions.can_supplement(request.user, accident):
        raise PermissionDenied("无权续报该事故。")
    initial = {
        "deaths": accident.deaths,
        "missing": accident.missing,
        "serious_injuries": accident.serious_injuries,
        "minor_injuries": accident.minor_injuries,
        "direct_loss_10k": accident.direct_loss / 10_000,
    }
    form = SupplementForm(request.POST or None, initial=initial)
    deadline = timezone.localtime(accident.supplement_deadline())
    form.fields["reason"].help_text = f"补报时限：{deadline:%Y-%m-%d %H:%M}"
    return form_page(
        request,
        form,
        lambda d: services.accident_supplement(
            actor=request.user,
            accident=accident,
            figures=form.figures(),
            note=d["note"],
            reason=d["reason"],
        ),
        success=lambda v: f"第{v.number}次报告（{v.get_kind_display()}）已报送。",
        title=f"续报/补报：{accident.unit_name}",
        back_url=accident.get_absolute_url(),
        back_label="事故",
        redirect_to=accident,
    )


@require_POST
def step_receive(request, pk):
    accident = selectors.accident_get(request.user, pk)
    return post_action(
        request,
        ReceiveForm(request.POST, accident=accident),
        lambda d: services.step_receive(
            actor=request.user,
            accident=accident,
            authority=d["authority"],
            received_at=d["received_at"],
            note=d["note"],
        ),
        success="接报时间已登记。",
        redirect_to=accident,
    )


@require_POST
def mark_concealment(request, pk):
    accident = selectors.accident_get(request.user, pk)
    return post_action(
        request,
        ConcealmentForm(request.POST),
        lambda d: services.mark_concealment(
            actor=request.user,
            accident=accident,
            kind=d["kind"],
            channel=d["channel"],
            known_at=d["known_at"],
            evidence=d["evidence"],
        ),
        success="已认定并记录证据。",
        redirect_to=accident,
    )


@require_http_methods(["GET", "POST"])
def investigation_edit(request, pk):
    accident = selectors.accident_get(request.user, pk)
    if not permissions.can_supervise(request.user):
        raise PermissionDenied("无权办理事故调查。")
    investigation = accident.investigation
    form = InvestigationForm(request.POST or None, instance=investigation)
    return form_page(
        request,
        form,
        lambda d: services.investigation_update(
            actor=request.user, investigation=investigation, values=d
        ),
        success="调查情况已保存。",
        title=f"事故调查：{accident.unit_name}",
        back_url=accident.get_absolute_url(),
        back_label="事故",
        redirect_to=accident,
    )


@require_POST
def investigation_extend(request, pk):
    accident = selectors.accident_get(request.user, pk)
    return post_action(
        request,
        ExtendForm(request.POST),
        lambda d: services.investigation_extend(
            actor=request.user,
            investigation=accident.investigation,
            days=d["days"],
            reason=d["reason"],
        ),
        success="调查期限已延长。",
        redirect_to=accident,
    )


@require_POST
def investigation_report(request, pk):
    accident = selectors.accident_get(request.user, pk)
    return post_action(
        request,
        ReportUploadForm(request.POST, request.FILES),
        lambda d: services.investigation_report(
            actor=request.user, investigation=accident.investigation, report=d["report"]
        ),
        success="调查报告已上传。",
        redirect_to=accident,
    )


@require_POST
def finding_add(request, pk):
    accident = selectors.accident_get(request.user, pk)
    return post_action(
        request,
        FindingForm(request.POST),
        lambda d: services.finding_add(
            actor=request.user, investigation=accident.investigation, data=d
        ),
        success="责任认定已添加。",
        redirect_to=accident,
    )


@require_POST
def investigation_close(request, pk):
    """结案 has nothing to fill in: the service checks cause, report and 四不放过."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    accident = selectors.accident_get(request.user, pk)
    try:
        services.investigation_close(actor=request.user, investigation=accident.investigation)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "事故调查已结案。")
    return redirect(accident)


def _scope_region(request, chosen):
    if chosen is not None:
        return chosen
    prefix = scope_for(request.user).region_prefix
    return Region.objects.filter(code=prefix).first() if prefix else None


def statistics_page(request):
    """事故统计: figures, year-on-year, deaths against the control target and the rates."""
    form = StatisticsForm(request.GET or None, request=request)
    today = timezone.localdate()
    period = Period(today.replace(month=1, day=1), today)
    region = None
    if form.is_bound and form.is_valid():
        period = Period(
            form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
        )
        region = form.cleaned_data.get("region")
    stats = accident_statistics(request.user, period, region=region.code if region else None)
    target_region = _scope_region(request, region)
    target = (
        target_report(request.user, target_region, period.end.year)
        if target_region
        else {"available": False}
    )
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["起数", "死亡"], "top": 0},
        "grid": {"left": 40, "right": 10, "bottom": 40, "top": 40},
        "xAxis": {"type": "category", "data": [r["label"] for r in stats["by_month"]]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "起数", "type": "bar", "data": [r["accidents"] for r in stats["by_month"]]},
            {"name": "死亡", "type": "bar", "data": [r["deaths"] for r in stats["by_month"]]},
        ],
    }
    return render(
        request,
        "accidents/statistics.html",
        {
            "title": "事故统计",
            "form": form,
            "stats": stats,
            "target": target,
            "chart": json.dumps(chart, ensure_ascii=False),
            "monthly_form": MonthlyForm(
                initial={"year": today.year, "month": today.month}, request=request
            ),
        },
    )


def monthly_export(request):
    form = MonthlyForm(request.GET, request=request)
    if not form.is_valid():
        from django.contrib import messages
        from django.shortcuts import redirect

        messages.error(
            request, "；".join(str(m) for errors in form.errors.values() for m in errors)
        )
        return redirect("accidents:statistics")
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    region = form.cleaned_data.get("region")
    rows = monthly_table(request.user, year, month, region.code if region else None)
    return xlsx_response(
        title=f"{year}年{month}月事故统计",
        headers=MONTHLY_HEADERS,
        rows=rows,
        filename=f"生产安全事故统计月报_{year}{month:02d}",
    )


class TargetList(ListPage):
    title = "控制指标"
    export_name = "控制指标"
    default_sort = "-year"
    columns = [
        Column("年度", lambda t: t.year, sort="year"),
        Column("区划", lambda t: t.region.full_name, sort="region_id"),
        Column("死亡控制指标（人）", lambda t: t.death_target),
        Column("GDP（亿元）", lambda t: t.gdp_100m, phone=False),
        Column("工矿商贸就业人员", lambda t: t.employed_persons, phone=False),
        Column("机动车（辆）", lambda t: t.motor_vehicles, phone=False),
        Column("原煤产量（百万吨）", lambda t: t.coal_output_mt, phone=False),
    ]
    create_label = "设置控制指标"

    @property
    def create_url(self):
        return reverse("accidents:target_edit")

    def queryset(self, request):
        return selectors.targets_for(request.user)

    def can_create(self, request):
        return permissions.can_supervise(request.user)


@require_http_methods(["GET", "POST"])
def target_edit(request):
    if not permissions.can_supervise(request.user):
        raise PermissionDenied("无权设置控制指标。")
    form = TargetForm(request.POST or None, request=request)
    return form_page(
        request,
        form,
        lambda d: services.target_set(
            actor=request.user, region=d["region"], year=d["year"], values=d
        ),
        success="控制指标已保存。",
        title="设置控制指标（同一区划同一年度再次保存即修改）",
        back_url=reverse("accidents:targets"),
        back_label="控制指标",
        redirect_to="accidents:targets",
    )


class WatchList(ListPage):
    title = "重点关注企业（较大及以上事故）"
    export_name = "重点关注企业"
    default_sort = "-added_at"
    columns = [
        Column(
            "企业",
            lambda w: w.enterprise.organisation.name,
            sort="enterprise_id",
            href=lambda w: w.enterprise.get_absolute_url(),
        ),
        Column("原因", lambda w: w.reason),
        Column("事故", lambda w: str(w.accident), phone=False),
        Column("列入时间", lambda w: local_minute(w.added_at), sort="added_at"),
    ]

    def queryset(self, request):
        visible = selectors.accidents_for(request.user).values("pk")
        return WatchEntry.objects.filter(
            accident__in=visible, lifted_at__isnull=True
        ).select_related("enterprise__organisation", "accident__category")
