"""Stored files are named by the server: a random name with the extension of the type
read from the content, never the name or extension the uploader chose.

A PNG named `poly.html` or `poly.svg` is stored as `<random>.png`; content whose type is
not recognised is stored as `.bin`, so no upload is ever served under an extension that
a browser would run (html, svg, js …). Every file field of the domain models is a
`ServerNamedFileField`; services still check that the content is of a kind they accept
(`kind_of`) and refuse the upload otherwise.
"""

from __future__ import annotations

import uuid
import zipfile
from typing import Any

from django.core import checks
from django.db import models
from django.db.models.fields.files import FieldFile

#: Magic numbers at the start of the content → extension.
_MAGIC = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),  # OLE2: Word 97–2003
)
#: A member that tells which Office Open XML / OFD package a zip is.
_PACKAGES = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("OFD.xml", "ofd"))
UNKNOWN = "bin"


def kind_of_head(head: bytes) -> str | None:
    """The type told by the first bytes alone (images, PDF, OLE2), or None."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def kind_of(content: Any) -> str | None:
    """The type of a file-like object's content (position kept at the start): jpg, png,
    webp, pdf, doc, docx, xlsx, ofd or zip; None when not recognised."""
    content.seek(0)
    head = content.read(16)
    content.seek(0)
    if isinstance(head, str):
        return None
    kind = kind_of_head(head)
    if kind is not None or not head.startswith(b"PK\x03\x04"):
        return kind
    try:
        with zipfile.ZipFile(content) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        content.seek(0)
    for member, package_kind in _PACKAGES:
        if member in names:
            return package_kind
    return "zip"


def server_name(content: Any) -> str:
    """A random file name with the extension of the content's type."""
    return f"{uuid.uuid4().hex}.{kind_of(content) or UNKNOWN}"


class ServerNamedFieldFile(FieldFile):
    def save(self, name: str, content: Any, save: bool = True) -> None:
        # Whatever name the upload or the caller gave, the stored one is the server's.
        super().save(server_name(content), content, save)

    @property
    def url(self) -> str:
        """The scoped file view's URL, never the storage's: no file is reachable by its
        path (see anjian.core.file_owners)."""
        from anjian.core.file_owners import file_url

        if not self:
            raise ValueError(f"The '{self.field.name}' attribute has no file associated with it.")
        return file_url(self.instance, self.field.name)

    @property
    def thumb_url(self) -> str:
        """The URL of a small version for lists and timelines (images only)."""
        from anjian.core.file_owners import file_url

        if not self:
            raise ValueError(f"The '{self.field.name}' attribute has no file associated with it.")
        return file_url(self.instance, self.field.name, size="thumb")


class ServerNamedFileField(models.FileField):
    """A FileField whose stored names the server chooses (see the module docstring);
    `upload_to` gives the folder."""

    attr_class = ServerNamedFieldFile


@checks.register()
def check_file_fields_are_served(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    """Every file field of the project's models is declared with the scoped file view
    (anjian.core.file_owners), so a new module cannot store files no view can serve
    or, worse, that get served some other way."""
    from django.apps import apps

    from anjian.core.file_owners import registered_fields

    declared = registered_fields()
    return [
        checks.Error(
            f"{model._meta.label}.{field.name} is not declared with the file view.",
            hint="Call anjian.core.file_owners.register_files in the app's AppConfig.ready().",
            obj=model,
            id="anjian.E003",
        )
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("anjian.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
        and f"{model._meta.label}.{field.name}" not in declared
    ]
