"""The hazard files the scoped file view serves: a photo is seen by whoever sees its hazard."""

from __future__ import annotations

from anjian.core.file_owners import register_files


def declare() -> None:
    from anjian.hazards.models import HazardPhoto
    from anjian.hazards.selectors import hazards_for

    register_files(
        HazardPhoto,
        ["image"],
        lambda user: HazardPhoto.objects.filter(hazard__in=hazards_for(user).values("pk")),
    )
