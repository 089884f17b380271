"""/api/v1/accidents: the same services, scoping and rules as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from anjian.accidents import selectors, services
from anjian.accidents.models import AccidentCategory
from anjian.accidents.statistics import accident_statistics, target_report
from anjian.core.access import listed_region, scoped_region
from anjian.core.api import ErrorOut, LocalDateTime, Pagination, Year
from anjian.core.file_owners import api_file_url
from anjian.core.idempotency import IdempotencyKeyHeader
from anjian.core.periods import Period
from anjian.enterprises.selectors import enterprise_get
from anjian.orgs.models import Industry
from anjian.regions.models import Region

router = Router(tags=["事故报告与统计"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class StepOut(Schema):
    authority: str
    due_at: datetime
    received_at: datetime | None
    late: bool = Field(..., alias="is_late")
    added_on_upgrade: bool


class VersionOut(Schema):
    number: int
    kind: str
    deaths: int
    missing: int
    serious_injuries: int
    minor_injuries: int
    direct_loss: Decimal
    level: int
    note: str
    reason: str
    after_window: bool
    created_at: datetime


class AccidentOut(Schema):
    id: int
    enterprise_id: int | None
    unit_name: str
    region_code: str = Field(..., alias="region_id")
    industry_code: str | None = Field(None, alias="industry_id")
    domain: str
    category: str = Field(..., alias="category_id")
    occurred_at: datetime
    learnt_at: datetime
    reported_at: datetime
    place: str
    course: str
    measures: str
    deaths: int
    missing: int
    serious_injuries: int
    minor_injuries: int
    direct_loss: Decimal
    level: int
    level_label: str
    concealment: str
    late_report: bool
    supplement_deadline: datetime

    @staticmethod
    def resolve_level_label(obj):
        return obj.get_level_display()

    @staticmethod
    def resolve_late_report(obj):
        return obj.report_delay() is not None

    @staticmethod
    def resolve_supplement_deadline(obj):
        return obj.supplement_deadline()


class AccidentDetailOut(AccidentOut):
    steps: list[StepOut]
    versions: list[VersionOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.all())


class FiguresIn(Schema):
    deaths: int = Field(0, ge=0)
    missing: int = Field(0, ge=0)
    serious_injuries: int = Field(0, ge=0)
    minor_injuries: int = Field(0, ge=0)
    direct_loss: Decimal = Field(Decimal(0), ge=0, description="元")


class AccidentIn(FiguresIn):
    enterprise_id: int | None = None
    unit_name: str = ""
    unit_overview: str = ""
    region_code: str | None = Field(None, description="发生地；台账企业可省略（取企业所在地）")
    industry_code: str | None = None
    domain: str
    category: str = Field(..., description="GB 6441 类别代码，如 01 物体打击")
    occurred_at: LocalDateTime
    learnt_at: LocalDateTime
    place: str
    course: str
    measures: str
    other: str = ""
    received_at: LocalDateTime | None = None


class SupplementIn(FiguresIn):
    note: str = ""
    reason: str = ""


class ReceiveIn(Schema):
    authority: str = Field(..., description="县级 / 市级 / 省级 / 国务院")
    received_at: LocalDateTime | None = None
    note: str = ""


class ConcealmentIn(Schema):
    kind: str = Field(..., description="concealed 瞒报 / omitted 漏报")
    channel: str
    known_at: LocalDateTime
    evidence: str


def _figures(payload: FiguresIn) -> dict:
    return payload.dict(
        include={"deaths", "missing", "serious_injuries", "minor_injuries", "direct_loss"}
    )


@router.get("", response=list[AccidentOut], summary="事故台账")
@paginate(Pagination)
def list_accidents(
    request,
    region: str | None = None,
    unit: str | None = None,
    level: int | None = None,
    category: str | None = None,
    domain: str | None = None,
    concealment: str | None = None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
):
    return selectors.filter_accidents(
        selectors.accidents_for(request.auth),
        region=listed_region(request.auth, region),
        unit=unit,
        level=level,
        category=category,
        domain=domain,
        concealment=concealment,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    ).order_by("-occurred_at", "-id")


@router.get(
    "/{int:accident_id}", response={200: AccidentDetailOut, 404: ErrorOut}, summary="事故详情"
)
def get_accident(request, accident_id: int):
    return selectors.accident_get(request.auth, accident_id)


@router.post("", response={201: AccidentDetailOut, **ERRORS}, summary="事故快报")
def report(request, payload: AccidentIn, idempotency_key: IdempotencyKeyHeader = None):
    enterprise = (
        enterprise_get(request.auth, payload.enterprise_id) if payload.enterprise_id else None
    )
    category = AccidentCategory.objects.filter(pk=payload.category).first()
    errors = {}
    if category is None:
        errors["category"] = "事故类别不存在"
    data = payload.dict(
        include={
            "unit_name",
            "unit_overview",
            "domain",
            "occurred_at",
            "learnt_at",
            "place",
            "course",
            "measures",
            "other",
        }
    )
    if payload.region_code:
        region = Region.objects.filter(code=payload.region_code).first()
        if region is None:
            errors["region_code"] = "区划不存在"
        data["region"] = region
    if payload.industry_code and enterprise is None:
        industry = Industry.objects.filter(code=payload.industry_code).first()
        if industry is None:
            errors["industry_code"] = "行业代码不存在"
        data["industry"] = industry
    if errors:
        raise ValidationError(errors)
    accident = services.accident_report(
        actor=request.auth,
        data={**data, "category": category},
        figures=_figures(payload),
        enterprise=enterprise,
        received_at=payload.received_at,
        idempotency_key=idempotency_key,
    )
    return 201, selectors.accident_get(request.auth, accident.pk)


@router.post(
    "/{accident_id}/supplements",
    response={201: VersionOut, **ERRORS},
    summary="续报/补报（伤亡、损失变化为新版本）",
)
def supplement(
    request, accident_id: int, payload: SupplementIn, idempotency_key: IdempotencyKeyHeader = None
):
    accident = selectors.accident_get(request.auth, accident_id)
    version = services.accident_supplement(
        actor=request.auth,
        accident=accident,
        figures=_figures(payload),
        note=payload.note,
        reason=payload.reason,
        idempotency_key=idempotency_key,
    )
    return 201, version


@router.post(
    "/{accident_id}/receipts", response={200: AccidentDetailOut, **ERRORS}, summary="登记接报"
)
def receive(request, accident_id: int, payload: ReceiveIn):
    accident = selectors.accident_get(request.auth, accident_id)
    services.step_receive(
        actor=request.auth,
        accident=accident,
        authority=payload.authority,
        received_at=payload.received_at,
        note=payload.note,
    )
    return selectors.accident_get(request.auth, accident_id)


@router.post(
    "/{accident_id}/concealment",
    response={200: AccidentDetailOut, **ERRORS},
    summary="认定瞒报/漏报",
)
def concealment(request, accident_id: int, payload: ConcealmentIn):
    accident = selectors.accident_get(request.auth, accident_id)
    services.mark_concealment(
        actor=request.auth,
        accident=accident,
        kind=payload.kind,
        channel=payload.channel,
        known_at=payload.known_at,
        evidence=payload.evidence,
    )
    return selectors.accident_get(request.auth, accident_id)


@router.get("/statistics/summary", summary="事故统计")
def statistics(request, start: date, end: date, region: str | None = None):
    """Totals, the same period last year and breakdowns for accidents that occurred
    between `start` and `end` (inclusive) in the caller's scope."""
    if start > end:
        raise ValidationError({"end": "结束日期不能早于开始日期。"})
    stats = accident_statistics(request.auth, Period(start, end), region=region)
    stats.pop("period")
    return {"start": start, "end": end, **stats}


