"""Which record a stored file belongs to, and so who may fetch it.

Files are records: every file is served by the one scoped file view
(`anjian.core.file_views.serve_file`) at `/files/<app>/<model>/<pk>/<field>/`, never
at its storage path. Each app declares, in its `AppConfig.ready()`, the models that
store files, their file fields, and the records a user may see (its scoped
selector); the view finds the record through that declaration, so a file of a
record outside the user's scope answers 404 exactly like a record that does not
exist. Core knows no app: it only reads what the apps registered here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse

#: Sizes the view serves besides the original ("thumb": lists and timelines).
SIZES = ("thumb",)


@dataclass(frozen=True)
class FileOwner:
    """A model whose rows own stored files.

    fields: names of its file fields that may be served.
    visible: user → queryset of the rows the user may see (the app's scoped selector).
    """

    model: type[models.Model]
    fields: tuple[str, ...]
    visible: Callable[[Any], models.QuerySet[Any]]

    @property
    def key(self) -> tuple[str, str]:
        return (self.model._meta.app_label, self.model._meta.model_name or "")


_owners: dict[tuple[str, str], FileOwner] = {}


def register_files(
    model: type[models.Model],
    fields: tuple[str, ...] | list[str],
    visible: Callable[[Any], models.QuerySet[Any]],
) -> None:
    """Declare that `model`'s `fields` are served to the users `visible` lets see the row.

    Called from the owning app's `AppConfig.ready()`; registering twice replaces."""
    names = tuple(fields)
    for name in names:
        if not isinstance(model._meta.get_field(name), models.FileField):
            raise TypeError(f"{model._meta.label}.{name} is not a file field")
    owner = FileOwner(model=model, fields=names, visible=visible)
    _owners[owner.key] = owner


def owner_of(app_label: str, model_name: str) -> FileOwner | None:
    return _owners.get((app_label, model_name))


def registered_fields() -> set[str]:
    """Every served file field as "app_label.Model.field" (for the completeness check)."""
    return {f"{o.model._meta.label}.{name}" for o in _owners.values() for name in o.fields}


def version_of(name: str) -> str:
    """A short digest of the stored name: it changes when the file is replaced, so it
    makes the URL (for the browser's cache) and the ETag change with it."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def file_url(instance: models.Model, field: str, size: str | None = None) -> str:
    """The scoped view's URL of `instance`'s file in `field` ("" when there is none)."""
    meta = instance._meta
    owner = owner_of(meta.app_label, meta.model_name or "")
    if owner is None or field not in owner.fields:
        raise LookupError(
            f"{meta.label}.{field} is not registered with the file view "
            "(anjian.core.file_owners.register_files in the app's AppConfig.ready())"
        )
    stored = getattr(instance, field)
    if not stored or instance.pk is None:
        return ""
    url = reverse(
        "file",
        kwargs={
            "app_label": meta.app_label,
            "model_name": meta.model_name,
            "pk": instance.pk,
            "field": field,
        },
    )
    query = f"v={version_of(stored.name)}"
    if size:
        query += f"&size={size}"
    return f"{url}?{query}"


def api_file_url(field_file: Any, context: Any, size: str | None = None) -> str | None:
    """The absolute URL of a stored file for an API response (None when there is none);
    API clients fetch it with the same token, through the same scoped view."""
    if not field_file:
        return None
    url: str = field_file.thumb_url if size == "thumb" else field_file.url
    request = (context or {}).get("request")
    return str(request.build_absolute_uri(url)) if request is not None else url
