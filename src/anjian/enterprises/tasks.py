"""Background work of the register, run by `anjian worker`."""

import logging

from django_tasks import task

from anjian.enterprises import importing
from anjian.enterprises.models import ImportJob

log = logging.getLogger("anjian.enterprises")


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, message=message[:500]
    )


@task()
def check_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        importing.check_file(job)
    except importing.ImportFileError as exc:
        _fail(job_id, str(exc))
    except Exception:
        log.exception("import %s: check failed", job_id)
        _fail(job_id, "校验时发生系统错误，未写入任何数据。请联系运维人员。")
        raise


@task()
def apply_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        importing.apply_file(job)
    except Exception:
        log.exception("import %s: apply failed", job_id)
        _fail(
            job_id,
            "导入失败，已全部回退，未写入任何数据。可能有其他人同时登记了相同的企业，请重新上传校验。",
        )
        raise
