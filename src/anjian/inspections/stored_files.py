"""The inspection files the scoped file view serves: signatures, generated records and
answer photos are seen by whoever sees the inspection."""

from __future__ import annotations

from anjian.core.file_owners import register_files


def declare() -> None:
    from anjian.inspections.models import AnswerPhoto, Inspection
    from anjian.inspections.selectors import inspections_for

    register_files(
        Inspection,
        ["signature", "enterprise_signature", "report", "report_docx"],
        lambda user: Inspection.objects.filter(pk__in=inspections_for(user).values("pk")),
    )
    register_files(
        AnswerPhoto,
        ["image"],
        lambda user: AnswerPhoto.objects.filter(
            answer__inspection__in=inspections_for(user).values("pk")
        ),
    )
