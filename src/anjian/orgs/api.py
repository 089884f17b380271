from datetime import datetime

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from anjian.core.api import ErrorOut, Pagination, error
from anjian.orgs import selectors, services
from anjian.orgs.auth import LoginThrottled, check_credentials

auth_router = Router(tags=["认证"])
org_router = Router(tags=["单位"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    id: int
    token: str
    prefix: str
    expires_at: datetime


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    revoked_at: datetime | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    organisation_id: int | None
    organisation: str | None


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="用用户名和密码换取API令牌",
)
def create_token(request, payload: TokenIn):
    """Login throttling applies as on the login page: after repeated failures the
    account (from this address, or from anywhere) or the address is refused for a
    while — 429 with Retry-After, the same answer whether or not the username exists.
    The token expires after ANJIAN_API_TOKEN_DAYS days."""
    try:
        user = check_credentials(request, payload.username, payload.password)
    except LoginThrottled as exc:
        response = error(request, 429, exc.message, "too_many_attempts")
        response["Retry-After"] = str(exc.minutes * 60)
        return response
    if user is None:
        return error(request, 401, "用户名或密码不正确", "invalid_credentials")
    token, key = services.api_token_create(user=user, name=payload.name or "API")
    return 201, {
        "id": token.pk,
        "token": key,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
    }


@auth_router.get("/tokens", response=list[TokenInfo], summary="我的API令牌")
def list_tokens(request):
    return list(selectors.tokens_of(request.auth))


@auth_router.delete("/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="吊销令牌")
def revoke_token(request, token_id: int):
    token = selectors.tokens_of(request.auth).filter(pk=token_id).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.auth, token=token)
    return 204, None


@auth_router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "organisation": user.organisation.name if user.organisation_id else None,
    }


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region_id: str
    region_name: str
    parent_id: int | None
    industry_id: str | None
    grid_id: int | None
    credit_code: str
    address: str
    phone: str
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.full_name


@org_router.get("", response=list[OrganisationOut], summary="单位列表")
@paginate(Pagination)
def list_organisations(
    request,
    q: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    industry: str | None = None,
    is_active: bool | None = None,
):
    """Scoped like the list page: the same filters, the same rows."""
    return selectors.organisations_for(
        request.auth, q=q, kind=kind, region=region, industry=industry, is_active=is_active
    ).order_by("region_id", "pk")


@org_router.get("/{org_id}", response={200: OrganisationOut, 404: ErrorOut}, summary="单位详情")
def get_organisation(request, org_id: int):
    return selectors.organisation_get(request.auth, org_id)


class ActiveIn(Schema):
    active: bool
    reason: str


@org_router.post(
    "/{org_id}/active",
    response={200: OrganisationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="停用或启用单位",
)
def set_active(request, org_id: int, payload: ActiveIn):
    organisation = selectors.organisation_get(request.auth, org_id)
    return services.organisation_set_active(
        actor=request.auth, organisation=organisation, active=payload.active, reason=payload.reason
    )


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


notifications_router = Router(tags=["消息"])


@notifications_router.get("", response=list[NotificationOut], summary="我的消息")
@paginate(Pagination)
def list_notifications(request, unread: bool = False):
    from anjian.core.models import Notification

    qs = Notification.objects.filter(recipient=request.auth)
    return qs.filter(read_at__isnull=True) if unread else qs


@notifications_router.post(
    "/{notification_id}/read", response={204: None, 404: ErrorOut}, summary="标记已读"
)
def mark_read(request, notification_id: int):
    from django.utils import timezone

    from anjian.core.models import Notification

    if not Notification.objects.filter(recipient=request.auth, pk=notification_id).exists():
        raise Http404
    Notification.objects.filter(pk=notification_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return 204, None
