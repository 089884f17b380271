"""Uploaded and generated files are stored under a name the server chooses, with the
extension of the type read from the content: a PNG named poly.html is stored as .png."""

import re
from io import BytesIO

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from openpyxl import Workbook

from anjian.core.files import ServerNamedFileField, kind_of
from anjian.hazards.models import HazardPhoto
from anjian.inspections.models import AnswerPhoto
from tests.hazards.conftest import PNG, hazard_data, plan_data

SERVER_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|pdf|doc|docx|xlsx|ofd|zip|bin)$")
DANGEROUS = ("poly.html", "poly.svg", "poly.js", "poly.htm", "x.png.html")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _stored(field_file) -> str:
    return field_file.name.rsplit("/", 1)[-1]


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["a"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    from docx import Document

    buffer = BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0rest", "jpg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (PDF, "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "doc"),
        ("docx", "docx"),
        ("xlsx", "xlsx"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", None),
        (b"<html><script>alert(1)</script></html>", None),
        (b"PK\x03\x04 not really a zip", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_content(content, kind):
    data = {"docx": _docx, "xlsx": _xlsx}[content]() if isinstance(content, str) else content
    assert kind_of(BytesIO(data)) == kind


def test_every_file_field_is_server_named():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label not in {"django_tasks_database"}
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and not isinstance(field, ServerNamedFileField)
    ]
    assert plain == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", DANGEROUS)
def test_hazard_photos_from_the_form_are_stored_as_png(world, client, name):
    client.force_login(world.township)
    data = {
        "place": "脚手架",
        "domain": "construction",
        "factor_class": "物的因素",
        "level": "general",
        "source": "township",
        "deadline": "2030-01-01T12:00",
        "description": "连墙件缺失",
        "found_at": "2026-11-20T09:30",
        "photos": SimpleUploadedFile(name, PNG, content_type="text/html"),
    }
    response = client.post(f"/hazards/new/{world.building_co.pk}/", data)
    assert response.status_code == 302
    stored = _stored(HazardPhoto.objects.get().image)
    assert SERVER_NAME.match(stored) and stored.endswith(".png")


@pytest.mark.django_db
def test_hazard_photos_from_the_api_are_stored_as_png(world, client):
    from anjian.hazards import services

    hazard = services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    client.force_login(world.enterprise_user)
    files = [SimpleUploadedFile(n, PNG, content_type="image/svg+xml") for n in DANGEROUS]
    response = client.post(f"/api/v1/hazards/{hazard.pk}/photos", {"photos": files})
    assert response.status_code == 201
    names = [_stored(p.image) for p in HazardPhoto.objects.all()]
    assert len(names) == len(DANGEROUS) and len(set(names)) == len(names)
    assert all(SERVER_NAME.match(n) and n.endswith(".png") for n in names)


@pytest.mark.django_db
def test_svg_or_html_content_is_not_a_photo(world, client):
    from anjian.hazards.models import Hazard

    client.force_login(world.township)
    data = {
        "place": "脚手架",
        "domain": "construction",
        "factor_class": "物的因素",
        "level": "general",
        "source": "township",
        "deadline": "2030-01-01T12:00",
        "description": "连墙件缺失",
        "photos": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png"),
    }
    response = client.post(f"/hazards/new/{world.building_co.pk}/", data)
    assert response.status_code == 200 and not Hazard.objects.exists()


@pytest.mark.django_db
def test_inspection_photos_and_signatures_are_server_named(world):
    from anjian.inspections.models import ChecklistTemplate
    from tests.inspections.conftest import answers_for, submit

    checklist = ChecklistTemplate.objects.get(
        name="房屋市政工程重大事故隐患检查表", is_current=True
    )
    upload = SimpleUploadedFile("poly.html", PNG, content_type="text/html")
    inspection, _ = submit(
        world,
        checklist,
        answers=answers_for(checklist, fail=(0,), photos={0: [upload]}),
        signature=PNG,
        enterprise_signature=PNG,
    )
    for field_file in (
        AnswerPhoto.objects.get().image,
        inspection.signature,
        inspection.enterprise_signature,
    ):
        stored = _stored(field_file)
        assert SERVER_NAME.match(stored) and stored.endswith(".png"), stored
    # the hazard made from the failed item keeps its photo under a server name too
    assert all(_stored(p.image).endswith(".png") for p in HazardPhoto.objects.all())


@pytest.mark.django_db
def test_generated_inspection_reports_are_server_named(world):
    from anjian.inspections.models import ChecklistTemplate, Inspection
    from tests.inspections.conftest import submit

    checklist = ChecklistTemplate.objects.get(
        name="房屋市政工程重大事故隐患检查表", is_current=True
    )
    inspection, _ = submit(world, checklist)
    inspection.report_docx.save("检查记录.html", ContentFile(_docx()), save=False)
    assert SERVER_NAME.match(_stored(inspection.report_docx))
    assert _stored(inspection.report_docx).endswith(".docx")
    assert Inspection.objects.exists()


@pytest.mark.django_db
def test_accident_reports_are_stored_by_their_content(world, client):
    from anjian.accidents.models import Investigation
    from tests.accidents.conftest import report

    accident = report(world)
    client.force_login(world.bureau)
    url = f"/api/v1/accidents/{accident.pk}/investigation/report"
    html = SimpleUploadedFile("调查报告.pdf", b"<html><script>alert(1)</script></html>")
    assert client.post(url, {"report": html}).status_code == 400
    assert not Investigation.objects.get(accident=accident).report
    pdf = SimpleUploadedFile("poly.html", PDF, content_type="text/html")
    assert client.post(url, {"report": pdf}).status_code == 200
    stored = _stored(Investigation.objects.get(accident=accident).report)
    assert SERVER_NAME.match(stored) and stored.endswith(".pdf")


@pytest.mark.django_db
def test_import_files_are_server_named_by_their_content(world):
    from anjian.enterprises import services
    from anjian.enterprises.models import ImportJob

    job = services.import_start(
        actor=world.bureau, uploaded=SimpleUploadedFile("poly.xlsx", _xlsx())
    )
    stored = _stored(job.file)
    assert SERVER_NAME.match(stored) and stored.endswith(".xlsx")
    assert job.original_name == "poly.xlsx"
    # a page named .xlsx is kept as .bin and is never read as a workbook
    html = services.import_start(
        actor=world.bureau, uploaded=SimpleUploadedFile("企业.xlsx", b"<html>x</html>")
    )
    html.refresh_from_db()
    assert _stored(html.file).endswith(".bin") and html.status == ImportJob.Status.FAILED
