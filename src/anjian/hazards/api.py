from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from anjian.core.access import listed_region
from anjian.core.api import CappedPagination, ErrorOut, LocalDateTime, Pagination, Year
from anjian.core.file_owners import api_file_url
from anjian.core.idempotency import IdempotencyKeyHeader, run_once
from anjian.enterprises.selectors import enterprise_get
from anjian.hazards import selectors, services
from anjian.hazards.models import ExtensionRequest, HazardDomain

router = Router(tags=["隐患排查治理"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class HazardOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.organisation.name")
    region_code: str
    place: str
    domain: str = Field(..., alias="domain_id")
    factor_class: str
    level: str
    description: str
    source: str
    found_by_name: str
    found_at: datetime
    status: str
    status_label: str
    deadline: datetime | None
    overdue: bool
    stalled: bool = Field(..., description="未制定方案：登记后超过规定天数仍无整改方案")
    is_repeat: bool
    repeat_of_id: int | None
    closed_at: datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_stalled(obj):
        return obj.is_stalled()


class PhotoOut(Schema):
    id: int
    stage: str = Field(..., description="before 整改前 / after 整改后")
    uploaded_at: datetime
    url: str = Field(..., description="the photo, through the scoped file view (same token)")
    thumb_url: str = Field(..., description="a small version (at most 480 px)")

    @staticmethod
    def resolve_url(obj, context):
        return api_file_url(obj.image, context)

    @staticmethod
    def resolve_thumb_url(obj, context):
        return api_file_url(obj.image, context, size="thumb")


class HazardDetailOut(HazardOut):
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())


class HazardIn(Schema):
    enterprise_id: int
    place: str
    domain: str
    factor_class: str
    level: str
    description: str
    source: str
    found_at: LocalDateTime | None = None
    found_by_name: str | None = None
    legal_basis: str = ""
    deadline: LocalDateTime | None = Field(
        None, description="整改期限（责令限期整改）：检查发现的必填；企业自查、互查的不填按默认期限"
    )
    immediate: bool = False
    rectification_note: str = ""


class PlanIn(Schema):
    measures: str
    responsible_person: str
    responsible_phone: str = ""
    funds: Decimal
    deadline: LocalDateTime
    contingency: str
    goals: str = ""
    methods: str = ""
    funds_and_materials: str = ""
    organisation_and_people: str = ""
    time_and_requirements: str = ""
    safety_and_contingency: str = ""


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class ExtensionIn(Schema):
    new_deadline: LocalDateTime
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


@router.get("", response=list[HazardOut], summary="隐患台账")
@paginate(CappedPagination)
def list_hazards(
    request,
    region: str | None = None,
    q: str | None = None,
    enterprise: str | None = None,
    domain: str | None = None,
    level: str | None = None,
    status: str | None = None,
    source: str | None = None,
    overdue: bool = False,
    stalled: bool = False,
    found_from: date | None = None,
    found_to: date | None = None,
):
    """The same rows as the ledger page for the same filters and scope. `overdue`: past
    the deadline or 未制定方案; `stalled`: only 未制定方案."""
    return selectors.filter_hazards(
        selectors.hazards_for(request.auth),
        region=listed_region(request.auth, region),
        q=q,
        enterprise=enterprise,
        domain=domain,
        level=level,
        status=status,
        source=source,
        overdue=overdue,
        stalled=stalled,
        found_from=found_from,
        found_to=found_to,
    ).order_by("-found_at", "-id")


@router.get("/{int:hazard_id}", response={200: HazardDetailOut, 404: ErrorOut}, summary="隐患详情")
def get_hazard(request, hazard_id: int):
    return selectors.hazard_get(request.auth, hazard_id)


@router.post("", response={201: HazardOut, **ERRORS}, summary="登记隐患")
def register(request, payload: HazardIn, idempotency_key: IdempotencyKeyHeader = None):
    enterprise = enterprise_get(request.auth, payload.enterprise_id)
    data = payload.dict(
        exclude={"enterprise_id", "immediate", "rectification_note"}, exclude_none=True
    )
    domain = HazardDomain.objects.filter(code=data.pop("domain")).first()
    if domain is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"domain": "领域不存在"})
    hazard = services.hazard_register(
        actor=request.auth,
        enterprise=enterprise,
        data={**data, "domain": domain},
        immediate=payload.immediate,
        rectification_note=payload.rectification_note,
        idempotency_key=idempotency_key,
    )
    return 201, selectors.hazard_get(request.auth, hazard.pk)