@router.get("/statistics/target", summary="控制指标使用情况与四项指标")
def target(request, region: str, year: Year):
    # outside the scope answers like a region that does not exist (404); an ancestor of
    # the caller's region means the caller's own
    code = scoped_region(request.auth, region)
    if code is None:
        raise ValidationError({"region": "请选择区划。"})
    place = Region.objects.get(code=code)
    report = target_report(request.auth, place, year)
    if not report["available"]:
        return {"available": False}
    t = report["target"]
    return {
        "available": True,
        "region": place.code,
        "year": year,
        "deaths": report["deaths"],
        "death_target": t.death_target if t else None,
        "usage_percent": report["usage"],
        "larger_accidents": report["larger_accidents"],
        "rates": report["rates"],
    }


class InvestigationOut(Schema):
    authority: str
    basis: str
    team: str
    deadline: datetime
    extension_days: int
    extension_reason: str
    report_submitted_at: datetime | None
    report_url: str | None = Field(None, description="调查报告, through the scoped file view")
    cause: str
    cause_found: bool
    responsible_handled: bool
    measures_taken: bool
    people_educated: bool
    open_items: list[str]
    closed_at: datetime | None
    findings: list[dict]

    @staticmethod
    def resolve_deadline(obj):
        return obj.deadline()

    @staticmethod
    def resolve_report_url(obj, context):
        return api_file_url(obj.report, context)

    @staticmethod
    def resolve_open_items(obj):
        return obj.open_items()

    @staticmethod
    def resolve_findings(obj):
        return list(obj.findings.values("kind", "name", "position", "responsibility", "handling"))


