"""Excel import: checked row by row before anything is written; all rows or none; idempotent."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from anjian.core.models import AuditEntry
from anjian.enterprises import services
from anjian.enterprises.columns import COLUMNS
from anjian.enterprises.models import Enterprise, ImportJob
from anjian.orgs.models import Organisation
from tests.factories import credit_code

pytestmark = pytest.mark.django_db


def row(n, **extra):
    values = {
        "name": f"导入企业{n}",
        "credit_code": credit_code(2000 + n),
        "region": "130202001",
        "industry": "30",
        "principal_name": "赵六",
        "employees": 30,
        "has_major_hazard": "否",
    }
    values.update(extra)
    return values


def xlsx(rows, headers=None):
    workbook = Workbook()
    sheet = workbook.active
    columns = headers or [c.header for c in COLUMNS]
    keys = {c.header: c.key for c in COLUMNS}
    sheet.append(columns)
    for values in rows:
        sheet.append([values.get(keys.get(h, h), "") for h in columns])
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("企业.xlsx", buffer.getvalue())


def upload(user, rows, **kwargs):
    job = services.import_start(actor=user, uploaded=xlsx(rows, **kwargs))
    job.refresh_from_db()
    return job


def test_template_has_the_chinese_headers_and_code_lists(world, client):
    client.force_login(world.township)
    response = client.get("/enterprises/imports/template/")
    workbook = load_workbook(BytesIO(response.content))
    assert [c.value for c in workbook["企业台账"][1]] == [c.header for c in COLUMNS]
    codes = [r[0] for r in workbook["区划代码"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["130202001"]  # a township user gets its own township only
    assert "宏达建筑公司" not in str(list(workbook["区划代码"].values))


def test_check_reports_each_bad_cell_and_writes_nothing(world):
    before = (Organisation.objects.count(), Enterprise.objects.count(), AuditEntry.objects.count())
    job = upload(
        world.bureau,
        [
            row(1),
            row(2, credit_code="91130202MA00000000"),  # bad check character
            row(3, region="130202999"),  # unknown region inside the district
            row(4, industry="99"),  # unknown industry
            row(5, credit_code=credit_code(2001)),  # duplicate of row 1's code (row 2 in Excel)
            row(6, employees="很多", longitude="118.1"),  # not a number; longitude without latitude
            row(7, region="130203001"),  # outside the bureau's district
            row(8, credit_code=world.lubei_co.credit_code),  # registered by another district
        ],
    )
    assert job.status == ImportJob.Status.CHECKED
    assert (job.total_rows, job.valid_rows, job.error_rows) == (8, 1, 7)
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "校验位" in messages[(3, "统一社会信用代码")]
    assert messages[(4, "所在乡镇（街道）区划代码")] == "区划代码不存在"
    assert "行业代码不存在" in messages[(5, "行业代码（国民经济行业大类）")]
    assert messages[(6, "统一社会信用代码")] == "与第2行的统一社会信用代码重复"
    assert messages[(7, "从业人员数")] == "须为整数"
    assert messages[(7, "纬度")] == "经度和纬度须同时填写"
    assert messages[(8, "所在乡镇（街道）区划代码")] == "不在您的管辖范围内"
    assert "其他辖区" in messages[(9, "统一社会信用代码")]
    assert (
        Organisation.objects.count(),
        Enterprise.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_all_or_nothing_refuses_a_file_with_one_bad_row(world):
    job = upload(world.bureau, [row(1), row(2), row(3, industry="XX")])
    with pytest.raises(Exception, match="不能全部导入"):
        services.import_confirm(actor=world.bureau, job=job, mode="all")
    assert not Organisation.objects.filter(name__startswith="导入企业").exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED


def test_valid_only_imports_the_good_rows(world):
    job = upload(world.bureau, [row(1), row(2), row(3, industry="XX")])
    services.import_confirm(actor=world.bureau, job=job, mode="valid")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and (job.created_count, job.updated_count) == (2, 0)
    assert set(
        Organisation.objects.filter(name__startswith="导入企业").values_list("name", flat=True)
    ) == {"导入企业1", "导入企业2"}
    assert AuditEntry.objects.filter(action="create", reason__startswith="Excel导入").count() == 2


def test_reimport_of_the_same_file_changes_nothing(world):
    rows = [row(1, is_dust_explosion="是", longitude="118.18", latitude="39.61"), row(2)]
    services.import_confirm(actor=world.bureau, job=upload(world.bureau, rows), mode="all")
    snapshot = list(
        Enterprise.objects.order_by("pk").values_list(
            "pk", "updated_at", "organisation__updated_at"
        )
    )
    audits = AuditEntry.objects.count()
    again = upload(world.bureau, rows)
    services.import_confirm(actor=world.bureau, job=again, mode="all")
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert (
        list(
            Enterprise.objects.order_by("pk").values_list(
                "pk", "updated_at", "organisation__updated_at"
            )
        )
        == snapshot
    )
    assert AuditEntry.objects.count() == audits


def test_upsert_by_credit_code_updates_changed_values_with_history(world):
    services.import_confirm(actor=world.bureau, job=upload(world.bureau, [row(1)]), mode="all")
    job = upload(world.bureau, [row(1, principal_name="钱七", employees=45)])
    services.import_confirm(actor=world.bureau, job=job, mode="all")
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 1)
    enterprise = Enterprise.objects.get(organisation__credit_code=credit_code(2001))
    assert (enterprise.principal_name, enterprise.employees) == ("钱七", 45)
    entry = AuditEntry.objects.filter(action="update", object_id=str(enterprise.pk)).get()
    assert entry.changes["principal_name"] == {"label": "主要负责人", "from": "赵六", "to": "钱七"}


def test_existing_enterprise_in_scope_is_updated_not_duplicated(world):
    code = world.chemical_co.credit_code
    job = upload(world.bureau, [row(1, credit_code=code, name="永兴化工公司", industry="26")])
    services.import_confirm(actor=world.bureau, job=job, mode="all")
    assert Organisation.objects.filter(credit_code=code).count() == 1
    world.chemical_co.enterprise.refresh_from_db()
    assert world.chemical_co.enterprise.principal_name == "赵六"


def test_department_can_import_only_its_industries(world):
    job = upload(world.zhujian, [row(1, industry="47"), row(2, industry="30")])
    assert job.valid_rows == 1
    assert job.errors[0]["message"] == "不属于本部门监管的行业"


def test_file_level_errors(world):
    job = upload(world.bureau, [row(1)], headers=["单位名称", "地址"])
    assert job.status == ImportJob.Status.FAILED and "缺少必填列" in job.message
    with pytest.raises(Exception, match="xlsx"):
        services.import_start(actor=world.bureau, uploaded=SimpleUploadedFile("a.csv", b"x,y"))
    broken = services.import_start(
        actor=world.bureau, uploaded=SimpleUploadedFile("a.xlsx", b"not a zip")
    )
    broken.refresh_from_db()
    assert broken.status == ImportJob.Status.FAILED and "无法读取" in broken.message
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_start(actor=world.enterprise_user, uploaded=xlsx([row(1)]))


def test_import_pages_show_progress_report_and_only_ones_own_jobs(world, client):
    client.force_login(world.bureau)
    response = client.post("/enterprises/imports/", {"file": xlsx([row(1), row(2, industry="XX")])})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/enterprises/imports/{job.pk}/"
    page = client.get(f"/enterprises/imports/{job.pk}/").content.decode()
    assert "校验完成" in page and "行业代码不存在" in page and "只导入 1 行有效数据" in page
    errors = load_workbook(
        BytesIO(client.get(f"/enterprises/imports/{job.pk}/errors/").content)
    ).active
    assert next(errors.iter_rows(min_row=2, values_only=True))[:2] == (
        3,
        "行业代码（国民经济行业大类）",
    )
    client.force_login(world.township)
    assert client.get(f"/enterprises/imports/{job.pk}/").status_code == 404
    client.force_login(world.bureau)
    client.post(f"/enterprises/imports/{job.pk}/confirm/", {"mode": "valid"})
    assert "导入完成：新增 1 家" in client.get(f"/enterprises/imports/{job.pk}/").content.decode()


def test_rows_and_the_jobs_status_are_written_together(world, monkeypatch):
    # A failure between the rows and the job's status (the worker killed there) must not
    # leave rows written under a job that then tells its user nothing was written.
    job = upload(world.bureau, [row(1), row(2)])
    save = ImportJob.save

    def dies_when_done(self, *args, **kwargs):
        if self.status == ImportJob.Status.DONE:
            raise MemoryError("killed after the rows")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(ImportJob, "save", dies_when_done)
    services.import_confirm(actor=world.bureau, job=job, mode="all")

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Organisation.objects.filter(name__startswith="导入企业").exists()
    assert not AuditEntry.objects.filter(reason__startswith="Excel导入").exists()