@router.post(
    "/{hazard_id}/plan", response={200: HazardOut, **ERRORS}, summary="确定整改方案（五落实）"
)
def plan(request, hazard_id: int, payload: PlanIn):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    services.hazard_set_plan(actor=request.auth, hazard=hazard, plan=payload.dict())
    return selectors.hazard_get(request.auth, hazard_id)


@router.post("/{hazard_id}/submit", response={200: HazardOut, **ERRORS}, summary="提交整改")
def submit(request, hazard_id: int, payload: NoteIn):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    services.hazard_submit_rectification(actor=request.auth, hazard=hazard, note=payload.note)
    return selectors.hazard_get(request.auth, hazard_id)


@router.post("/{hazard_id}/verify", response={200: HazardOut, **ERRORS}, summary="验收销号")
def verify(request, hazard_id: int, payload: NoteIn):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    services.hazard_verify(actor=request.auth, hazard=hazard, note=payload.note)
    return selectors.hazard_get(request.auth, hazard_id)


@router.post("/{hazard_id}/reject", response={200: HazardOut, **ERRORS}, summary="验收不通过")
def reject(request, hazard_id: int, payload: ReasonIn):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    services.hazard_reject(actor=request.auth, hazard=hazard, reason=payload.reason)
    return selectors.hazard_get(request.auth, hazard_id)


@router.post("/{hazard_id}/extensions", response={201: NoteIn, **ERRORS}, summary="申请延期")
def request_extension(
    request, hazard_id: int, payload: ExtensionIn, idempotency_key: IdempotencyKeyHeader = None
):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    extension = services.extension_request(
        actor=request.auth,
        hazard=hazard,
        new_deadline=payload.new_deadline,
        reason=payload.reason,
        idempotency_key=idempotency_key,
    )
    return 201, {"note": str(extension.pk)}


@router.post(
    "/{hazard_id}/extensions/{extension_id}/decide",
    response={200: HazardOut, **ERRORS},
    summary="审批延期",
)
def decide_extension(request, hazard_id: int, extension_id: int, payload: DecisionIn):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    extension = ExtensionRequest.objects.filter(hazard=hazard, pk=extension_id).first()
    if extension is None:
        raise Http404
    services.extension_decide(
        actor=request.auth, request=extension, approve=payload.approve, note=payload.note
    )
    return selectors.hazard_get(request.auth, hazard_id)


class ListingIn(Schema):
    level: str = Field(..., description="county 县级 / city 市级 / province 省级")
    supervising_org_id: int
    report_every_days: int = 15
    note: str = ""


class ProgressIn(Schema):
    text: str


@router.get("/listed/board", response=list[HazardOut], summary="挂牌督办隐患")
@paginate(Pagination)
def listed(request):
    return selectors.listed_hazards_for(request.auth).order_by("-listing__listed_at", "-id")


@router.post("/{hazard_id}/listing", response={200: HazardOut, **ERRORS}, summary="挂牌督办")
def list_for_supervision(request, hazard_id: int, payload: ListingIn):
    from anjian.orgs.models import Organisation

    hazard = selectors.hazard_get(request.auth, hazard_id)
    org = Organisation.objects.filter(pk=payload.supervising_org_id).first()
    if org is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"supervising_org_id": "督办单位不存在"})
    services.hazard_list_for_supervision(
        actor=request.auth,
        hazard=hazard,
        level=payload.level,
        supervising_org=org,
        report_every_days=payload.report_every_days,
        note=payload.note,
    )
    return selectors.hazard_get(request.auth, hazard_id)


@router.post("/{hazard_id}/progress", response={200: HazardOut, **ERRORS}, summary="报告督办进展")
def report_progress(
    request, hazard_id: int, payload: ProgressIn, idempotency_key: IdempotencyKeyHeader = None
):
    hazard = selectors.hazard_get(request.auth, hazard_id)
    services.progress_report(
        actor=request.auth, hazard=hazard, text=payload.text, idempotency_key=idempotency_key
    )
    return selectors.hazard_get(request.auth, hazard_id)


