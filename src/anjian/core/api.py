"""The `/api/v1/` API: authentication, one JSON error shape, pagination.

Every error answers {"detail": str, "code": str, "errors": [{"field", "message"}]};
`errors` names the fields for validation failures. Records outside the caller's
scope answer 404 exactly like missing ones.
"""

from __future__ import annotations

import functools
import logging
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import AfterValidator, BaseModel

from anjian.core.listing import capped_count
from anjian.core.periods import DATE_RANGE_MESSAGE, EARLIEST_DATE, LATEST_DATE, in_calendar

logger = logging.getLogger("anjian.errors")


def _aware(value: datetime) -> datetime:
    """A time without an offset is local time (Asia/Shanghai), as the pages read it."""
    from django.utils import timezone

    return timezone.make_aware(value) if timezone.is_naive(value) else value


#: Use for every datetime an API client sends: "2026-11-20T10:00" means Beijing time.
LocalDateTime = Annotated[datetime, AfterValidator(_aware)]

#: Use for a calendar year a client sends (a report's year, a target's year).
Year = Annotated[int, Field(ge=EARLIEST_DATE.year, le=LATEST_DATE.year)]


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


class ApiConventions:
    """What every API instance of the project gets: the error handlers and operation
    decorators registered here, installed by `build_api` (the instance itself lives
    beside urls.py, in anjian/api.py, with the routers the apps declare)."""

    def __init__(self) -> None:
        self.handlers: list[tuple[type[Exception], Any]] = []
        self.decorators: list[tuple[Any, str]] = []

    def exception_handler(self, exc_class: type[Exception]):
        def register(handler):
            self.handlers.append((exc_class, handler))
            return handler

        return register

    def add_decorator(self, decorator, mode: str = "operation") -> None:
        self.decorators.append((decorator, mode))

    def install(self, instance: NinjaAPI) -> NinjaAPI:
        for decorator, mode in self.decorators:
            instance.add_decorator(decorator, mode=mode)  # type: ignore[arg-type]
        for exc_class, handler in self.handlers:
            instance.add_exception_handler(exc_class, handler)
        return instance


#: The conventions every API instance gets (see `build_api`).
conventions = ApiConventions()
RENDERER = JSONRenderer()

#: The docs page's introduction, in Chinese, kept as markdown beside this module.
DESCRIPTION = Path(__file__).with_name("api_description.md").read_text(encoding="utf-8")


def build_api() -> NinjaAPI:
    """A NinjaAPI with the project's authentication, error shape and input checks; the
    caller adds the routers."""
    return conventions.install(
        NinjaAPI(
            title="安监 API",
            version="1",
            description=DESCRIPTION,
            urls_namespace="api-v1",
            auth=[BearerToken(), SessionCookie()],
            renderer=RENDERER,
        )
    )


def respond(request: HttpRequest, data: Any, status: int) -> HttpResponse:
    """A JSON answer rendered as the API renders its own."""
    content = RENDERER.render(request, data, response_status=status)
    return HttpResponse(
        content, status=status, content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}"
    )


def error(
    request: HttpRequest,
    status: int,
    detail: str,
    code: str,
    errors: list[dict[str, str]] | None = None,
):
    return respond(request, error_body(detail, code, errors), status)


def error_body(detail: str, code: str, errors: list[dict[str, str]] | None = None) -> dict:
    """The one JSON error shape; the middleware uses it for errors outside the API's views."""
    return {"detail": detail, "code": code, "errors": errors or []}


def _input_problem(value: Any) -> str | None:
    """What is wrong with one validated input value the database or the calendar cannot
    take, whatever its field: NUL characters, text beyond any field's length, NaN or
    infinite numbers, dates outside the calendar."""
    if isinstance(value, str):
        if "\x00" in value:
            return "不能包含空字符。"
        if len(value) > settings.ANJIAN_MAX_TEXT_LENGTH:
            return f"内容过长（最多 {settings.ANJIAN_MAX_TEXT_LENGTH} 个字符）。"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "须为有限的数值。"
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return "须为有限的数值。"
    elif isinstance(value, date) and not in_calendar(value):
        return DATE_RANGE_MESSAGE
    return None


