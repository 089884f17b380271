"""The one view that serves stored files: `/files/<app>/<model>/<pk>/<field>/`.

The record is looked up through the owning app's declaration (file_owners), inside
the user's scope: a file of a record outside it, an unknown record, an undeclared
field or an empty one all answer 404. The content type follows the server-chosen
extension (the type read from the content at upload); images and PDF open inline,
anything else downloads, and browsers are told not to sniff. Responses are cached
privately and revalidated by ETag / Last-Modified (304). In production the bytes are
handed to the web server (settings.ANJIAN_FILE_ACCEL: "x-accel-redirect" for nginx,
"x-sendfile" for Apache); otherwise they are read through the storage API, so an
object storage backend works as well as the local folder.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from anjian.core.file_owners import SIZES, owner_of, version_of
from anjian.core.thumbnails import thumbnail

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "zip": "application/zip",
}
#: Shown in the browser; everything else is a download.
INLINE = frozenset({"jpg", "png", "webp", "pdf"})
#: Kept by the browser only (never a shared cache), revalidated after a day; the URL
#: carries the stored name's digest, so a replaced file is a new URL anyway.
CACHE_CONTROL = "private, max-age=86400"


def _user(request: HttpRequest) -> Any:
    """The session's user, or the API token's (`Authorization: Bearer …`), so the file
    URLs in API responses work for API clients too. A presented token that is not
    valid is refused, never replaced by the session."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        from anjian.orgs.services import api_token_user

        return api_token_user(token.strip())
    return request.user


def _record(user: Any, app_label: str, model_name: str, pk: int, field: str) -> Any:
    owner = owner_of(app_label, model_name)
    if owner is None or field not in owner.fields:
        raise Http404("未找到该文件")
    record = owner.visible(user).filter(pk=pk).first()
    if record is None or not getattr(record, field):
        raise Http404("未找到该文件")
    return record


def _last_modified(storage: Any, name: str) -> int | None:
    with contextlib.suppress(NotImplementedError, OSError, AttributeError):
        return int(storage.get_modified_time(name).timestamp())
    return None


def _accelerated(storage: Any, name: str, content_type: str) -> HttpResponseBase | None:
    """An empty response that tells the web server which file to send, or None."""
    mode = getattr(settings, "ANJIAN_FILE_ACCEL", "")
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        prefix = getattr(settings, "ANJIAN_FILE_ACCEL_PREFIX", "/protected-files/")
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(name)}"
        return response
    if mode == "x-sendfile":
        try:
            path = storage.path(name)
        except NotImplementedError:  # not a local folder: stream it ourselves
            return None
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = path
        return response
    return None


@require_safe
def serve_file(
    request: HttpRequest, app_label: str, model_name: str, pk: int, field: str
) -> HttpResponseBase:
    user = _user(request)
    if user is None:
        return HttpResponse("令牌无效或已过期", status=401, content_type="text/plain")
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    size = request.GET.get("size") or None
    if size is not None and size not in SIZES:
        raise Http404("未找到该文件")
    record = _record(user, app_label, model_name, pk, field)
    stored = getattr(record, field)
    storage, name = stored.storage, stored.name
    if size == "thumb":
        name = thumbnail(storage, name) or name
    kind = name.rpartition(".")[2].lower()
    content_type = CONTENT_TYPES.get(kind, "application/octet-stream")
    etag = f'"{version_of(name)}"'
    last_modified = _last_modified(storage, name)
    if last_modified is None and not storage.exists(name):
        raise Http404("未找到该文件")
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        response: HttpResponseBase = not_modified
    else:
        response = _accelerated(storage, name, content_type) or _streamed(
            storage, name, content_type
        )
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    label = str(record._meta.get_field(field).verbose_name)
    filename = f"{label}-{record.pk}.{kind if kind in CONTENT_TYPES else 'bin'}"
    response["Content-Disposition"] = (
        content_disposition_header(kind not in INLINE, filename) or "attachment"
    )
    return response


def _streamed(storage: Any, name: str, content_type: str) -> HttpResponseBase:
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("未找到该文件") from exc
    return FileResponse(handle, content_type=content_type)