@router.get("/statistics/summary", summary="隐患统计")
def statistics(request, start: date, end: date, region: str | None = None):
    """Totals and breakdowns for hazards found between `start` and `end` (inclusive),
    in the caller's scope; the same figures as the statistics page."""
    from django.core.exceptions import ValidationError

    from anjian.hazards.statistics import Period, hazard_statistics

    if start > end:
        raise ValidationError({"end": "结束日期不能早于开始日期。"})
    stats = hazard_statistics(request.auth, Period(start, end), region=region)
    totals = {**stats["totals"], "funds": str(stats["totals"]["funds"])}
    return {
        "start": start,
        "end": end,
        "scope": stats["scope"],
        "totals": totals,
        **{k: stats[k] for k in ("by_domain", "by_level", "by_source", "by_region")},
    }


@router.post(
    "/{hazard_id}/photos", response={201: NoteIn, **ERRORS}, summary="上传现场照片（multipart）"
)
def upload_photos(
    request, hazard_id: int, stage: str = "after", idempotency_key: IdempotencyKeyHeader = None
):
    """Photos before or after rectification, as multipart form field `photos` (several allowed).
    Submitting a rectification needs at least one `after` photo, uploaded here first."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from anjian.hazards import permissions
    from anjian.hazards.models import HazardPhoto
    from anjian.hazards.photos import check_photos, save_photos

    hazard = selectors.hazard_get(request.auth, hazard_id)
    if not permissions.can_plan(request.auth, hazard):
        raise PermissionDenied("无权上传该隐患的照片。")
    if stage not in HazardPhoto.Stage.values:
        raise ValidationError({"stage": "只能是 before 或 after"})
    files = request.FILES.getlist("photos")
    if not files:
        raise ValidationError({"photos": "请选择照片。"})
    check_photos(files)
    saved, created = run_once(
        request.auth,
        idempotency_key,
        lambda: save_photos(hazard, files, stage, request.auth),
        model=HazardPhoto,
    )
    if not created:
        return 201, {"note": "重复请求：照片已上传，未重复保存"}
    return 201, {"note": f"{len(saved)}"}


class FilingStatusOut(Schema):
    enterprise_id: int = Field(..., alias="pk")
    enterprise_name: str = Field(..., alias="organisation.name")
    region_code: str = Field(..., alias="organisation.region_id")
    filed: bool


class FilingIn(Schema):
    year: Year
    quarter: int = Field(..., description="1–4 季度；0 全年")
    signed_by: str = Field(..., description="主要负责人签字")
    note: str = ""


class FilingOut(Schema):
    id: int
    enterprise_id: int
    year: int
    quarter: int
    signed_by: str
    due_on: date
    filed_at: datetime = Field(..., alias="created_at")
    figures: dict


@router.get(
    "/filings/status",
    response={200: list[FilingStatusOut], 400: ErrorOut},
    summary="统计报送情况（R-HAZ-4）",
)
@paginate(Pagination)
def filing_status(request, year: Year, quarter: int, missing: bool = False):
    """Enterprises in the caller's scope (operating or suspended) and whether each has
    filed the period; `missing=true` lists only those that have not."""
    from anjian.enterprises.selectors import enterprises_for
    from anjian.hazards.filings import filing_status as status_of

    qs = status_of(
        enterprises_for(request.auth).filter(status__in=["operating", "suspended"]), year, quarter
    ).order_by("organisation__region_id", "pk")
    return qs.filter(filed=False) if missing else qs


@router.post("/filings", response={201: FilingOut, **ERRORS}, summary="报送隐患统计（企业）")
def file_filing(request, payload: FilingIn, idempotency_key: IdempotencyKeyHeader = None):
    from anjian.hazards.filings import file_statistics

    enterprise = enterprise_get(request.auth, request.auth.organisation_id or 0)
    filing = file_statistics(
        actor=request.auth,
        enterprise=enterprise,
        year=payload.year,
        quarter=payload.quarter,
        signed_by=payload.signed_by,
        note=payload.note,
        idempotency_key=idempotency_key,
    )
    return 201, filing
