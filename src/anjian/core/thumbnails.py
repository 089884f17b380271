"""Small versions of stored photos for lists and timelines, made with Pillow on first
request and kept through the storage under a name derived from the original's."""

from __future__ import annotations

import logging
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

log = logging.getLogger(__name__)

#: The longest side of a thumbnail, in pixels (a 140 px tile on a 3× phone screen).
THUMB_PX = 480
#: Kinds (extensions of server-chosen names) a thumbnail can be made of.
IMAGE_KINDS = frozenset({"jpg", "png", "webp"})
#: Larger images are not decoded for a thumbnail (a decompression bomb); the original
#: is served instead.
MAX_PIXELS = 60_000_000


def thumb_name(name: str) -> str:
    """Where the thumbnail of the stored file `name` is kept: PNG stays PNG (signatures,
    drawings with transparency), photos become JPEG."""
    stem, _, kind = name.rpartition(".")
    return f"thumbs/{stem}.{'png' if kind == 'png' else 'jpg'}"


def _render(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(BytesIO(data)) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ValueError("image too large for a thumbnail")
        image.draft("RGB", (THUMB_PX, THUMB_PX))  # JPEG: decode at a reduced scale
        picture = ImageOps.exif_transpose(image)  # phones store the turn in EXIF
        picture.thumbnail((THUMB_PX, THUMB_PX))
        out = BytesIO()
        if kind == "png":
            picture.save(out, "PNG", optimize=True)
        else:
            picture.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


def thumbnail(storage: Storage, name: str) -> str | None:
    """The stored name of the thumbnail of `name`, made now if there is none yet; None
    when the file is not an image Pillow can read (the caller serves the original)."""
    kind = name.rpartition(".")[2].lower()
    if kind not in IMAGE_KINDS:
        return None
    target = thumb_name(name)
    if storage.exists(target):
        return target
    try:
        with storage.open(name, "rb") as original:
            data = _render(original.read(), kind)
    except Exception:
        log.warning("no thumbnail for %s", name, exc_info=True)
        return None
    if not storage.exists(target):  # another request may have made it meanwhile
        storage.save(target, ContentFile(data))
    return target
