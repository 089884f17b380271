from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from anjian.core.audit import history_for
from anjian.core.forms import apply_service_errors
from anjian.core.listing import Column, ListPage
from anjian.enterprises.selectors import enterprise_get
from anjian.inspections import permissions, selectors, services
from anjian.inspections.forms import InspectionForm
from anjian.inspections.models import Answer, ChecklistTemplate, InspectionPoint, Kind


def _local(dt):
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else None


class InspectionList(ListPage):
    title = "检查记录"
    export_name = "检查记录"
    default_sort = "-finished_at"
    columns = [
        Column("完成时间", lambda i: _local(i.finished_at), sort="finished_at", link=True),
        Column("被检查单位", lambda i: i.enterprise.organisation.name, sort="enterprise_id"),
        Column("检查类型", lambda i: i.get_kind_display(), sort="kind"),
        Column("检查表", lambda i: str(i.template), phone=False),
        Column("检查人", lambda i: i.inspector.get_full_name(), phone=False),
        Column("不合格项", lambda i: i.failed, sort="failed"),
    ]

    def queryset(self, request):
        from django.db.models import Count, Q

        return selectors.inspections_for(request.user).annotate(
            failed=Count("answers", filter=Q(answers__result=Answer.Result.FAIL))
        )


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
    point = None
    if request.GET.get("point"):
        point = InspectionPoint.objects.filter(token=request.GET["point"]).first()
        if point is None:
            raise Http404
        enterprise = enterprise_get(user, point.enterprise_id)
        template = point.template
    else:
        try:
            enterprise = enterprise_get(user, int(request.GET.get("enterprise", "")))
        except ValueError as exc:
            raise Http404 from exc
        template = None
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
                campaign=d["campaign"],
                point=point,
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
    from django.http import FileResponse

    inspection = selectors.inspection_get(request.user, pk)
    field = inspection.report if fmt == "pdf" else inspection.report_docx
    if not field:
        raise Http404("检查记录正在生成")
    return FileResponse(
        field.open("rb"), as_attachment=fmt != "pdf", filename=field.name.rsplit("/", 1)[-1]
    )
