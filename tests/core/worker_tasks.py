"""Tasks that misbehave, for the worker's tests (run by a real `anjian worker`)."""

import time

from django_tasks import task


@task()
def parse_unbounded(path: str) -> None:
    """Hand a hostile file straight to calamine, as the import did before the bounded
    reader: it asks for 549,755,813,888 bytes and aborts the process."""
    from python_calamine import CalamineWorkbook

    CalamineWorkbook.from_path(path).get_sheet_by_index(0)


@task()
def sleep(seconds: float) -> None:
    time.sleep(seconds)


@task()
def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))
