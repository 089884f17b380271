"""The accident files the scoped file view serves: the investigation report is seen by
whoever sees the accident."""

from __future__ import annotations

from anjian.core.file_owners import register_files


def declare() -> None:
    from anjian.accidents.models import Investigation
    from anjian.accidents.selectors import accidents_for

    register_files(
        Investigation,
        ["report"],
        lambda user: Investigation.objects.filter(accident__in=accidents_for(user).values("pk")),
    )
