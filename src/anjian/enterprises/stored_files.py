"""The enterprise files the scoped file view serves: an uploaded register spreadsheet is
seen only by whoever uploaded it (as the import's page)."""

from __future__ import annotations

from anjian.core.file_owners import register_files


def declare() -> None:
    from anjian.enterprises.models import ImportJob
    from anjian.enterprises.selectors import import_jobs_of

    register_files(ImportJob, ["file"], import_jobs_of)
