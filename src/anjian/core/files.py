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


class ServerNamedFileField(models.FileField):
    """A FileField whose stored names the server chooses (see the module docstring);
    `upload_to` gives the folder."""

    attr_class = ServerNamedFieldFile
