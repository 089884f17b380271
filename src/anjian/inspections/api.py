"""/api/v1/inspections: the same services, scoping and rules as the pages."""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from anjian.core.api import ErrorOut, LocalDateTime, Pagination
from anjian.core.file_owners import api_file_url
from anjian.core.idempotency import IdempotencyKeyHeader, run_once
from anjian.core.periods import Period
from anjian.enterprises.selectors import enterprise_get
from anjian.inspections import selectors, services
from anjian.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionPlan,
    InspectionPoint,
)
from anjian.inspections.planning import campaign_board, inspection_statistics, tasks_for
from anjian.orgs.models import Organisation

router = Router(tags=["检查与专项整治"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ItemOut(Schema):
    id: int
    question: str
    how_to_check: str
    legal_basis: str
    major: bool


class SectionOut(Schema):
    title: str
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class ChecklistOut(Schema):
    id: int
    name: str
    version: int
    is_current: bool
    domain: str = Field(..., alias="domain_id")
    basis: str


class ChecklistDetailOut(ChecklistOut):
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj):
        return list(obj.sections.prefetch_related("items"))


class AnswerOut(Schema):
    item_id: int
    result: str
    note: str
    hazard_id: int | None
    photo_urls: list[str] = Field([], description="photos, through the scoped file view")

    @staticmethod
    def resolve_photo_urls(obj, context):
        return [api_file_url(p.image, context) for p in obj.photos.all()]


class InspectionOut(Schema):
    id: int
    client_id: UUID
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.organisation.name")
    template_id: int
    kind: str
    inspector_id: int
    place: str
    started_at: datetime
    finished_at: datetime
    campaign_id: int | None
    plan_id: int | None
    signed_by: str


class InspectionDetailOut(InspectionOut):
    answers: list[AnswerOut]
    report_ready: bool
    signature_url: str | None = Field(None, description="检查人手写签名 (PNG), scoped file view")
    enterprise_signature_url: str | None = None
    report_url: str | None = Field(None, description="检查记录 PDF")
    report_docx_url: str | None = Field(None, description="检查记录 Word")

    @staticmethod
    def resolve_signature_url(obj, context):
        return api_file_url(obj.signature, context)

    @staticmethod
    def resolve_enterprise_signature_url(obj, context):
        return api_file_url(obj.enterprise_signature, context)

    @staticmethod
    def resolve_report_url(obj, context):
        return api_file_url(obj.report, context)

    @staticmethod
    def resolve_report_docx_url(obj, context):
        return api_file_url(obj.report_docx, context)

    @staticmethod
    def resolve_answers(obj):
        return list(obj.answers.prefetch_related("photos"))

    @staticmethod
    def resolve_report_ready(obj):
        return bool(obj.report)


class AnswerIn(Schema):
    item_id: int
    result: str = Field(..., description="pass 合格 / fail 不合格 / na 不适用")
    note: str = ""


class InspectionIn(Schema):
    client_id: UUID = Field(
        ..., description="made by the client when the inspection starts; a repeat returns the first"
    )
    enterprise_id: int
    template_id: int
    kind: str
    place: str
    signed_by: str
    answers: list[AnswerIn]
    started_at: LocalDateTime | None = None
    enterprise_signed_by: str = ""
    summary: str = ""
    latitude: float | None = None
    longitude: float | None = None
    participant_ids: list[int] = []
    campaign_id: int | None = None
    plan_id: int | None = None
    point_token: str | None = None


@router.get("", response=list[InspectionOut], summary="检查记录")
@paginate(Pagination)
def list_inspections(request, enterprise_id: int | None = None, campaign_id: int | None = None):
    qs = selectors.inspections_for(request.auth)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.order_by("-finished_at", "-id")


@router.get(
    "/{int:inspection_id}", response={200: InspectionDetailOut, 404: ErrorOut}, summary="检查详情"
)
def get_inspection(request, inspection_id: int):
    return selectors.inspection_get(request.auth, inspection_id)


@router.post(
    "",
    response={200: InspectionDetailOut, 201: InspectionDetailOut, **ERRORS},
    summary="提交检查（幂等：同一 client_id 重复提交返回首次结果，200）",
)
def submit(request, payload: InspectionIn, idempotency_key: IdempotencyKeyHeader = None):
    """`client_id` is this create's idempotency key; an `Idempotency-Key` header, when
    sent, is honoured as well."""
    enterprise = enterprise_get(request.auth, payload.enterprise_id)
    template = ChecklistTemplate.objects.filter(pk=payload.template_id).first()
    if template is None:
        raise ValidationError({"template_id": "检查表不存在"})
    plan = point = campaign = None
    if payload.plan_id:
        plan = InspectionPlan.objects.filter(pk=payload.plan_id, inspector=request.auth).first()
        if plan is None:
            raise ValidationError({"plan_id": "检查计划不存在"})
    if payload.point_token:
        point = InspectionPoint.objects.filter(token=payload.point_token).first()
        if point is None or point.enterprise_id != enterprise.pk:
            raise ValidationError({"point_token": "巡检点不存在"})
    if payload.campaign_id:
        campaign = selectors.campaigns_for(request.auth).filter(pk=payload.campaign_id).first()
        if campaign is None:
            raise ValidationError({"campaign_id": "专项整治不存在"})
    participants = list(Organisation.objects.filter(pk__in=payload.participant_ids))
    outcome, fresh = run_once(
        request.auth,
        idempotency_key,
        lambda: services.inspection_submit(
            actor=request.auth,
            enterprise=enterprise,
            template=template,
            kind=payload.kind,
            client_id=payload.client_id,
            answers=[
                services.AnswerIn(item_id=a.item_id, result=a.result, note=a.note)
                for a in payload.answers
            ],
            place=payload.place,
            signed_by=payload.signed_by,
            started_at=payload.started_at,
            enterprise_signed_by=payload.enterprise_signed_by,
            summary=payload.summary,
            latitude=payload.latitude,
            longitude=payload.longitude,
            participants=participants,
            campaign=campaign,
            plan=plan,
            point=point,
        ),
        model=Inspection,
    )
    inspection, created = outcome if fresh else (outcome.record, False)
    if inspection is None:
        raise ValidationError({"client_id": "该提交编号已使用，原记录已不存在。"})
    return (201 if created else 200), selectors.inspection_get(request.auth, inspection.pk)


@router.get("/checklists/current", response=list[ChecklistOut], summary="现行检查表")
def checklists(request):
    return list(selectors.current_templates())


@router.get(
    "/checklists/{int:template_id}",
    response={200: ChecklistDetailOut, 404: ErrorOut},
    summary="检查表内容（任一版本）",
)
def checklist(request, template_id: int):
    template = ChecklistTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


@router.get("/tasks/mine", summary="我的检查任务")
def my_tasks(request):
    return [
        {
            "plan_id": t.plan.pk,
            "plan": t.plan.name,
            "enterprise_id": t.enterprise.pk,
            "enterprise_name": t.enterprise.organisation.name,
            "window_start": t.window.start,
            "window_end": t.window.end,
            "done": t.done,
            "previous_missed": t.overdue,
        }
        for t in tasks_for(request.auth)
    ]


@router.get("/campaigns/list", summary="专项整治")
def campaigns(request):
    return [
        {"id": c.pk, "name": c.name, "start": c.start, "end": c.end, "region": c.region_id}
        for c in selectors.campaigns_for(request.auth)
    ]


@router.get("/campaigns/{int:campaign_id}/board", summary="专项整治进展")
def board(request, campaign_id: int):
    campaign = selectors.campaign_get(request.auth, campaign_id)
    data = campaign_board(request.auth, campaign)
    data["not_covered"] = [{"id": e.pk, "name": e.organisation.name} for e in data["not_covered"]]
    return data


@router.get("/statistics/summary", summary="检查统计")
def statistics(request, start: date, end: date):
    if start > end:
        raise ValidationError({"end": "结束日期不能早于开始日期。"})
    data = inspection_statistics(request.auth, Period(start, end))
    data.pop("period")
    return {"start": start, "end": end, **data}


class CampaignIn(Schema):
    name: str
    start: date
    end: date
    region_code: str
    domain_codes: list[str]
    lead_id: int
    cooperating_ids: list[int] = []
    industry_codes: str = ""
    flag: str = ""


class PlanIn(Schema):
    name: str
    inspector_id: int
    template_id: int
    kind: str
    frequency: str = Field(..., description="once / monthly / quarterly / half_yearly / yearly")
    start: date
    end: date | None = None
    enterprise_ids: list[int]
    campaign_id: int | None = None


class PointIn(Schema):
    enterprise_id: int
    name: str
    template_id: int
    latitude: float
    longitude: float
    radius_m: int = Field(100, ge=10, le=5000)


def _organisations(ids: list[int]) -> list[Organisation]:
    found = list(Organisation.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"cooperating_ids": "单位不存在"})
    return found


