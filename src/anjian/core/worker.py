"""`anjian worker`'s engine: every task in a child process with a memory and time limit.

The worker (django-tasks-db's loop) claims a task, then forks a child that runs it
the library's way (signals, result, traceback) under RLIMIT_AS. If the child dies
(an allocation that fails aborts the Rust parser, a segfault, the kernel's OOM
killer) or overruns its time, the worker marks the task FAILED with one of the
exceptions below, sends `task_finished` so the app that owns the task can tell its
user why (e.g. an import's message), and goes on with the next task.

When a worker starts it fails the tasks left RUNNING by a worker that died: one
on this host whose process is gone, or any whose run has outlasted the time limit
(no live worker lets a task run longer). Worker ids name the host, the process
and its start time so that a restarted worker with a reused pid is still told apart.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import socket
import sys
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

log = logging.getLogger("anjian.worker")

#: Extra time past the limit before a running task counts as orphaned.
ORPHAN_GRACE = timedelta(minutes=5)


class TaskStopped(Exception):
    """A task the worker had to stop or found abandoned; the text is for people."""

    reason = "后台任务异常终止"


class TaskCrashed(TaskStopped):
    reason = "后台任务进程异常退出（可能是占用内存超过上限）"


class TaskTimedOut(TaskStopped):
    reason = "后台任务运行时间超过上限，已被终止"


class TaskAbandoned(TaskStopped):
    reason = "处理中的后台服务中断（例如重启），任务未完成"


def failure_reason(exception_class_path: str) -> str:
    """Why a task failed, in words for its user, from the stored exception class."""
    for cls in (TaskCrashed, TaskTimedOut, TaskAbandoned):
        if exception_class_path == f"{cls.__module__}.{cls.__qualname__}":
            return cls.reason
    if exception_class_path == "builtins.MemoryError":
        return "后台任务占用内存超过上限"
    return "后台任务出错"


# Worker identity ------------------------------------------------------------------


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), or "" if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return ""
    return stat.rsplit(b")", 1)[-1].split()[19].decode()


def worker_id() -> str:
    """host:pid:start — at most 64 characters (django-tasks-db's limit)."""
    pid = os.getpid()
    return f"{socket.gethostname()[:40]}:{pid}:{_start_time(pid)}"[:64]


def _is_alive_here(claimed_by: str) -> bool | None:
    """Whether the worker that claimed a task still runs: True/False on this host,
    None when it runs on another host and cannot be checked from here."""
    parts = claimed_by.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        # Not one of ours: a worker from before `anjian worker` named itself, now gone.
        return False
    host, pid_text, started = parts
    if host != socket.gethostname()[:40]:
        return None
    pid = int(pid_text)
    if started and _start_time(pid) != started:
        return False  # gone, or the pid now belongs to another process
    if pid == os.getpid():
        return False  # an earlier worker with our pid; we have not claimed anything yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Orphans --------------------------------------------------------------------------


def fail_abandoned_tasks() -> int:
    """Mark FAILED every task left RUNNING by a worker that is gone. Returns how many."""
    now = timezone.now()
    too_old = now - timedelta(seconds=settings.ANJIAN_TASK_TIME_LIMIT_SECONDS) - ORPHAN_GRACE
    failed = 0
    for result in DBTaskResult.objects.running().order_by("started_at"):
        claimed_by = result.worker_ids[-1] if result.worker_ids else ""
        alive = _is_alive_here(claimed_by)
        started = result.started_at or now
        if alive is True or (alive is None and started > too_old):
            continue
        claimed = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING)
        if not claimed.update(status=TaskResultStatus.FAILED):
            continue  # another worker got there first
        log.warning(
            "task %s (%s) left running by %s: failed", result.pk, result.task_path, claimed_by
        )
        _record_failure(result, TaskAbandoned(f"worker {claimed_by or '?'} is gone"))
        failed += 1
    return failed


def _record_failure(result: DBTaskResult[Any, Any], exc: TaskStopped) -> None:
    """Store the failure the library's way and tell the task's app."""
    result.set_failed(exc)
    try:
        task_result = result.task_result
    except Exception:  # the task's code is gone (renamed module): nothing to tell
        log.exception("task %s: cannot load %s", result.pk, result.task_path)
        return
    task_finished.send(sender=type(result.task.get_backend()), task_result=task_result)


# The worker -----------------------------------------------------------------------


