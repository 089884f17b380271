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


@task()
def die_in_transaction(name: str) -> None:
    """Write inside a transaction, then die the way an aborted allocation does: the
    worker's next query must not find the transaction left open on its connection."""
    import os
    import signal

    from django.contrib.auth.models import Group
    from django.db import transaction

    with transaction.atomic():
        Group.objects.create(name=name)
        os.kill(os.getpid(), signal.SIGKILL)
