from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from anjian.core.audit import history_for
from anjian.core.forms import form_page, post_action
from anjian.core.listing import Column, ListPage, local_minute
from anjian.enterprises.selectors import enterprise_get
from anjian.hazards import permissions, selectors, services
from anjian.hazards.forms import (
    DecisionForm,
    ExtensionForm,
    HazardFilterForm,
    HazardForm,
    ListingForm,
    NoteForm,
    PlanForm,
    ProgressForm,
    ReasonForm,
    SubmitForm,
)
from anjian.hazards.models import ExtensionRequest, Level
from anjian.hazards.photos import attach_to_events, list_thumbnail
from anjian.orgs.models import Role


def _plan(h, field):
    plan = getattr(h, "plan", None)
    return getattr(plan, field) if plan else None


def _status_label(h) -> str:
    """The status with its flags: 逾期 (past the deadline), 未制定方案 (stalled)."""
    flags = [f for f, on in (("逾期", h.is_overdue()), ("未制定方案", h.is_stalled())) if on]
    return h.get_status_display() + (f"（{'，'.join(flags)}）" if flags else "")


class HazardLedger(ListPage):
    title = "隐患台账"
    count_cap = 10_000
    export_name = "隐患台账"
    filter_form_class = HazardFilterForm
    default_sort = "-found_at"
    columns = [
        Column(
            "企业",
            lambda h: h.enterprise.organisation.name,
            sort="enterprise_id",
            href=lambda h: h.enterprise.get_absolute_url(),
        ),
        Column("部位/设备", lambda h: h.place, link=True),
        Column("隐患描述", lambda h: h.description, phone=False),
        Column("领域", lambda h: h.domain.name, sort="domain_id", phone=False),
        Column("等级", lambda h: h.get_level_display(), sort="level"),
        Column("来源", lambda h: h.get_source_display(), sort="source", phone=False),
        Column("发现时间", lambda h: local_minute(h.found_at), sort="found_at", phone=False),
        Column("状态", lambda h: _status_label(h), sort="status"),
        Column("整改期限", lambda h: local_minute(h.deadline), sort="deadline", phone=False),
        Column("重复", lambda h: "是" if h.is_repeat else None, phone=False),
        # 五落实 columns: exported, not shown in the table
        Column("整改措施", lambda h: _plan(h, "measures"), table=False),
        Column("整改责任人", lambda h: _plan(h, "responsible_person"), table=False),
        Column("整改资金（元）", lambda h: _plan(h, "funds"), table=False),
        Column("应急预案/防范措施", lambda h: _plan(h, "contingency"), table=False),
        Column("销号时间", lambda h: local_minute(h.closed_at), sort="closed_at", phone=False),
        # the evidence at a glance: a thumbnail through the scoped file view, not exported
        Column("照片", list_thumbnail, export=False, phone=False),
    ]

    def queryset(self, request):
        return selectors.hazards_for(request.user).prefetch_related("photos")

    def filter(self, qs, data):
        region = data.get("region")
        domain = data.get("domain")
        return selectors.filter_hazards(
            qs,
            region=region.code if region else None,
            q=data.get("q"),
            department=data.get("department"),
            domain=domain.code if domain else None,
            level=data.get("level"),
            status=data.get("status"),
            source=data.get("source"),
            overdue=bool(data.get("overdue")),
            stalled=bool(data.get("stalled")),
            found_from=data.get("found_from"),
            found_to=data.get("found_to"),
        )


@require_http_methods(["GET", "POST"])
def hazard_create(request, enterprise_pk):
    enterprise = enterprise_get(request.user, enterprise_pk)
    if not permissions.can_register(request.user):
        raise PermissionDenied("无权登记隐患。")
    is_enterprise = request.user.role == Role.ENTERPRISE

    def register(cleaned):
        data = dict(cleaned)
        immediate, note, photos = (
            data.pop("immediate"),
            data.pop("rectification_note"),
            data.pop("photos"),
        )
        if not data.get("found_by_name"):
            data.pop("found_by_name", None)
        return services.hazard_register(
            actor=request.user,
            enterprise=enterprise,
            data=data,
            immediate=immediate,
            rectification_note=note,
            photos=photos,
        )

    return form_page(
        request,
        HazardForm(request.POST or None, request.FILES or None, enterprise_user=is_enterprise),
        register,
        success=lambda hazard: (
            "隐患已登记并销号（立即整改）。" if hazard.immediate else "隐患已登记。"
        ),
        title=f"登记隐患：{enterprise.name}",
        back_url=enterprise.get_absolute_url(),
        back_label=enterprise.name,
    )


