from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from anjian.accidents import permissions as accident_permissions
from anjian.accidents.selectors import accidents_for
from anjian.core.audit import history_for
from anjian.core.exports import XLSX_TYPE, xlsx_response
from anjian.core.forms import apply_service_errors, form_page, post_action, submit_once
from anjian.core.listing import Column, ListPage, detail_fields
from anjian.enterprises import permissions, selectors, services
from anjian.enterprises.forms import (
    PROFILE_FORM_FIELDS,
    DecisionForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    ImportConfirmForm,
    ImportUploadForm,
    KeyChangeForm,
    StatusForm,
    SupervisionForm,
)
from anjian.enterprises.importing import template_workbook
from anjian.enterprises.models import KEY_FLAGS, ChangeRequest, EnterpriseStatus, ImportJob
from anjian.hazards import permissions as hazard_permissions
from anjian.inspections import permissions as inspection_permissions
from anjian.inspections.selectors import inspections_for
from anjian.orgs.models import Organisation


def _flags(e):
    return "、".join(e.key_flags()) or None


class EnterpriseList(ListPage):
    title = "企业台账"
    export_name = "企业台账"
    filter_form_class = EnterpriseFilterForm
    default_sort = "-id"
    create_label = "登记企业"
    template_name = "enterprises/list.html"
    columns = [
        Column("单位名称", lambda e: e.organisation.name, sort="name", link=True),
        Column("统一社会信用代码", lambda e: e.organisation.credit_code, phone=False),
        Column("所在区划", lambda e: e.organisation.region.name, sort="region_id"),
        Column(
            "所属行业",
            lambda e: e.organisation.industry.name if e.organisation.industry else None,
            sort="industry_id",
            phone=False,
        ),
        Column("经营状态", lambda e: e.get_status_display(), sort="enterprise__status"),
        Column("重点行业领域", _flags, phone=False),
        Column(
            "重大危险源",
            lambda e: e.get_major_hazard_grade_display() if e.has_major_hazard else None,
            phone=False,
        ),
        Column("主要负责人", lambda e: e.principal_name or None, phone=False),
        Column(
            "联系电话", lambda e: e.principal_phone or e.organisation.phone or None, phone=False
        ),
        Column(
            "所属网格",
            lambda e: e.organisation.grid.name if e.organisation.grid else None,
            phone=False,
        ),
        Column("从业人员", lambda e: e.employees, sort="enterprise__employees", phone=False),
    ]

    def queryset(self, request):
        return selectors.register_rows_for(request.user)

    def filter(self, qs, data):
        region = data.get("region")
        industry = data.get("industry")
        return selectors.filter_register(
            qs,
            q=data.get("q"),
            region=region.code if region else None,
            industry=industry.code if industry else None,
            department=data.get("department"),
            status=data.get("status"),
            flags=[data["flag"]] if data.get("flag") else None,
        )

    def can_create(self, request):
        return permissions.can_register(request.user)

    @property
    def create_url(self):
        return reverse("enterprises:create")


def enterprise_detail(request, pk):
    enterprise = selectors.enterprise_get(request.user, pk)
    org = enterprise.organisation
    user = request.user
    profile = detail_fields(
        enterprise,
        [
            *(f for f in PROFILE_FORM_FIELDS if f not in dict(KEY_FLAGS)),
            "status",
        ],
    )
    context = {
        "title": org.name,
        "object": enterprise,
        "back_url": reverse("enterprises:list"),
        "back_label": "企业台账",
        "fields": [
            ("统一社会信用代码", org.credit_code),
            ("所在区划", org.region.full_name),
            ("所属行业", str(org.industry) if org.industry else "—"),
            ("所属网格", org.grid.name if org.grid else "—"),
            ("地址", org.address or "—"),
            ("单位电话", org.phone or "—"),
            *profile,
            ("重点行业领域", _flags(enterprise) or "—"),
            ("半年演练（高危单位）", "是" if enterprise.is_high_risk() else "否"),
        ],
        "departments": selectors.supervising_departments(enterprise),
        "history": history_for(enterprise, org)[:200],
        "pending": enterprise.change_requests.filter(status=ChangeRequest.Status.PENDING).first(),
        "can_edit": permissions.can_edit(user, enterprise),
        "can_register_hazard": hazard_permissions.can_register(user),
        "can_report_accident": accident_permissions.can_report(user),
        "can_inspect": inspection_permissions.can_inspect(user),
        "inspections": inspections_for(user).filter(enterprise=enterprise)[:5],
        "accidents": accidents_for(user).filter(enterprise=enterprise)[:5],
        "watched": enterprise.watch_entries.filter(lifted_at__isnull=True).exists(),
        "hazard_counts": {
            "total": enterprise.hazards.count(),
            "open": enterprise.hazards.exclude(status="closed").count(),
        },
        "is_own": user.organisation_id == enterprise.pk,
        "can_status": permissions.can_change_status(user),
        "can_decide": permissions.can_decide_changes(user),
        "can_supervise": permissions.can_manage_supervision(user),
        "status_form": StatusForm(),
        "decision_form": DecisionForm(),
        "supervision_form": SupervisionForm(enterprise=enterprise)
        if permissions.can_manage_supervision(user)
        else None,
    }
    return render(request, "enterprises/detail.html", context)


