from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from anjian.core.access import listed_region
from anjian.core.api import ErrorOut, Pagination
from anjian.core.idempotency import IdempotencyKeyHeader
from anjian.enterprises import selectors, services
from anjian.enterprises.forms import departments_visible_to
from anjian.enterprises.models import KEY_FLAGS
from anjian.orgs.models import Grid, Industry
from anjian.regions.models import Region

router = Router(tags=["企业台账"])


class EnterpriseOut(Schema):
    id: int = Field(..., alias="pk")
    name: str = Field(..., alias="organisation.name")
    credit_code: str = Field(..., alias="organisation.credit_code")
    region_id: str = Field(..., alias="organisation.region_id")
    region_name: str = Field(..., alias="organisation.region.full_name")
    industry_id: str | None = Field(None, alias="organisation.industry_id")
    grid_id: int | None = Field(None, alias="organisation.grid_id")
    address: str = Field(..., alias="organisation.address")
    phone: str = Field(..., alias="organisation.phone")
    is_active: bool = Field(..., alias="organisation.is_active")
    legal_representative: str
    principal_name: str
    principal_phone: str
    safety_officer_name: str
    safety_officer_phone: str
    village: str
    longitude: Decimal | None
    latitude: Decimal | None
    employees: int | None
    above_scale: bool
    flags: list[str]
    has_major_hazard: bool
    major_hazard_grade: str
    status: str
    status_label: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_flags(obj):
        return [name for name, _ in KEY_FLAGS if getattr(obj, name)]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class EnterpriseIn(Schema):
    name: str | None = None
    credit_code: str | None = None
    region: str | None = Field(None, description="乡镇（街道）区划代码，9位")
    industry: str | None = Field(None, description="国民经济行业大类代码，2位")
    grid: int | None = None
    address: str | None = None
    phone: str | None = None
    legal_representative: str | None = None
    principal_name: str | None = None
    principal_phone: str | None = None
    safety_officer_name: str | None = None
    safety_officer_phone: str | None = None
    village: str | None = None
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    employees: int | None = Field(None, ge=0)
    above_scale: bool | None = None
    flags: list[str] | None = Field(
        None, description="重点行业领域标识，如 is_mine、is_crowded_place"
    )
    has_major_hazard: bool | None = None
    major_hazard_grade: str | None = None
    reason: str = ""


class StatusIn(Schema):
    status: str
    reason: str


BOOLEAN_FIELDS = {"above_scale", "has_major_hazard"}


def _data(payload: EnterpriseIn) -> dict:
    """Only the fields the caller sent; the model's defaults fill the rest on create."""
    raw = payload.dict(exclude_unset=True)
    raw.pop("reason", None)
    errors = {}
    data = {}
    for key, value in raw.items():
        if key == "region" and value is not None:
            region = Region.objects.filter(code=value).first()
            if region is None:
                errors["region"] = "区划代码不存在"
            data[key] = region
        elif key == "industry" and value is not None:
            industry = Industry.objects.filter(code=value, kind=Industry.Kind.DIVISION).first()
            if industry is None:
                errors["industry"] = "行业大类代码不存在"
            data[key] = industry
        elif key == "grid":
            data[key] = Grid.objects.filter(pk=value).first() if value else None
            if value and data[key] is None:
                errors["grid"] = "网格不存在"
        elif key == "flags":
            unknown = set(value or []) - {n for n, _ in KEY_FLAGS}
            if unknown:
                errors["flags"] = "未知的标识：" + "、".join(sorted(unknown))
            for name, _ in KEY_FLAGS:
                data[name] = name in (value or [])
        elif value is None and key in BOOLEAN_FIELDS:
            errors[key] = "须为 true 或 false"
        elif value is None and key in {
            "name",
            "credit_code",
            "address",
            "phone",
            "legal_representative",
            "principal_name",
            "principal_phone",
            "safety_officer_name",
            "safety_officer_phone",
            "village",
            "major_hazard_grade",
        }:
            data[key] = ""
        else:
            data[key] = value
    if errors:
        raise ValidationError(errors)
    if data.get("credit_code"):
        data["credit_code"] = data["credit_code"].strip().upper()
    return data


@router.get("", response=list[EnterpriseOut], summary="企业列表")
@paginate(Pagination)
def list_enterprises(
    request,
    q: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    department: int | None = None,
    status: str | None = None,
    # a list without Query[...] would be read from a request body, which a GET has not
    flag: Query[list[str] | None] = None,
    sort: str = "-id",
):
    """The same rows as the list page for the same filters and scope."""
    rows = selectors.register_rows_for(request.auth)
    dept = None
    if department:
        # the departments the page's filter offers; any other lists nothing, like an
        # unknown one (it was ignored, and the whole register came back)
        dept = departments_visible_to(request.auth).filter(pk=department).first()
        if dept is None:
            rows = selectors.RegisterRows(rows.organisations.none())
    allowed_sorts = {"name", "region_id", "enterprise__status", "enterprise__employees", "id"}
    order = sort if sort.lstrip("-") in allowed_sorts else "-id"
    return selectors.filter_register(
        rows,
        q=q,
        region=listed_region(request.auth, region),
        industry=industry,
        department=dept,
        status=status,
        flags=flag,
    ).order_by(order, "pk")


@router.get("/{enterprise_id}", response={200: EnterpriseOut, 404: ErrorOut}, summary="企业详情")
def get_enterprise(request, enterprise_id: int):
    return selectors.enterprise_get(request.auth, enterprise_id)


@router.post("", response={201: EnterpriseOut, 400: ErrorOut, 403: ErrorOut}, summary="登记企业")
def create_enterprise(request, payload: EnterpriseIn, idempotency_key: IdempotencyKeyHeader = None):
    enterprise = services.enterprise_register(
        actor=request.auth, data=_data(payload), idempotency_key=idempotency_key
    )
    return 201, selectors.enterprise_get(request.auth, enterprise.pk)


@router.patch(
    "/{enterprise_id}",
    response={200: EnterpriseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改企业信息",
)
def update_enterprise(request, enterprise_id: int, payload: EnterpriseIn):
    enterprise = selectors.enterprise_get(request.auth, enterprise_id)
    services.enterprise_update(
        actor=request.auth, enterprise=enterprise, data=_data(payload), reason=payload.reason
    )
    return selectors.enterprise_get(request.auth, enterprise_id)


@router.post(
    "/{enterprise_id}/status",
    response={200: EnterpriseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="变更经营状态（停产整顿、关闭、注销等）",
)
def set_status(request, enterprise_id: int, payload: StatusIn):
    enterprise = selectors.enterprise_get(request.auth, enterprise_id)
    services.enterprise_set_status(
        actor=request.auth, enterprise=enterprise, status=payload.status, reason=payload.reason
    )
    return selectors.enterprise_get(request.auth, enterprise_id)