def _walk_input(value: Any, field: str, problems: dict[str, str]) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _walk_input(getattr(value, name), f"{field}.{name}" if field else name, problems)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_input(key, field, problems)
            _walk_input(item, f"{field}.{key}" if field else str(key), problems)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _walk_input(item, field, problems)
    else:
        problem = _input_problem(value)
        if problem is not None:
            problems.setdefault(field or "__all__", problem)


def refuse_unsafe_input(view_func):
    """Applied to every operation after validation: one place that keeps values no
    field can hold away from the services, whichever schema or parameter brought them."""

    @functools.wraps(view_func)
    def checked(request, *args, **values):
        problems: dict[str, str] = {}
        for name, value in values.items():
            # a body or filter schema stands for its fields; a bare parameter for itself
            _walk_input(value, "" if isinstance(value, BaseModel) else name, problems)
        if problems:
            raise DjangoValidationError(problems)
        return view_func(request, *args, **values)

    return checked


conventions.add_decorator(refuse_unsafe_input)


def _field_of(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "data")]
    return ".".join(parts) or "__all__"


@conventions.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [
        {"field": _field_of(list(e.get("loc", []))), "message": e.get("msg", "无效")}
        for e in exc.errors
    ]
    return error(request, 422, "请求数据有误", "invalid", errors)


@conventions.exception_handler(DjangoValidationError)
def on_service_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
    else:
        errors = [{"field": "__all__", "message": m} for m in exc.messages]
    return error(
        request, 400, errors[0]["message"] if errors else "请求数据有误", "invalid", errors
    )


@conventions.exception_handler(IntegrityError)
def on_conflict(request, exc: IntegrityError):
    """The database refused a write (a race past validation): the constraint's Chinese
    message on its field, never the constraint's name."""
    from anjian.core.integrity import integrity_error_as_validation

    return on_service_validation_error(request, integrity_error_as_validation(exc))


@conventions.exception_handler(DataError)
@conventions.exception_handler(OverflowError)
def on_out_of_range(request, exc):
    """A number the database cannot hold (an id of 10^20 …): the client's mistake."""
    return error(request, 400, "参数超出范围或格式不正确", "invalid")


@conventions.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "未找到", "not_found")


@conventions.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error(request, 403, str(exc) or "无权操作", "forbidden")


@conventions.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "未登录或令牌无效", "unauthenticated")


@conventions.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, RequestDataTooBig):
        return on_too_big(request, exc.__cause__)
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        return error(request, 400, "请求体不是有效的 JSON。", "invalid")
    return error(request, exc.status_code, detail, getattr(exc, "code", "error"))


@conventions.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error(request, 413, TOO_BIG_MESSAGE, "too_large")


TOO_BIG_MESSAGE = "提交的数据过大。"
SERVER_ERROR_MESSAGE = "服务器内部错误，已记录。请稍后再试，或将错误编号告知管理员。"


@conventions.exception_handler(Exception)
def on_server_error(request, exc):
    """Anything else is our fault: logged with its traceback and the request id, and
    answered in the error shape with that id so a report can be matched to the log."""
    from anjian.core.requestid import current_request_id

    request_id = current_request_id()
    logger.error(
        "Internal Server Error: %s %s",
        request.method,
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    body = error_body(SERVER_ERROR_MESSAGE, "server_error") | {"request_id": request_id}
    response = respond(request, body, 500)
    response._has_been_logged = True  # Django would log it again, without the traceback
    return response


class PageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[Any]


class Pagination(PaginationBase):
    """?page=&page_size= with a capped page size; the answer carries the total count."""

    class Input(Schema):
        # bounded so that the offset stays a number every database can take
        page: int = Field(1, ge=1, le=1_000_000, description="页码，从1开始")
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