def _form_data(cleaned, *, drop=()):
    return {k: v for k, v in cleaned.items() if k != "reason" and k not in drop}


@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    if not permissions.can_register(request.user):
        raise PermissionDenied("无权登记企业。")
    return form_page(
        request,
        EnterpriseForm(request.POST or None, user=request.user),
        lambda d: services.enterprise_register(actor=request.user, data=_form_data(d)),
        success=lambda enterprise: f"已登记“{enterprise.name}”。",
        title="登记企业",
        back_url=reverse("enterprises:list"),
        back_label="企业台账",
    )


@require_http_methods(["GET", "POST"])
def enterprise_edit(request, pk):
    enterprise = selectors.enterprise_get(request.user, pk)
    if not permissions.can_edit(request.user, enterprise):
        raise PermissionDenied("无权修改该企业。")
    locked = services.locked_fields(request.user)
    return form_page(
        request,
        EnterpriseForm(
            request.POST or None, user=request.user, instance=enterprise, locked_fields=locked
        ),
        lambda d: services.enterprise_update(
            actor=request.user, enterprise=enterprise, data=_form_data(d, drop=locked)
        ),
        success="已保存。",
        title=f"修改：{enterprise.name}",
        back_url=enterprise.get_absolute_url(),
        back_label=enterprise.name,
    )


@require_POST
def enterprise_status(request, pk):
    enterprise = selectors.enterprise_get(request.user, pk)
    return post_action(
        request,
        StatusForm(request.POST),
        lambda data: services.enterprise_set_status(
            actor=request.user, enterprise=enterprise, status=data["status"], reason=data["reason"]
        ),
        success=lambda data: f"经营状态已变更为“{EnterpriseStatus(data['status']).label}”。",
        redirect_to=enterprise,
    )


@require_http_methods(["GET", "POST"])
def change_request_create(request, pk):
    enterprise = selectors.enterprise_get(request.user, pk)
    if not permissions.can_edit(request.user, enterprise):
        raise PermissionDenied("无权为该企业提交变更申请。")
    form = KeyChangeForm(request.POST or None, enterprise=enterprise)
    return form_page(
        request,
        form,
        lambda d: services.change_request_submit(
            actor=request.user, enterprise=enterprise, data=form.changes(), reason=d["reason"]
        ),
        success="变更申请已提交，待乡镇（街道）或应急管理部门审核。",
        redirect_to=enterprise,
        title=f"申请变更关键信息：{enterprise.name}",
        back_url=enterprise.get_absolute_url(),
        back_label=enterprise.name,
    )


class ChangeRequestList(ListPage):
    title = "关键信息变更审核"
    export_name = "变更申请"
    default_sort = "-created_at"
    columns = [
        Column("企业", lambda r: r.enterprise.organisation.name, link=True),
        Column(
            "变更内容",
            lambda r: "；".join(
                f"{c['label']}：{c['from']} → {c['to']}" for c in r.changes.values()
            ),
        ),
        Column("理由", lambda r: r.reason or None, phone=False),
        Column("申请人", lambda r: r.requested_by.get_full_name(), phone=False),
        Column("申请时间", lambda r: r.created_at, sort="created_at", phone=False),
        Column("状态", lambda r: r.get_status_display(), sort="enterprise__status"),
    ]

    def queryset(self, request):
        return selectors.change_requests_for(request.user)


