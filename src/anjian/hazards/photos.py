"""Checking and storing hazard photos: the type is read from the content, not the name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from anjian.core.files import kind_of_head
from anjian.hazards.models import Hazard, HazardEvent, HazardPhoto

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


#: A photo uploaded this long before a submission still belongs to it (clock skew
#: between the upload request and the submission's own time).
_SUBMISSION_SLACK = timedelta(seconds=5)


def attach_to_events(events: list[HazardEvent], photos: list[HazardPhoto]) -> list[HazardEvent]:
    """Set `shown_photos` on the timeline's events: 整改前 photos on the registration,
    整改后 photos on the first submission after their upload (an 立即整改 hazard's, with
    no submission, on the registration)."""
    registered = next((e for e in events if e.kind == HazardEvent.Kind.REGISTERED), None)
    submissions = [e for e in events if e.kind == HazardEvent.Kind.SUBMITTED]
    for event in events:
        event.shown_photos = []  # type: ignore[attr-defined]
    for photo in photos:
        target = registered
        if photo.stage == HazardPhoto.Stage.AFTER and submissions:
            target = next(
                (e for e in submissions if e.at >= photo.uploaded_at - _SUBMISSION_SLACK),
                None,  # uploaded after the last submission: not handed in yet
            )
        if target is not None:
            target.shown_photos.append(photo)  # type: ignore[attr-defined]
    return events


def list_thumbnail(hazard: Hazard) -> str | None:
    """A list cell's small photo of a hazard (整改后 when there is one, else 整改前);
    the list prefetches `photos`, whose default order puts 整改后 first."""
    from django.utils.html import format_html

    photos = list(hazard.photos.all())
    if not photos:
        return None
    photo = photos[0]
    return format_html(
        '<img src="{}" alt="{}照片" width="48" height="36" class="rounded border"'
        ' style="object-fit:cover" loading="lazy" data-testid="list-photo">',
        photo.image.thumb_url,
        photo.get_stage_display(),
    )
