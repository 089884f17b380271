from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from anjian.core.audit import history_for
from anjian.core.forms import apply_service_errors
from anjian.core.listing import Column, ListPage, local_minute
from anjian.enterprises.selectors import enterprise_get
from anjian.inspections import permissions, selectors, services
from anjian.inspections.forms import InspectionFilterForm, InspectionForm, png_from_data_url
from anjian.inspections.models import (
    Answer,
    ChecklistTemplate,
    InspectionPlan,
    InspectionPoint,
    Kind,
)


class InspectionList(ListPage):
    title = "检查记录"
    template_name = "inspections/list.html"
    filter_form_class = InspectionFilterForm
    export_name = "检查记录"
    default_sort = "-finished_at"
    create_label = "新建检查"
    columns = [
        Column("完成时间", lambda i: local_minute(i.finished_at), sort="finished_at", link=True),
        Column(
            "被检查单位",
            lambda i: i.enterprise.organisation.name,
            sort="enterprise_id",
            href=lambda i: i.enterprise.get_absolute_url(),
        ),
        Column("检查类型", lambda i: i.get_kind_display(), sort="kind"),
        Column("检查表", lambda i: str(i.template), phone=False),
        Column("检查人", lambda i: i.inspector.get_full_name(), phone=False),
        Column("不合格项", lambda i: i.failed, sort="failed"),
    ]

    @property
    def create_url(self):
        from django.urls import reverse

        return reverse("inspections:start")

    def can_create(self, request):
        return permissions.can_inspect(request.user)

    def queryset(self, request):
        from django.db.models import Count, Q

        return selectors.inspections_for(request.user).annotate(
            failed=Count("answers", filter=Q(answers__result=Answer.Result.FAIL))
        )

    def filter(self, qs, data):
        from django.db.models import Q

        from anjian.core.periods import day_start

        text = (data.get("enterprise") or "").strip()
        if text:
            qs = qs.filter(
                Q(enterprise__organisation__name__icontains=text)
                | Q(enterprise__organisation__credit_code=text.upper())
            )
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("campaign"):
            qs = qs.filter(campaign=data["campaign"])
        if data.get("failed"):
            qs = qs.filter(failed__gt=0)
        if data.get("finished_from"):
            qs = qs.filter(finished_at__gte=day_start(data["finished_from"]))
        if data.get("finished_to"):
            from datetime import timedelta

            qs = qs.filter(finished_at__lt=day_start(data["finished_to"] + timedelta(days=1)))
        return qs


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answers_from(request, template):
    answers = []
    for item in template.items():
        answers.append(
            services.AnswerIn(
                item_id=item.pk,
                result=request.POST.get(f"result_{item.pk}", ""),
                note=request.POST.get(f"note_{item.pk}", "").strip(),
                photos=request.FILES.getlist(f"photos_{item.pk}"),
            )
        )
    return answers


