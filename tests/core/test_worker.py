"""`anjian worker`: one bad task fails alone, the worker goes on, and tasks left running by
a dead worker fail when a worker starts, with the reason shown to the user.

The worker runs as a real process (`anjian worker --batch`) on the test database. On
SQLite the in-memory test database is copied to a file for it and copied back after.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anjian.core import worker
from anjian.enterprises import services
from anjian.enterprises.models import Enterprise, ImportJob
from anjian.enterprises.tasks import check_import
from tests.core import worker_tasks
from tests.enterprises.test_import import row, xlsx
from tests.spreadsheet_files import bomb_xlsx, far_corner_xlsx

ROOT = Path(__file__).resolve().parents[2]


WORKER = ("-m", "anjian.cli", "worker", "--batch", "--interval", "0")
#: The worker's loop in a process that connects through the pool (`anjian worker` does
#: not): the loop itself must not hand its pooled server connection to a child.
POOLED_WORKER = (
    "-c",
    """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "anjian.settings"
django.setup()
from django.db import connection
assert connection.settings_dict["OPTIONS"].get("pool"), "the pool is off"
from anjian.core.worker import IsolatedWorker, worker_id
IsolatedWorker(
    queue_names=["default"], interval=0, batch=True, backend_name="default",
    startup_delay=False, max_tasks=None, worker_id=worker_id(), excluded_queue_names=[],
).run()
""",
)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_worker(tmp_path, database_tasks):
    """Run `anjian worker --batch` in its own process; returns (exit code, output)."""

    def run(command=WORKER, **env):
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            copy = tmp_path / "worker.sqlite3"
            with sqlite3.connect(copy) as target:
                connection.connection.backup(target)
            url = f"sqlite:///{copy}"
        else:
            url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**settings_dict)
        process = subprocess.run(  # noqa: S603 - our interpreter, our fixed commands
            [sys.executable, *command],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
                "DATABASE_URL": url,
                "ANJIAN_VAR_DIR": str(tmp_path),
                "ANJIAN_DEBUG": "0",
                **env,
            },
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        if connection.vendor == "sqlite":
            with sqlite3.connect(copy) as source:
                source.backup(connection.connection)
        return process.returncode, process.stdout + process.stderr

    return run


def result_of(task_result):
    return DBTaskResult.objects.get(pk=task_result.id)


def upload(user, path, name="企业.xlsx"):
    return services.import_start(
        actor=user, uploaded=SimpleUploadedFile(name, Path(path).read_bytes())
    )


@pytest.mark.django_db(transaction=True)
def test_hostile_files_and_a_crashing_task_fail_alone_and_the_worker_goes_on(
    world, tmp_path, run_worker, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    far = upload(world.bureau, far_corner_xlsx(tmp_path / "far.xlsx"))
    bomb = upload(world.bureau, bomb_xlsx(tmp_path / "bomb.xlsx"))
    crash = worker_tasks.parse_unbounded.enqueue(str(far_corner_xlsx(tmp_path / "raw.xlsx")))
    good = services.import_start(actor=world.bureau, uploaded=xlsx([row(1), row(2)]))
    before = Enterprise.objects.count()

    code, output = run_worker()

    assert code == 0, output  # the worker itself survived and finished the queue
    far.refresh_from_db(), bomb.refresh_from_db(), good.refresh_from_db()
    assert far.status == ImportJob.Status.FAILED
    assert far.message == "文件过大：超过 200000 行。请分成多个文件上传。"
    assert bomb.status == ImportJob.Status.FAILED and "压缩比超过 100 倍" in bomb.message
    crashed = result_of(crash)
    assert crashed.status == "FAILED"
    assert crashed.exception_class_path == "anjian.core.worker.TaskCrashed"
    assert "SIGABRT" in crashed.traceback or "SIGKILL" in crashed.traceback
    assert good.status == ImportJob.Status.CHECKED and good.valid_rows == 2  # the next task ran
    assert Enterprise.objects.count() == before
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


@pytest.mark.django_db(transaction=True)
def test_time_and_memory_limits_stop_a_task_and_the_next_one_runs(world, run_worker):
    slow = worker_tasks.sleep.enqueue(60)
    greedy = worker_tasks.allocate.enqueue(4096)
    modest = worker_tasks.allocate.enqueue(8)

    code, output = run_worker(ANJIAN_TASK_TIME_LIMIT_SECONDS="3", ANJIAN_TASK_MEMORY_MB="512")

    assert code == 0, output
    assert result_of(slow).exception_class_path == "anjian.core.worker.TaskTimedOut"
    assert result_of(greedy).exception_class_path == "builtins.MemoryError"
    assert result_of(modest).status == "SUCCESSFUL" and result_of(modest).return_value == 8 << 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="connection pools are PostgreSQL's")
@pytest.mark.parametrize("command", [WORKER, POOLED_WORKER], ids=["worker", "pooled"])
def test_a_task_killed_inside_a_transaction_fails_alone_on_postgresql(world, run_worker, command):
    # With the connection pool the child used the worker's own server connection, and
    # its open transaction ended the worker ("connection in transaction status INTRANS").
    dies = worker_tasks.die_in_transaction.enqueue("不应写入")
    after = worker_tasks.allocate.enqueue(1)

    code, output = run_worker(command)

    assert code == 0, output
    assert result_of(dies).status == "FAILED"
    assert result_of(dies).exception_class_path == "anjian.core.worker.TaskCrashed"
    assert result_of(after).status == "SUCCESSFUL"
    assert not Group.objects.filter(name="不应写入").exists()  # its transaction rolled back
    assert "INTRANS" not in output


def orphan(job, claimed_by, started_minutes_ago=1):
    """A check task as a worker that then died would have left it: RUNNING, claimed."""
    result = check_import.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        worker_ids=[claimed_by],
        started_at=timezone.now() - timezone.timedelta(minutes=started_minutes_ago),
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    return result


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_fails_when_a_worker_starts(
    world, tmp_path, run_worker, settings, client
):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob.objects.create(
        created_by=world.bureau,
        file=SimpleUploadedFile("企业.xlsx", b"x"),
        original_name="企业.xlsx",
    )
    # The aborted worker of the report: django-tasks-db's random id, long gone.
    left = orphan(job, "gT4yXn0QbV6wJr2LkS8dPz1cFm5hA7eU")

    code, output = run_worker()

    assert code == 0, output
    assert result_of(left).status == "FAILED"
    assert result_of(left).exception_class_path == "anjian.core.worker.TaskAbandoned"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "处理中的后台服务中断" in job.message and "未写入任何数据" in job.message
    client.force_login(world.bureau)
    page = client.get(f"/enterprises/imports/{job.pk}/").content.decode()
    assert "处理中的后台服务中断（例如重启），任务未完成" in page
    assert 'hx-trigger="every 1s"' not in page  # the page stops waiting for it
    listing = client.get("/enterprises/imports/").content.decode()
    assert "处理中的后台服务中断（例如重启），任务未完成" in listing


@pytest.mark.django_db
def test_only_tasks_of_workers_that_are_gone_are_failed(world, database_tasks, settings):
    here = worker.worker_id().rsplit(":", 2)[0]
    parent = os.getppid()
    jobs = [
        ImportJob.objects.create(
            created_by=world.bureau, file=SimpleUploadedFile("a.xlsx", b"x"), original_name="a"
        )
        for _ in range(5)
    ]
    alive = orphan(jobs[0], f"{here}:{parent}:{worker._start_time(parent)}")
    dead_pid = orphan(jobs[1], f"{here}:999999999:1")
    reused_pid = orphan(jobs[2], f"{here}:{parent}:1")  # same pid, another process
    elsewhere = orphan(jobs[3], "other-host:42:7")
    elsewhere_stale = orphan(
        jobs[4],
        "other-host:43:7",
        started_minutes_ago=settings.ANJIAN_TASK_TIME_LIMIT_SECONDS // 60 + 10,
    )

    assert worker.fail_abandoned_tasks() == 3

    assert result_of(alive).status == "RUNNING" and result_of(elsewhere).status == "RUNNING"
    for gone in (dead_pid, reused_pid, elsewhere_stale):
        assert result_of(gone).status == "FAILED"
    statuses = list(ImportJob.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["checking", "failed", "failed", "checking", "failed"]