@require_POST
def change_request_decide(request, pk):
    change = selectors.change_requests_for(request.user).filter(pk=pk).first()
    if change is None:
        raise Http404
    return post_action(
        request,
        DecisionForm(request.POST),
        lambda data: services.change_request_decide(
            actor=request.user, request=change, approve=data["approve"], note=data["note"]
        ),
        success="已审核。",
        redirect_to=change.enterprise,
    )


@require_POST
def supervision_set(request, pk):
    enterprise = selectors.enterprise_get(request.user, pk)
    return post_action(
        request,
        SupervisionForm(request.POST, enterprise=enterprise),
        lambda data: services.supervision_set(
            actor=request.user,
            enterprise=enterprise,
            department=data["department"],
            mode=data["mode"] or None,
            reason=data["reason"],
        ),
        success="监管部门已调整。",
        redirect_to=enterprise,
    )


def supervision_map(request):
    """三管三必须: each department in the user's region and the industries it supervises."""
    from anjian.core.access import scope_for
    from anjian.orgs import permissions as org_permissions
    from anjian.rules.identifiers import region_ancestors

    scope = scope_for(request.user)
    departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
    if not scope.everything:
        prefix = scope.region_prefix or "-"
        departments = (
            departments.filter(region_id__in=region_ancestors(prefix))
            if len(prefix) >= 2
            else departments.none()
        )
    departments = departments.prefetch_related("supervised_industries").order_by(
        "region_id", "name"
    )
    return render(
        request,
        "enterprises/supervision_map.html",
        {
            "title": "行业监管分工（三管三必须）",
            "departments": departments,
            "can_edit": org_permissions.can_manage_organisations(request.user),
        },
    )


# Imports -------------------------------------------------------------------------


def import_template(request):
    if not permissions.can_register(request.user):
        raise PermissionDenied("无权导入企业。")
    response = HttpResponse(template_workbook(request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%8F%B0%E8%B4%A6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@require_http_methods(["GET", "POST"])
def import_list(request):
    if not permissions.can_register(request.user):
        raise PermissionDenied("无权导入企业。")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job, _ = submit_once(
                request,
                lambda d: services.import_start(actor=request.user, uploaded=d["file"]),
                form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # a repeated upload of the same form goes to the first import
            return redirect(getattr(job, "record", job) or "enterprises:imports")
    return render(
        request,
        "enterprises/import_list.html",
        {
            "title": "企业台账导入",
            "form": form,
            "jobs": selectors.import_jobs_of(request.user)[:20],
        },
    )


def _job(request, pk) -> ImportJob:
    job = selectors.import_jobs_of(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def import_detail(request, pk):
    job = _job(request, pk)
    template = (
        "enterprises/_import_status.html"
        if request.headers.get("HX-Request")
        else "enterprises/import_detail.html"
    )
    return render(
        request,
        template,
        {"title": f"导入：{job.original_name}", "job": job, "confirm_form": ImportConfirmForm()},
    )


@require_POST
def import_confirm(request, pk):
    job = _job(request, pk)
    form = ImportConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.import_confirm(actor=request.user, job=job, mode=form.cleaned_data["mode"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "请选择导入方式。")
    return redirect(job)


@require_POST
def import_cancel(request, pk):
    job = _job(request, pk)
    try:
        services.import_cancel(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("enterprises:imports")


def import_errors(request, pk):
    job = _job(request, pk)
    rows = ([e["row"], e["column"], e["value"], e["message"]] for e in job.errors)
    return xlsx_response(
        title="校验结果",
        headers=["行号", "列", "填写内容", "问题"],
        rows=rows,
        filename=f"校验结果-{job.original_name.rsplit('.', 1)[0]}",
    )


@require_http_methods(["GET"])
def enterprise_search(request):
    """Suggestions for the enterprise picker (htmx): register entries of the user's
    scope matching the text typed in the picker's box (see enterprises/widgets.py)."""
    from anjian.enterprises.widgets import search_enterprises

    field = request.GET.get("_field") or "q"
    text = (request.GET.get(field) or "").strip()
    return render(
        request,
        "enterprises/_suggestions.html",
        {
            "enterprises": search_enterprises(request.user, text),
            "searched": bool(text),
            "free_text": request.GET.get("_free") == "1",
        },
    )
