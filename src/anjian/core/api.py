"""The `/api/v1/` API: authentication, one JSON error shape, pagination.

Every error answers {"detail": str, "code": str, "errors": [{"field", "message"}]};
`errors` names the fields for validation failures. Records outside the caller's
scope answer 404 exactly like missing ones.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import AfterValidator

from anjian.core.listing import capped_count


def _aware(value: datetime) -> datetime:
    """A time without an offset is local time (Asia/Shanghai), as the pages read it."""
    from django.utils import timezone

    return timezone.make_aware(value) if timezone.is_naive(value) else value


#: Use for every datetime an API client sends: "2026-11-20T10:00" means Beijing time.
LocalDateTime = Annotated[datetime, AfterValidator(_aware)]


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from anjian.orgs.services import api_token_user

        user = api_token_user(token)
        if user is None:
            # A presented but unknown, revoked or expired token is refused outright,
            # never answered with whatever session the browser may also carry.
            raise AuthenticationError()
        request.user = user
        return user


class SessionCookie(APIKeyCookie):
    """The browser's session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[ErrorItem] = []


api = NinjaAPI(
    title="安监 API",
    version="1",
    # The docs page's introduction, in Chinese, kept as markdown beside this module.
    description=(Path(__file__).with_name("api_description.md")).read_text(encoding="utf-8"),
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionCookie()],
)


def error(
    request: HttpRequest,
    status: int,
    detail: str,
    code: str,
    errors: list[dict[str, str]] | None = None,
):
    return api.create_response(
        request, {"detail": detail, "code": code, "errors": errors or []}, status=status
    )


def _field_of(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "data")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [
        {"field": _field_of(list(e.get("loc", []))), "message": e.get("msg", "无效")}
        for e in exc.errors
    ]
    return error(request, 422, "请求数据有误", "invalid", errors)


@api.exception_handler(DjangoValidationError)
def on_service_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
    else:
        errors = [{"field": "__all__", "message": m} for m in exc.messages]
    return error(
        request, 400, errors[0]["message"] if errors else "请求数据有误", "invalid", errors
    )


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def on_out_of_range(request, exc):
    """A number the database cannot hold (an id of 10^20 …): the client's mistake."""
    return error(request, 400, "参数超出范围或格式不正确", "invalid")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "未找到", "not_found")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error(request, 403, str(exc) or "无权操作", "forbidden")


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "未登录或令牌无效", "unauthenticated")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.status_code, str(exc), getattr(exc, "code", "error"))


class PageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[Any]


class Pagination(PaginationBase):
    """?page=&page_size= with a capped page size; the answer carries the total count."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从1开始")
        page_size: int = Field(
            settings.ANJIAN_PAGE_SIZE, ge=1, le=settings.ANJIAN_API_MAX_PAGE_SIZE
        )

    class Output(Schema):
        count: int
        count_capped: bool = Field(False, description="true: there are more than `count` rows")
        page: int
        page_size: int
        items: list[Any]

    items_attribute = "items"
    count_cap: int | None = None

    def paginate_queryset(self, queryset, pagination: Input, **params):
        start = (pagination.page - 1) * pagination.page_size
        capped = False
        if self.count_cap is not None and hasattr(queryset, "query"):
            count, capped = capped_count(queryset, self.count_cap)
        else:
            count = queryset.count()
        return {
            "count": count,
            "count_capped": capped,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": list(queryset[start : start + pagination.page_size]),
        }


class CappedPagination(Pagination):
    """For lists that reach millions of rows: the count stops at 10,000."""

    count_cap = 10_000


def register_routers() -> None:
    from anjian.accidents.api import router as accidents_router
    from anjian.enterprises.api import router as enterprises_router
    from anjian.hazards.api import router as hazards_router
    from anjian.inspections.api import router as inspections_router
    from anjian.orgs.api import auth_router, notifications_router, org_router
    from anjian.regions.api import router as regions_router

    api.add_router("/auth", auth_router)
    api.add_router("/regions", regions_router)
    api.add_router("/organisations", org_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/hazards", hazards_router)
    api.add_router("/accidents", accidents_router)
    api.add_router("/inspections", inspections_router)
    api.add_router("/notifications", notifications_router)


register_routers()