def hazard_detail(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    user = request.user
    photos = list(hazard.photos.all())
    context = {
        "title": f"隐患：{hazard.place}",
        "hazard": hazard,
        "now": timezone.now(),
        "events": attach_to_events(list(hazard.events.select_related("actor")), photos),
        "extensions": hazard.extensions.all(),
        "history": history_for(hazard)[:100],
        "can_plan": permissions.can_plan(user, hazard),
        "can_submit": permissions.can_submit(user, hazard),
        "can_verify": permissions.can_verify(user, hazard) and hazard.rectified_by_id != user.pk,
        "can_extend": permissions.can_request_extension(user, hazard),
        "can_decide": permissions.can_decide_extension(user),
        "note_form": NoteForm(),
        "submit_form": SubmitForm(),
        "photos": photos,
        "reason_form": ReasonForm(),
        "extension_form": ExtensionForm(),
        "decision_form": DecisionForm(),
        "listing": getattr(hazard, "listing", None) if hasattr(hazard, "listing") else None,
        "progress_reports": hazard.progress_reports.select_related("reported_by"),
        "can_list": permissions.can_list(user)
        and hazard.level == Level.MAJOR
        and hazard.status != "closed"
        and not hasattr(hazard, "listing"),
        "listing_form": ListingForm(hazard=hazard),
        "can_report": permissions.can_report_progress(user, hazard) and hazard.status != "closed",
        "progress_form": ProgressForm(),
    }
    return render(request, "hazards/detail.html", context)


def _local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else None


@require_http_methods(["GET", "POST"])
def hazard_plan(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    if not permissions.can_plan(request.user, hazard):
        raise PermissionDenied("无权确定整改方案。")
    return form_page(
        request,
        PlanForm(
            request.POST or None,
            major=hazard.level == Level.MAJOR,
            limit=hazard.deadline,
            initial={"deadline": _local_input(hazard.deadline)},
        ),
        lambda d: services.hazard_set_plan(actor=request.user, hazard=hazard, plan=d),
        success="整改方案已确定，隐患进入整改。",
        title=f"整改方案（五落实）：{hazard.place}",
        back_url=hazard.get_absolute_url(),
        back_label="隐患",
    )


@require_POST
def hazard_submit(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    return post_action(
        request,
        SubmitForm(request.POST, request.FILES),
        lambda d: services.hazard_submit_rectification(
            actor=request.user, hazard=hazard, note=d["note"], photos=d["photos"]
        ),
        success="已提交整改，等待验收。",
        redirect_to=hazard,
    )


@require_POST
def hazard_verify(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    return post_action(
        request,
        NoteForm(request.POST),
        lambda d: services.hazard_verify(actor=request.user, hazard=hazard, note=d["note"]),
        success="验收通过，已销号。",
        redirect_to=hazard,
    )


@require_POST
def hazard_reject(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    return post_action(
        request,
        ReasonForm(request.POST),
        lambda d: services.hazard_reject(actor=request.user, hazard=hazard, reason=d["reason"]),
        success="验收不通过，已退回整改。",
        redirect_to=hazard,
    )


@require_POST
def extension_create(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    return post_action(
        request,
        ExtensionForm(request.POST),
        lambda d: services.extension_request(
            actor=request.user, hazard=hazard, new_deadline=d["new_deadline"], reason=d["reason"]
        ),
        success="延期申请已提交。",
        redirect_to=hazard,
    )


@require_POST
def extension_decide(request, pk, extension_pk):
    hazard = selectors.hazard_get(request.user, pk)
    extension = ExtensionRequest.objects.filter(hazard=hazard, pk=extension_pk).first()
    if extension is None:
        raise Http404
    return post_action(
        request,
        DecisionForm(request.POST),
        lambda d: services.extension_decide(
            actor=request.user, request=extension, approve=d["approve"], note=d["note"]
        ),
        success="已审批。",
        redirect_to=hazard,
    )


class ListedBoard(ListPage):
    """挂牌督办 board: listed 重大 hazards, their supervising organisation and reporting."""

    title = "挂牌督办"
    export_name = "挂牌督办隐患"
    default_sort = "-listing__listed_at"
    columns = [
        Column(
            "企业",
            lambda h: h.enterprise.organisation.name,
            href=lambda h: h.enterprise.get_absolute_url(),
        ),
        Column("隐患", lambda h: f"{h.place}：{h.description}", link=True),
        Column("督办层级", lambda h: h.listing.get_level_display(), sort="listing__level"),
        Column(
            "督办单位",
            lambda h: h.listing.supervising_org.name,
            phone=False,
            href=lambda h: (
                h.listing.supervising_org.get_absolute_url() if h.organisation_visible else None
            ),
        ),
        Column(
            "挂牌时间",
            lambda h: local_minute(h.listing.listed_at),
            sort="listing__listed_at",
            phone=False,
        ),
        Column("状态", lambda h: _status_label(h), sort="status"),
        Column("整改期限", lambda h: local_minute(h.deadline), sort="deadline", phone=False),
        Column(
            "下次进展报告",
            lambda h: None if h.status == "closed" else local_minute(h.listing.next_report_due()),
            phone=False,
        ),
    ]

    def queryset(self, request):
        from anjian.orgs.selectors import with_organisation_visible

        return with_organisation_visible(
            selectors.listed_hazards_for(request.user),
            request.user,
            path="listing__supervising_org_id",
        )


@require_POST
def hazard_list_for_supervision(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    return post_action(
        request,
        ListingForm(request.POST, hazard=hazard),
        lambda d: services.hazard_list_for_supervision(
            actor=request.user,
            hazard=hazard,
            level=d["level"],
            supervising_org=d["supervising_org"],
            report_every_days=d["report_every_days"],
            note=d["note"],
        ),
        success="已挂牌督办。",
        redirect_to=hazard,
    )


@require_POST
def hazard_progress(request, pk):
    hazard = selectors.hazard_get(request.user, pk)
    return post_action(
        request,
        ProgressForm(request.POST),
        lambda d: services.progress_report(actor=request.user, hazard=hazard, text=d["text"]),
        success="进展已报告。",
        redirect_to=hazard,
    )


def hazard_statistics_page(request):
    """隐患统计: the figures a leader quotes, for the user's scope and a chosen period."""
    import json

    from anjian.hazards.forms import StatisticsForm
    from anjian.hazards.statistics import Period, hazard_statistics

    form = StatisticsForm(request.GET or None, request=request)
    today = timezone.localdate()
    period = Period(today.replace(month=1, day=1), today)
    region = None
    if form.is_bound and form.is_valid():
        period = Period(
            form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
        )
        region = form.cleaned_data["region"].code if form.cleaned_data.get("region") else None
    stats = hazard_statistics(request.user, period, region=region)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["排查", "整改"], "top": 0},
        "grid": {"left": 40, "right": 10, "bottom": 90, "top": 40},
        "xAxis": {
            "type": "category",
            "data": [r["label"] for r in stats["by_region"]],
            "axisLabel": {"rotate": 40, "interval": 0},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "排查", "type": "bar", "data": [r["found"] for r in stats["by_region"]]},
            {"name": "整改", "type": "bar", "data": [r["closed"] for r in stats["by_region"]]},
        ],
    }
    return render(
        request,
        "hazards/statistics.html",
        {
            "title": "隐患统计",
            "form": form,
            "stats": stats,
            "chart": json.dumps(chart, ensure_ascii=False),
        },
    )


class FilingList(ListPage):
    """R-HAZ-4 统计报送: which enterprises in scope have filed a period, and who has not."""

    title = "隐患统计报送"
    export_name = "隐患统计报送情况"
    template_name = "hazards/filings.html"
    default_sort = "organisation__region_id"
    columns = [
        Column("企业", lambda e: e.organisation.name, sort="organisation__name", link=True),
        Column("所在区划", lambda e: e.organisation.region.name, sort="organisation__region_id"),
        Column("主要负责人", lambda e: e.principal_name or None, phone=False),
        Column("报送情况", lambda e: "已报送" if e.filed else "未报送", sort="filed"),
    ]

    def get(self, request, *args, **kwargs):
        from anjian.hazards.forms import FilingPeriodForm

        self.period_form = FilingPeriodForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def queryset(self, request):
        from anjian.enterprises.selectors import enterprises_for
        from anjian.hazards.filings import filing_status

        year, quarter, missing = self.period_form.period()
        qs = filing_status(
            enterprises_for(request.user).filter(status__in=["operating", "suspended"]),
            year,
            quarter,
        )
        return qs.filter(filed=False) if missing else qs

    def extra_context(self, request):
        from anjian.hazards.filings import due_date
        from anjian.hazards.forms import FilingForm

        year, quarter, _ = self.period_form.period()
        own = None
        if request.user.role == Role.ENTERPRISE and request.user.organisation_id:
            own = FilingForm(initial={"year": year, "quarter": quarter})
        return {
            "period_form": self.period_form,
            "due_on": due_date(year, quarter),
            "filing_form": own,
        }


@require_POST
def file_statistics(request):
    from anjian.enterprises.selectors import enterprise_get
    from anjian.hazards.filings import file_statistics as file_
    from anjian.hazards.forms import FilingForm

    enterprise = enterprise_get(request.user, request.user.organisation_id or 0)
    return post_action(
        request,
        FilingForm(request.POST),
        lambda d: file_(
            actor=request.user,
            enterprise=enterprise,
            year=d["year"],
            quarter=d["quarter"],
            signed_by=d["signed_by"],
            note=d["note"],
        ),
        success="统计已报送。",
        redirect_to="hazards:filings",
    )
