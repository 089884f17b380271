"""Checking and storing hazard photos: the type is read from the content, not the name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from anjian.core.files import kind_of_head
from anjian.hazards.models import Hazard, HazardPhoto

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_STEP = 9
IMAGE_KINDS = {"jpg", "png", "webp"}


def image_kind(head: bytes) -> str | None:
    kind = kind_of_head(head)
    return kind if kind in IMAGE_KINDS else None


def check_photos(files: list[Any], field: str = "photos") -> None:
    if len(files) > MAX_PER_STEP:
        raise ValidationError({field: f"每次最多上传{MAX_PER_STEP}张照片。"})
    for upload in files:
        if upload.size > MAX_BYTES:
            raise ValidationError({field: f"照片“{upload.name}”超过10MB。"})
        head = upload.read(16)
        upload.seek(0)
        if image_kind(head) is None:
            raise ValidationError({field: f"“{upload.name}”不是JPEG、PNG或WebP图片。"})


def save_photos(hazard: Hazard, files: list[Any], stage: str, user: Any) -> list[HazardPhoto]:
    return [
        HazardPhoto.objects.create(hazard=hazard, stage=stage, image=f, uploaded_by=user)
        for f in files
    ]
