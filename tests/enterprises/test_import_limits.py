"""An import file past the spreadsheet limits fails with the reason and imports nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.enterprises import services
from anjian.enterprises.columns import COLUMNS
from anjian.enterprises.models import Enterprise, ImportJob
from tests.enterprises.test_import import row, xlsx
from tests.spreadsheet_files import bomb_xlsx

pytestmark = pytest.mark.django_db


def upload_file(user, uploaded):
    job = services.import_start(actor=user, uploaded=uploaded)
    job.refresh_from_db()
    return job


def test_too_many_rows_fail_the_check_with_the_limit_and_import_nothing(world, settings, client):
    settings.ANJIAN_SPREADSHEET_MAX_ROWS = 50
    before = Enterprise.objects.count()
    within = upload_file(world.bureau, xlsx([row(n) for n in range(1, 50)]))  # + header = 50
    assert within.status == ImportJob.Status.CHECKED and within.valid_rows == 49
    job = upload_file(world.bureau, xlsx([row(n) for n in range(1, 51)]))
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "文件过大：超过 50 行。请分成多个文件上传。"
    assert (job.total_rows, job.valid_rows) == (0, 0)
    assert Enterprise.objects.count() == before
    client.force_login(world.bureau)
    page = client.get(f"/enterprises/imports/{job.pk}/").content.decode()
    assert "失败" in page and "文件过大：超过 50 行" in page
    assert "确认导入" not in page


def test_a_compression_bomb_fails_the_check_and_imports_nothing(world, tmp_path):
    bomb = bomb_xlsx(tmp_path / "企业.xlsx")
    job = upload_file(world.bureau, SimpleUploadedFile("企业.xlsx", bomb.read_bytes()))
    assert job.status == ImportJob.Status.FAILED
    assert "压缩比超过 100 倍" in job.message
    assert not Enterprise.objects.filter(organisation__name__startswith="导入企业").exists()


def test_the_template_itself_passes_the_limits(world, client):
    client.force_login(world.bureau)
    template = client.get("/enterprises/imports/template/").content
    job = upload_file(world.bureau, SimpleUploadedFile("模板.xlsx", template))
    assert job.status == ImportJob.Status.CHECKED and job.total_rows == 1
    assert len(COLUMNS) <= 200