@router.post("/campaigns", response={201: dict, **ERRORS}, summary="部署专项整治")
def create_campaign(request, payload: CampaignIn, idempotency_key: IdempotencyKeyHeader = None):
    from anjian.hazards.models import HazardDomain
    from anjian.regions.models import Region

    region = Region.objects.filter(code=payload.region_code).first()
    lead = Organisation.objects.filter(pk=payload.lead_id).first()
    domains = list(HazardDomain.objects.filter(code__in=payload.domain_codes))
    errors = {}
    if region is None:
        errors["region_code"] = "区划不存在"
    if lead is None:
        errors["lead_id"] = "牵头部门不存在"
    if len(domains) != len(set(payload.domain_codes)):
        errors["domain_codes"] = "领域不存在"
    if errors:
        raise ValidationError(errors)
    campaign = services.campaign_create(
        actor=request.auth,
        data={
            "name": payload.name,
            "start": payload.start,
            "end": payload.end,
            "region": region,
            "lead": lead,
            "industry_codes": payload.industry_codes,
            "flag": payload.flag,
        },
        domains=domains,
        cooperating=_organisations(payload.cooperating_ids),
        idempotency_key=idempotency_key,
    )
    return 201, {"id": campaign.pk, "name": campaign.name}


@router.post("/plans", response={201: dict, **ERRORS}, summary="制定检查计划")
def create_plan(request, payload: PlanIn, idempotency_key: IdempotencyKeyHeader = None):
    from anjian.enterprises.selectors import enterprises_for
    from anjian.orgs.models import User

    inspector = User.objects.filter(
        pk=payload.inspector_id, organisation=request.auth.organisation
    ).first()
    template = ChecklistTemplate.objects.filter(pk=payload.template_id).first()
    enterprises = list(enterprises_for(request.auth).filter(pk__in=payload.enterprise_ids))
    errors = {}
    if inspector is None:
        errors["inspector_id"] = "检查人须为本单位用户"
    if template is None:
        errors["template_id"] = "检查表不存在"
    if len(enterprises) != len(set(payload.enterprise_ids)):
        errors["enterprise_ids"] = "企业不存在或不在辖区内"
    if payload.frequency not in InspectionPlan.Frequency.values:
        errors["frequency"] = "频次不正确"
    campaign = None
    if payload.campaign_id:
        campaign = selectors.campaigns_for(request.auth).filter(pk=payload.campaign_id).first()
        if campaign is None:
            errors["campaign_id"] = "专项整治不存在"
    if errors:
        raise ValidationError(errors)
    plan = services.plan_create(
        actor=request.auth,
        data={
            "name": payload.name,
            "inspector": inspector,
            "template": template,
            "kind": payload.kind,
            "frequency": payload.frequency,
            "start": payload.start,
            "end": payload.end,
            "campaign": campaign,
        },
        enterprises=enterprises,
        idempotency_key=idempotency_key,
    )
    return 201, {"id": plan.pk, "name": plan.name}


