from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url

#: Paths reachable without a session. The API authenticates by itself (401, not a redirect).
PUBLIC_PREFIXES = (
    "/login/",
    "/static/",
    "/favicon.ico",
    "/api/",
    "/healthz",
    "/public/",
    "/favicon.ico",
    "/inspections/sw.js",  # a script with no data; browsers fetch it without a redirect
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