@require_http_methods(["GET", "POST"])
def inspection_start(request):
    """Do an inspection on a phone: pick the checklist, answer every item, sign.
    The page keeps the answers on the device until the server has them."""
    user = request.user
    if not permissions.can_inspect(user):
        raise PermissionDenied("无权进行检查。")
    point = plan = None
    if request.GET.get("point"):
        point = InspectionPoint.objects.filter(token=request.GET["point"]).first()
        if point is None:
            raise Http404
        enterprise = enterprise_get(user, point.enterprise_id)
        template = point.template
    elif not request.GET.get("enterprise"):
        return _pick_enterprise(request)
    else:
        try:
            enterprise = enterprise_get(user, int(request.GET.get("enterprise", "")))
        except ValueError as exc:
            raise Http404 from exc
        template = None
        if request.GET.get("plan"):
            plan = (
                InspectionPlan.objects.filter(pk=request.GET["plan"], inspector=user)
                .select_related("template")
                .first()
            )
            if plan is None:
                raise Http404
            template = plan.template
        if request.GET.get("template"):
            template = ChecklistTemplate.objects.filter(pk=request.GET["template"]).first()
            if template is None:
                raise Http404
    if template is None:
        return render(
            request,
            "inspections/choose.html",
            {
                "title": f"选择检查表：{enterprise.organisation.name}",
                "enterprise": enterprise,
                "templates": _templates_for(enterprise),
            },
        )
    campaigns = selectors.campaigns_for(user)
    form = InspectionForm(
        request.POST or None, user=user, enterprise=enterprise, campaigns=campaigns
    )
    item_errors = {}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection, _ = services.inspection_submit(
                actor=user,
                enterprise=enterprise,
                template=template,
                kind=d["kind"],
                client_id=d["client_id"],
                answers=_answers_from(request, template),
                place=d["place"],
                signed_by=d["signed_by"],
                started_at=d["started_at"],
                enterprise_signed_by=d["enterprise_signed_by"],
                summary=d["summary"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                participants=list(d.get("participants") or []),
                campaign=d["campaign"] or (plan.campaign if plan else None),
                plan=plan,
                point=point,
                signature=png_from_data_url(d["signature_data"]),
                enterprise_signature=png_from_data_url(d["enterprise_signature_data"]),
            )
        except ValidationError as exc:
            item_errors = {k: v for k, v in exc.message_dict.items() if k not in form.fields}
            apply_service_errors(form, exc)
        else:
            if _wants_json(request):
                return JsonResponse({"url": inspection.get_absolute_url()})
            return redirect(inspection)
    if request.method == "POST" and _wants_json(request):
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return JsonResponse({"errors": {**errors, **item_errors}}, status=400)
    sections = []
    for section in template.sections.prefetch_related("items"):
        sections.append(
            {
                "title": section.title,
                "items": [
                    {
                        "item": item,
                        "result": request.POST.get(f"result_{item.pk}", ""),
                        "note": request.POST.get(f"note_{item.pk}", ""),
                        "error": " ".join(
                            item_errors.get(f"note_{item.pk}", [])
                            + item_errors.get(f"photos_{item.pk}", [])
                        ),
                    }
                    for item in section.items.all()
                ],
            }
        )
    return render(
        request,
        "inspections/do.html",
        {
            "title": f"检查：{enterprise.organisation.name}",
            "enterprise": enterprise,
            "template": template,
            "form": form,
            "sections": sections,
            "results": Answer.Result.choices,
            "answers_error": " ".join(item_errors.get("answers", [])),
            "point": point,
            "storage_key": f"anjian:inspection:{enterprise.pk}:{template.pk}",
        },
    )


def _pick_enterprise(request):
    """新建检查 without an enterprise: pick it by name first (the scope's register only)."""
    from anjian.inspections.forms import StartForm

    # submitted without picking a suggestion: say so in place
    form = StartForm(request.GET if "enterprise_q" in request.GET else None, user=request.user)
    form.is_valid()
    return render(request, "inspections/start.html", {"title": "新建检查", "form": form})


def _templates_for(enterprise):
    industry = enterprise.organisation.industry
    codes = {industry.code, getattr(industry, "section_id", None)} if industry else set()
    result = []
    for template in selectors.current_templates():
        wanted = {c.strip() for c in template.industry_codes.split(",") if c.strip()}
        result.append((template, not wanted or bool(wanted & codes)))
    return sorted(result, key=lambda pair: (not pair[1], pair[0].name))


def inspection_detail(request, pk):
    inspection = selectors.inspection_get(request.user, pk)
    answers = inspection.answers.select_related("item__section", "hazard").prefetch_related(
        "photos"
    )
    return render(
        request,
        "inspections/detail.html",
        {
            "title": f"检查记录：{inspection.enterprise.organisation.name}",
            "inspection": inspection,
            "answers": answers,
            "failed": sum(1 for a in answers if a.result == Answer.Result.FAIL),
            "participants": inspection.participants.all(),
            "scan": getattr(inspection, "scan", None) if hasattr(inspection, "scan") else None,
            "history": history_for(inspection)[:50],
            "kinds": dict(Kind.choices),
        },
    )


def report_download(request, pk, fmt):
    """The inspection record's old address: the file itself comes from the scoped file view."""
    inspection = selectors.inspection_get(request.user, pk)
    field = inspection.report if fmt == "pdf" else inspection.report_docx
    if not field:
        raise Http404("检查记录正在生成")
    return redirect(field.url)


# --- tasks, checklists, campaigns, plans, points, statistics ------------------------


def my_tasks(request):
    """我的检查任务: due and overdue inspections of the plans the user inspects."""
    from anjian.inspections.forms import StartForm
    from anjian.inspections.planning import planned_summary, tasks_for

    if not permissions.can_inspect(request.user):
        raise PermissionDenied("无权进行检查。")
    tasks = tasks_for(request.user)
    windows = {t.window for t in tasks}
    return render(
        request,
        "inspections/tasks.html",
        {
            "title": "我的检查任务",
            "tasks": tasks,
            "planned": planned_summary(tasks),
            # one window for every task (the usual case): the same figures on 检查统计
            "window": windows.pop() if len(windows) == 1 else None,
            "start_form": StartForm(user=request.user),
        },
    )


class ChecklistList(ListPage):
    title = "检查表"
    create_label = "新建检查表"

    @property
    def create_url(self):
        from django.urls import reverse

        return reverse("inspections:checklist_create")

    def can_create(self, request):
        return permissions.can_manage(request.user)

    export_name = "检查表"
    default_sort = "name"
    columns = [
        Column("名称", lambda t: t.name, sort="name", link=True),
        Column("版本", lambda t: f"第{t.version}版"),
        Column("领域", lambda t: t.domain.name, sort="domain_id"),
        Column("依据", lambda t: t.basis, phone=False),
    ]

    def queryset(self, request):
        return selectors.current_templates()


def checklist_detail(request, pk):
    template = ChecklistTemplate.objects.select_related("domain").filter(pk=pk).first()
    if template is None:
        raise Http404
    versions = ChecklistTemplate.objects.filter(family=template.family).order_by("-version")
    return render(
        request,
        "inspections/checklist.html",
        {
            "title": f"检查表：{template.name}",
            "template": template,
            "sections": template.sections.prefetch_related("items"),
            "versions": versions,
            "can_edit": permissions.can_manage(request.user) and template.is_current,
        },
    )


@require_http_methods(["GET", "POST"])
def checklist_edit(request, pk):
    from anjian.core.forms import form_page
    from anjian.inspections.forms import ChecklistEditForm

    template = ChecklistTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    if not permissions.can_manage(request.user):
        raise PermissionDenied("无权修改检查表。")
    initial = {
        "name": template.name,
        "content": ChecklistEditForm.as_text(services.template_sections(template)),
    }
    return form_page(
        request,
        ChecklistEditForm(request.POST or None, initial=initial),
        lambda d: services.template_revise(
            actor=request.user, template=template, name=d["name"], sections=d["sections"]
        ),
        success=lambda t: f"已保存为第{t.version}版；已完成的检查仍按原版本记录。",
        title=f"修订检查表：{template.name}（现为第{template.version}版）",
        back_url=template.get_absolute_url(),
        back_label="检查表",
    )


@require_http_methods(["GET", "POST"])
def checklist_create(request):
    from django.urls import reverse

    from anjian.core.forms import form_page
    from anjian.inspections.forms import ChecklistCreateForm

    if not permissions.can_manage(request.user):
        raise PermissionDenied("无权新建检查表。")
    return form_page(
        request,
        ChecklistCreateForm(request.POST or None),
        lambda d: services.template_create(
            actor=request.user,
            name=d["name"],
            domain=d["domain"],
            sections=d["sections"],
            industry_codes=d["industry_codes"],
            basis=d["basis"],
        ),
        success="检查表已新建。",
        title="新建检查表",
        back_url=reverse("inspections:checklists"),
        back_label="检查表",
    )


class CampaignList(ListPage):
    title = "专项整治"
    export_name = "专项整治"
    default_sort = "-start"
    create_label = "部署专项整治"
    columns = [
        Column("名称", lambda c: c.name, sort="name", link=True),
        Column("期间", lambda c: f"{c.start:%Y-%m-%d} 至 {c.end:%Y-%m-%d}", sort="start"),
        Column("范围", lambda c: c.region.name, phone=False),
        Column(
            "牵头部门",
            lambda c: c.lead.name,
            phone=False,
            href=lambda c: c.lead.get_absolute_url() if c.organisation_visible else None,
        ),
    ]

    @property
    def create_url(self):
        from django.urls import reverse

        return reverse("inspections:campaign_create")

    def can_create(self, request):
        return permissions.can_manage(request.user)

    def queryset(self, request):
        from anjian.orgs.selectors import with_organisation_visible

        return with_organisation_visible(
            selectors.campaigns_for(request.user), request.user, path="lead_id"
        )


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    from django.urls import reverse

    from anjian.core.forms import form_page
    from anjian.inspections.forms import CampaignForm

    if not permissions.can_manage(request.user):
        raise PermissionDenied("无权部署专项整治。")
    form = CampaignForm(request.POST or None, request=request)

    def create(d):
        data = {k: v for k, v in d.items() if k not in ("domains", "cooperating")}
        return services.campaign_create(
            actor=request.user,
            data=data,
            domains=list(d["domains"]),
            cooperating=list(d["cooperating"]),
        )

    return form_page(
        request,
        form,
        create,
        success="专项整治已部署。",
        title="部署专项整治",
        back_url=reverse("inspections:campaigns"),
        back_label="专项整治",
    )


def campaign_detail(request, pk):
    from anjian.inspections.planning import campaign_board

    campaign = selectors.campaign_get(request.user, pk)
    return render(
        request,
        "inspections/campaign.html",
        {
            "title": campaign.name,
            "campaign": campaign,
            "board": campaign_board(request.user, campaign),
        },
    )


class PlanList(ListPage):
    title = "检查计划"
    export_name = "检查计划"
    default_sort = "-start"
    create_label = "制定检查计划"
    columns = [
        Column("名称", lambda p: p.name, sort="name"),
        Column("检查人", lambda p: p.inspector.get_full_name()),
        Column("检查表", lambda p: p.template.name, phone=False),
        Column("频次", lambda p: p.get_frequency_display()),
        Column("开始", lambda p: p.start, sort="start", phone=False),
        Column("结束", lambda p: p.end, phone=False),
    ]

    @property
    def create_url(self):
        from django.urls import reverse

        return reverse("inspections:plan_create")

    def can_create(self, request):
        return permissions.can_manage(request.user)

    def queryset(self, request):
        return selectors.plans_for(request.user)


@require_http_methods(["GET", "POST"])
def plan_create(request):
    from django.urls import reverse

    from anjian.core.forms import form_page
    from anjian.inspections.forms import PlanForm

    if not permissions.can_manage(request.user):
        raise PermissionDenied("无权制定检查计划。")
    form = PlanForm(
        request.POST or None, request=request, campaigns=selectors.campaigns_for(request.user)
    )

    def create(d):
        extra = ("enterprises", "add_matching", "filter_region", "filter_industry")
        data = {k: v for k, v in d.items() if k not in extra}
        return services.plan_create(actor=request.user, data=data, enterprises=d["enterprises"])

    return form_page(
        request,
        form,
        create,
        success="检查计划已制定。",
        title="制定检查计划",
        back_url=reverse("inspections:plans"),
        back_label="检查计划",
        redirect_to="inspections:plans",
    )


def points(request, enterprise_pk):
    """An enterprise's QR inspection points, printable."""
    import segno

    enterprise = enterprise_get(request.user, enterprise_pk)
    rows = []
    for point in selectors.points_for(request.user).filter(enterprise=enterprise):
        url = request.build_absolute_uri(f"/inspections/new/?point={point.token}")
        rows.append(
            {"point": point, "url": url, "svg": segno.make(url, error="m").svg_inline(scale=4)}
        )
    return render(
        request,
        "inspections/points.html",
        {
            "title": f"巡检点：{enterprise.organisation.name}",
            "enterprise": enterprise,
            "rows": rows,
            "can_add": permissions.can_manage(request.user)
            or request.user.organisation_id == enterprise.pk,
        },
    )


@require_http_methods(["GET", "POST"])
def point_create(request, enterprise_pk):
    from django.urls import reverse

    from anjian.core.forms import form_page
    from anjian.inspections.forms import PointForm

    enterprise = enterprise_get(request.user, enterprise_pk)
    back = reverse("inspections:points", args=[enterprise.pk])
    return form_page(
        request,
        PointForm(request.POST or None),
        lambda d: services.point_create(actor=request.user, enterprise=enterprise, data=d),
        success="巡检点已设置，可打印二维码张贴。",
        title=f"设置巡检点：{enterprise.organisation.name}",
        back_url=back,
        back_label="巡检点",
        redirect_to=back,
    )


def statistics_page(request):
    from django.utils import timezone

    from anjian.core.periods import Period
    from anjian.inspections.forms import PeriodForm
    from anjian.inspections.planning import inspection_statistics

    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    period = Period(today.replace(month=1, day=1), today)
    if form.is_bound and form.is_valid():
        period = Period(
            form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end
        )
        if period.start > period.end:
            period = Period(period.end, period.start)
    return render(
        request,
        "inspections/statistics.html",
        {"title": "检查统计", "form": form, "stats": inspection_statistics(request.user, period)},
    )


def service_worker(request):
    """The inspection pages' service worker, served under /inspections/ for its scope."""
    from pathlib import Path

    from django.http import HttpResponse

    script = Path(__file__).resolve().parent / "static" / "inspections" / "sw.js"
    response = HttpResponse(script.read_text(encoding="utf-8"), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
