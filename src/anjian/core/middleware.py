import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import resolve_url
from django.template import loader

from anjian.core.requestid import reset_request_id, set_request_id

#: Paths reachable without a session. The API and the file view authenticate by themselves.
PUBLIC_PREFIXES = (
    "/login/",
    "/static/",
    "/favicon.ico",
    "/api/",
    "/healthz",
    "/public/",
    "/favicon.ico",
    "/inspections/sw.js",
    "/files/",  # the file view authenticates by itself (session or API token)  # a script with no data; browsers fetch it without a redirect
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # htmx adds its indicator styles inline
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)
#: The bundled Swagger UI page of the API docs uses an inline script.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
)


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            if request.headers.get("HX-Request"):
                from django.http import HttpResponse

                response = HttpResponse(status=401)
                response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = DOCS_POLICY if request.path.startswith("/api/v1/docs") else CONTENT_SECURITY_POLICY
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response


API_PREFIX = "/api/"
#: What an API error outside the API's own views says (an unknown path, a wrong method,
#: a body too large, a failure in a middleware).
API_STATUS_MESSAGES = {
    400: ("请求无效。", "invalid"),
    401: ("未登录或令牌无效", "unauthenticated"),
    403: ("无权操作", "forbidden"),
    404: ("未找到", "not_found"),
    405: ("不支持该请求方法。", "method_not_allowed"),
    413: ("提交的数据过大。", "too_large"),
}


def _api_error(status: int, detail: str, code: str, **extra) -> JsonResponse:
    from anjian.core.api import error_body

    return JsonResponse(
        error_body(detail, code) | extra, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _server_error_body() -> dict:
    from anjian.core.api import SERVER_ERROR_MESSAGE

    return {"detail": SERVER_ERROR_MESSAGE, "code": "server_error", "errors": []}


class RequestIdMiddleware:
    """First in the chain. Gives each request an id — in every log record, the
    `X-Request-ID` header, the 500 page and the API's 500 body — and answers every API
    error, wherever it arose, in the API's JSON error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
            if request.path.startswith(API_PREFIX):
                response = self._as_api_error(response, request_id)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def _as_api_error(response, request_id: str):
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        status = response.status_code
        if status >= 500:
            converted = JsonResponse(
                _server_error_body() | {"request_id": request_id},
                status=status,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            detail, code = API_STATUS_MESSAGES.get(status, ("请求失败。", "error"))
            converted = _api_error(status, detail, code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                converted[header] = response[header]
        return converted


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class InputGuardMiddleware:
    """One place for what no form or API field may receive: NUL characters in a query
    or form value (the database refuses them), and a body beyond the upload limits.
    Answers 400 / 413 before any view runs; JSON under /api/, a short page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST))
        except RequestDataTooBig:
            return self._refuse(request, 413, "提交的数据过大。", "too_large")
        except SuspiciousOperation:  # too many fields or files
            return self._refuse(request, 400, "提交的字段过多。", "invalid")
        except MultiPartParserError:
            return self._refuse(request, 400, "提交的表单格式不正确。", "invalid")
        if refused:
            return self._refuse(request, 400, "请求中含有不允许的空字符（\\0）。", "invalid")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, detail: str, code: str):
        if request.path.startswith(API_PREFIX):
            return _api_error(status, detail, code)
        page = loader.get_template("refused.html").render({"message": detail})
        return HttpResponse(page, status=status)