def _limit_child() -> None:
    """In the child: its own memory limit, killed with the worker, deaf to Ctrl+C and
    SIGTERM (the worker decides: the first asks it to finish the task, the second kills it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    allowance = settings.ANJIAN_TASK_MEMORY_MB * 1024 * 1024
    if allowance > 0:
        limit = _address_space() + allowance
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int:
    """This process's current virtual size in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 0


class IsolatedWorker(Worker):
    """django-tasks-db's worker loop; each task in a child process it can afford to lose."""

    def run(self) -> None:
        self.worker_id = worker_id()  # here: under --reload this is the process that works
        abandoned = fail_abandoned_tasks()
        if abandoned:
            log.warning("failed %s task(s) left running by a worker that is gone", abandoned)
        log.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        while self.running:
            close_old_connections()
            self._start_due_jobs()
            task_result, retrieved = self._claim_next()
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                return  # --batch: what was queued (and due) has run
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    # The loop above is django-tasks-db's `Worker.run` with the scheduled jobs started
    # before each poll; claiming stays the library's.
    def _claim_next(self) -> tuple[DBTaskResult[Any, Any] | None, bool]:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # so no other worker runs it
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None, False  # a locked SQLite database: try again
                raise
        return task_result, True

    def _start_due_jobs(self) -> None:
        from anjian.core.schedule import start_due_jobs

        try:
            start_due_jobs()
        except DatabaseError:
            # The next poll tries again; queued tasks still run meanwhile.
            log.exception("cannot start the scheduled jobs")

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.running_task = True
        # The child must open its own connections: a socket shared by two processes
        # interleaves their queries, and a transaction it leaves open breaks ours.
        _close_connections()
        child = multiprocessing.get_context("fork").Process(
            target=self._run_in_child, args=(db_task_result,), daemon=True
        )
        try:
            try:
                child.start()
            except OSError as exc:  # no memory or processes left to fork: this task fails
                self._fail_if_running(db_task_result, TaskCrashed(f"cannot start: {exc}"))
                return
            try:
                child.join(settings.ANJIAN_TASK_TIME_LIMIT_SECONDS)
            except BaseException:
                # The worker is being stopped (second Ctrl+C): the task does not outlive it.
                child.kill()
                child.join()
                self._fail_if_running(db_task_result, TaskAbandoned("worker stopped"))
                raise
            if child.is_alive():
                child.kill()
                child.join()
                self._fail_if_running(db_task_result, TaskTimedOut(self._limit_text()))
            elif child.exitcode != 0:
                self._fail_if_running(db_task_result, TaskCrashed(_exit_text(child.exitcode)))
            else:
                self._fail_if_running(db_task_result, TaskCrashed("no result recorded"))
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _run_in_child(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        _limit_child()
        try:
            super().run_task(db_task_result)  # records the result and sends the signals
        finally:
            connections.close_all()

    def _fail_if_running(self, db_task_result: DBTaskResult[Any, Any], exc: TaskStopped) -> None:
        try:
            self._record_if_running(db_task_result, exc)
        except DatabaseError:
            # A connection the dead child left unusable must not end the worker loop:
            # start again on fresh connections, once.
            log.warning("task %s: database error, reconnecting", db_task_result.pk, exc_info=True)
            _close_connections()
            self._record_if_running(db_task_result, exc)

    @staticmethod
    def _record_if_running(db_task_result: DBTaskResult[Any, Any], exc: TaskStopped) -> None:
        db_task_result.refresh_from_db()
        if db_task_result.status != TaskResultStatus.RUNNING:
            return  # the child recorded its own result
        log.error("task %s (%s): %s", db_task_result.pk, db_task_result.task_path, exc)
        _record_failure(db_task_result, exc)

    @staticmethod
    def _limit_text() -> str:
        return f"stopped after {settings.ANJIAN_TASK_TIME_LIMIT_SECONDS} s"


def _close_connections() -> None:
    """Really close this process's connections. Closing a pooled connection only hands it
    back to the pool, and a forked child would inherit the pool and draw the very same
    server connection from it: the pool itself is closed too (the next query opens a new
    one). `anjian worker` connects without a pool (settings); this covers any other."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            conn.close()
        if conn.settings_dict.get("OPTIONS", {}).get("pool") and hasattr(conn, "close_pool"):
            with contextlib.suppress(DatabaseError):
                conn.close_pool()


def _exit_text(exitcode: Any) -> str:
    if isinstance(exitcode, int) and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"
