"""Background work of the register, run by `anjian worker`."""

import logging
from typing import Any

from django_tasks import TaskResultStatus, task

from anjian.core.worker import failure_reason
from anjian.enterprises import importing
from anjian.enterprises.models import ImportJob

log = logging.getLogger("anjian.enterprises")

CHECK_FAILED = (
    "校验未完成：{reason}。未写入任何数据，请检查文件后重新上传；如再次失败请联系运维人员。"
)
APPLY_FAILED = "导入未完成：{reason}。已全部回退，未写入任何数据，请重新上传校验。"


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, message=message[:500]
    )


def _class_path(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


@task()
def check_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        importing.check_file(job)
    except importing.ImportFileError as exc:
        _fail(job_id, str(exc))
    except Exception as exc:
        log.exception("import %s: check failed", job_id)
        _fail(job_id, CHECK_FAILED.format(reason=failure_reason(_class_path(exc))))
        raise


@task()
def apply_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        importing.apply_file(job)
    except MemoryError as exc:
        log.exception("import %s: apply failed", job_id)
        _fail(job_id, APPLY_FAILED.format(reason=failure_reason(_class_path(exc))))
        raise
    except Exception:
        log.exception("import %s: apply failed", job_id)
        _fail(
            job_id,
            "导入失败，已全部回退，未写入任何数据。可能有其他人同时登记了相同的企业，请重新上传校验。",
        )
        raise


def fail_stopped_import(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """`task_finished`: an import whose task failed where its own handler could not run
    (the worker stopped it or found it abandoned) fails too, saying why."""
    if task_result.status != TaskResultStatus.FAILED or not task_result.args:
        return
    path = task_result.task.module_path
    if path == check_import.module_path:
        template, running = CHECK_FAILED, ImportJob.Status.CHECKING
    elif path == apply_import.module_path:
        template, running = APPLY_FAILED, ImportJob.Status.IMPORTING
    else:
        return
    error = task_result.errors[-1].exception_class_path if task_result.errors else ""
    ImportJob.objects.filter(pk=task_result.args[0], status=running).update(
        status=ImportJob.Status.FAILED, message=template.format(reason=failure_reason(error))[:500]
    )