@router.get("/plans/list", summary="检查计划")
def plans(request):
    return [
        {
            "id": p.pk,
            "name": p.name,
            "inspector_id": p.inspector_id,
            "template_id": p.template_id,
            "frequency": p.frequency,
            "start": p.start,
            "end": p.end,
        }
        for p in selectors.plans_for(request.auth)
    ]


@router.get("/points/list", summary="巡检点")
def points(request, enterprise_id: int | None = None):
    qs = selectors.points_for(request.auth)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return [
        {
            "id": p.pk,
            "enterprise_id": p.enterprise_id,
            "name": p.name,
            "template_id": p.template_id,
            "token": p.token,
            "latitude": float(p.latitude),
            "longitude": float(p.longitude),
            "radius_m": p.radius_m,
        }
        for p in qs
    ]


@router.post("/points", response={201: dict, **ERRORS}, summary="设置巡检点")
def create_point(request, payload: PointIn, idempotency_key: IdempotencyKeyHeader = None):
    enterprise = enterprise_get(request.auth, payload.enterprise_id)
    template = ChecklistTemplate.objects.filter(pk=payload.template_id).first()
    if template is None:
        raise ValidationError({"template_id": "检查表不存在"})
    point = services.point_create(
        actor=request.auth,
        enterprise=enterprise,
        data={
            "name": payload.name,
            "template": template,
            "latitude": payload.latitude,
            "longitude": payload.longitude,
            "radius_m": payload.radius_m,
        },
        idempotency_key=idempotency_key,
    )
    return 201, {"id": point.pk, "token": point.token}