class InvestigationIn(Schema):
    authority: str | None = None
    basis: str | None = None
    team: str | None = None
    cause: str | None = None
    cause_found: bool | None = None
    responsible_handled: bool | None = None
    measures_taken: bool | None = None
    people_educated: bool | None = None


class ExtensionIn(Schema):
    days: int
    reason: str


class FindingIn(Schema):
    kind: str = Field(..., description="person 个人 / unit 单位")
    name: str
    position: str = ""
    responsibility: str
    handling: str


class TargetOut(Schema):
    region_code: str = Field(..., alias="region_id")
    year: int
    death_target: int
    gdp_100m: Decimal | None
    employed_persons: int | None
    motor_vehicles: int | None
    coal_output_mt: Decimal | None


class TargetIn(Schema):
    region_code: str
    year: Year
    death_target: int = Field(..., ge=0)
    gdp_100m: Decimal | None = Field(None, gt=0)
    employed_persons: int | None = Field(None, gt=0)
    motor_vehicles: int | None = Field(None, gt=0)
    coal_output_mt: Decimal | None = Field(None, gt=0)


def _investigation(request, accident_id: int):
    return selectors.accident_get(request.auth, accident_id).investigation


@router.get(
    "/{int:accident_id}/investigation",
    response={200: InvestigationOut, 404: ErrorOut},
    summary="事故调查",
)
def get_investigation(request, accident_id: int):
    return _investigation(request, accident_id)


@router.patch(
    "/{int:accident_id}/investigation",
    response={200: InvestigationOut, **ERRORS},
    summary="填写调查情况（调查组、原因、四不放过）",
)
def update_investigation(request, accident_id: int, payload: InvestigationIn):
    investigation = _investigation(request, accident_id)
    values = payload.dict(exclude_none=True)
    if "basis" in values and values["basis"] not in ("493号令", "2013年规定"):
        raise ValidationError({"basis": "只能是 493号令 或 2013年规定"})
    services.investigation_update(actor=request.auth, investigation=investigation, values=values)
    return _investigation(request, accident_id)


@router.post(
    "/{int:accident_id}/investigation/extension",
    response={200: InvestigationOut, **ERRORS},
    summary="延长调查期限",
)
def extend_investigation(request, accident_id: int, payload: ExtensionIn):
    services.investigation_extend(
        actor=request.auth,
        investigation=_investigation(request, accident_id),
        days=payload.days,
        reason=payload.reason,
    )
    return _investigation(request, accident_id)


@router.post(
    "/{int:accident_id}/investigation/findings",
    response={200: InvestigationOut, **ERRORS},
    summary="添加责任认定",
)
def add_finding(
    request, accident_id: int, payload: FindingIn, idempotency_key: IdempotencyKeyHeader = None
):
    if payload.kind not in ("person", "unit"):
        raise ValidationError({"kind": "只能是 person 或 unit"})
    services.finding_add(
        actor=request.auth,
        investigation=_investigation(request, accident_id),
        data=payload.dict(),
        idempotency_key=idempotency_key,
    )
    return _investigation(request, accident_id)


@router.post(
    "/{int:accident_id}/investigation/report",
    response={200: InvestigationOut, **ERRORS},
    summary="上传调查报告（multipart，字段 report）",
)
def upload_report(request, accident_id: int):
    from anjian.accidents.forms import ReportUploadForm

    form = ReportUploadForm(files=request.FILES)
    if not form.is_valid():
        raise ValidationError({"report": "；".join(form.errors.get("report", ["请选择文件"]))})
    services.investigation_report(
        actor=request.auth,
        investigation=_investigation(request, accident_id),
        report=form.cleaned_data["report"],
    )
    return _investigation(request, accident_id)


@router.post(
    "/{int:accident_id}/investigation/close",
    response={200: InvestigationOut, **ERRORS},
    summary="结案（四不放过全部落实）",
)
def close_investigation(request, accident_id: int):
    services.investigation_close(
        actor=request.auth, investigation=_investigation(request, accident_id)
    )
    return _investigation(request, accident_id)


@router.get("/targets/list", response=list[TargetOut], summary="控制指标")
@paginate(Pagination)
def list_targets(request):
    return selectors.targets_for(request.auth).order_by("-year", "region_id")


@router.put("/targets/set", response={200: TargetOut, **ERRORS}, summary="设置控制指标")
def set_target(request, payload: TargetIn):
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise ValidationError({"region_code": "区划不存在"})
    return services.target_set(
        actor=request.auth,
        region=region,
        year=payload.year,
        values=payload.dict(exclude={"region_code", "year"}),
    )
