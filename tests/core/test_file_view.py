"""Stored files are served only through the scoped file view: in scope with the type
read at upload, 404 outside the scope / for unknown records, never at a storage path."""

from io import BytesIO

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from anjian.core.file_owners import registered_fields
from anjian.orgs.models import Role
from tests.core.test_stored_files import PDF, _docx, _xlsx
from tests.factories import UserFactory
from tests.hazards.conftest import PNG, hazard_data

pytestmark = pytest.mark.django_db


def jpeg(width=1600, height=1200) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _hazard_photo(world):
    from anjian.hazards import services
    from anjian.hazards.photos import save_photos

    hazard = services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    upload = SimpleUploadedFile("整改前.jpg", jpeg(), content_type="image/jpeg")
    return save_photos(hazard, [upload], "before", world.township)[0]


def _inspection(world):
    from anjian.inspections.models import ChecklistTemplate
    from tests.inspections.conftest import answers_for, submit

    checklist = ChecklistTemplate.objects.get(
        name="房屋市政工程重大事故隐患检查表", is_current=True
    )
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    inspection, _ = submit(
        world,
        checklist,
        answers=answers_for(checklist, fail=(0,), photos={0: [upload]}),
        signature=PNG,
        enterprise_signature=PNG,
    )
    inspection.report.save("r.pdf", ContentFile(PDF), save=False)
    inspection.report_docx.save("r.docx", ContentFile(_docx()), save=False)
    inspection.save()
    return inspection


def _answer_photo(world):
    from anjian.inspections.models import AnswerPhoto

    _inspection(world)
    return AnswerPhoto.objects.get()


def _investigation(world):
    from anjian.accidents.models import Investigation
    from tests.accidents.conftest import report

    accident = report(world)
    investigation = Investigation.objects.get(accident=accident)
    investigation.report.save("调查报告.pdf", ContentFile(PDF))
    return investigation


def _import_job(world):
    from anjian.enterprises import services

    return services.import_start(
        actor=world.bureau, uploaded=SimpleUploadedFile("企业.xlsx", _xlsx())
    )


def _other_enterprise_user(world):
    return UserFactory(username="ent2", organisation=world.chemical_co, role=Role.ENTERPRISE)


#: Every registered file field: how to make a record with a file, who sees it, who must
#: not (by name in `world`, or a callable making the user), and the type served.
CASES = {
    "hazards.HazardPhoto.image": (
        _hazard_photo,
        "township",
        ("other_township", "other_district_bureau", _other_enterprise_user, "expert"),
        "image/jpeg",
    ),
    **{
        f"inspections.Inspection.{field}": (
            _inspection,
            "township",
            ("other_township", "other_district_bureau", _other_enterprise_user),
            content_type,
        )
        for field, content_type in (
            ("signature", "image/png"),
            ("enterprise_signature", "image/png"),
            ("report", "application/pdf"),
            (
                "report_docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        )
    },
    "inspections.AnswerPhoto.image": (
        _answer_photo,
        "enterprise_user",
        ("other_township", "other_district_bureau", _other_enterprise_user),
        "image/png",
    ),
    "accidents.Investigation.report": (
        _investigation,
        "leader",
        ("other_township", "other_district_bureau", _other_enterprise_user),
        "application/pdf",
    ),
    "enterprises.ImportJob.file": (
        _import_job,
        "bureau",
        ("township", "leader", "other_district_bureau"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _user(world, who):
    return who(world) if callable(who) else getattr(world, who)


def test_every_file_field_is_registered_with_the_file_view():
    """Class-wide: a model storing files whose app did not declare them would have files
    nobody can fetch (or, worse, fetched some other way)."""
    declared = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("anjian.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert declared - registered_fields() == set()


def test_every_registered_field_is_checked_here():
    assert set(CASES) == registered_fields()


@pytest.mark.parametrize("key", sorted(CASES))
def test_served_in_scope_with_the_detected_type(world, client, key):
    make, viewer, _, content_type = CASES[key]
    record = make(world)
    field = key.rsplit(".", 1)[1]
    url = getattr(record, field).url
    assert url.startswith(f"/files/{record._meta.app_label}/{record._meta.model_name}/")
    assert "media" not in url and getattr(record, field).name not in url
    client.force_login(_user(world, viewer))
    response = client.get(url)
    assert response.status_code == 200, key
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    assert response["Content-Disposition"].startswith("inline" if inline else "attachment")
    body = b"".join(response.streaming_content)
    with getattr(record, field).open("rb") as stored:
        assert body == stored.read()


@pytest.mark.parametrize("key", sorted(CASES))
def test_outside_the_scope_is_not_found(world, client, key):
    make, _, outsiders, _ = CASES[key]
    record = make(world)
    url = getattr(record, key.rsplit(".", 1)[1]).url
    for who in outsiders:
        client.force_login(_user(world, who))
        response = client.get(url)
        assert response.status_code == 404, (key, who)
        assert b"%PDF" not in response.content and PNG[:8] not in response.content


def test_unknown_records_fields_and_models_are_not_found(world, client):
    photo = _hazard_photo(world)
    client.force_login(world.bureau)
    assert client.get(photo.image.url).status_code == 200
    for url in (
        f"/files/hazards/hazardphoto/{photo.pk + 1000}/image/",
        f"/files/hazards/hazardphoto/{photo.pk}/uploaded_by/",
        f"/files/hazards/hazard/{photo.hazard_id}/image/",
        f"/files/orgs/user/{world.bureau.pk}/password/",
        f"/files/hazards/hazardphoto/{photo.pk}/image/?size=huge",
    ):
        assert client.get(url).status_code == 404, url


def test_signed_out_users_are_sent_to_sign_in(world, client):
    photo = _hazard_photo(world)
    response = client.get(photo.image.url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_storage_path_is_not_served(world, client, settings):
    photo = _hazard_photo(world)
    client.force_login(world.bureau)
    for path in (f"/media/{photo.image.name}", f"/{photo.image.name}", "/media/"):
        assert client.get(path).status_code == 404, path


def test_an_api_token_opens_the_file_and_a_bad_one_does_not(world, client):
    from anjian.orgs.services import api_token_create

    photo = _hazard_photo(world)
    _, key = api_token_create(user=world.township, name="手机")
    ok = client.get(photo.image.url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    assert client.get(photo.image.url, HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    _, outsider = api_token_create(user=world.other_township, name="手机")
    assert client.get(photo.image.url, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404


def test_thumbnails_are_smaller_images(world, client):
    from PIL import Image

    photo = _hazard_photo(world)
    client.force_login(world.township)
    response = client.get(photo.image.thumb_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    assert len(body) < photo.image.size
    with Image.open(BytesIO(body)) as thumb:
        assert max(thumb.size) <= 480 and thumb.size[0] > thumb.size[1]
    # made once, then served from the storage
    again = client.get(photo.image.thumb_url)
    assert b"".join(again.streaming_content) == body
    assert photo.image.storage.exists(f"thumbs/{photo.image.name.rsplit('.', 1)[0]}.jpg")


def test_thumbnails_of_png_stay_png(world, client):
    inspection = _inspection(world)
    client.force_login(world.township)
    response = client.get(inspection.signature.thumb_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_no_thumbnail_of_a_document(world, client):
    inspection = _inspection(world)
    client.force_login(world.township)
    url = inspection.report.url + "&size=thumb"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_revalidation_answers_304(world, client):
    photo = _hazard_photo(world)
    client.force_login(world.township)
    first = client.get(photo.image.url)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    again = client.get(photo.image.url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    # the scope is checked before the cache: an outsider with the ETag gets 404
    client.force_login(world.other_township)
    assert client.get(photo.image.url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_x_accel_redirect_hands_the_file_to_nginx(world, client, settings):
    settings.ANJIAN_FILE_ACCEL = "x-accel-redirect"
    settings.ANJIAN_FILE_ACCEL_PREFIX = "/protected-files/"
    photo = _hazard_photo(world)
    client.force_login(world.township)
    response = client.get(photo.image.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-files/{photo.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    client.force_login(world.other_township)
    outside = client.get(photo.image.url)
    assert outside.status_code == 404 and "X-Accel-Redirect" not in outside


def test_x_sendfile_hands_the_file_to_apache(world, client, settings):
    settings.ANJIAN_FILE_ACCEL = "x-sendfile"
    photo = _hazard_photo(world)
    client.force_login(world.township)
    response = client.get(photo.image.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"] == photo.image.path


def test_api_responses_link_files_through_the_scoped_view(world, client):
    """An API client follows the file URLs of a response with its own token."""
    from anjian.orgs.services import api_token_create

    photo = _hazard_photo(world)
    inspection = _inspection(world)
    investigation = _investigation(world)
    _, key = api_token_create(user=world.township, name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    hazard = client.get(f"/api/v1/hazards/{photo.hazard_id}", **auth).json()
    [shown] = hazard["photos"]
    assert shown["stage"] == "before" and "/media/" not in shown["url"]
    assert shown["url"] == f"http://testserver{photo.image.url}"
    assert client.get(shown["url"], **auth)["Content-Type"] == "image/jpeg"
    assert client.get(shown["thumb_url"], **auth).status_code == 200

    detail = client.get(f"/api/v1/inspections/{inspection.pk}", **auth).json()
    urls = [detail[k] for k in ("signature_url", "enterprise_signature_url", "report_url")]
    urls += [u for a in detail["answers"] for u in a["photo_urls"]]
    assert len(urls) == 4 and all("/files/inspections/" in u for u in urls)
    assert all(client.get(u, **auth).status_code == 200 for u in urls)

    bureau = api_token_create(user=world.bureau, name="办公室")[1]
    accident = client.get(
        f"/api/v1/accidents/{investigation.accident_id}/investigation",
        HTTP_AUTHORIZATION=f"Bearer {bureau}",
    ).json()
    assert "/files/accidents/investigation/" in accident["report_url"]

    # the same URLs with another township's token: not found
    _, outsider = api_token_create(user=world.other_township, name="手机")
    assert client.get(shown["url"], HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404


def test_the_hazard_ledger_shows_thumbnails_but_does_not_export_them(world, client):
    from openpyxl import load_workbook

    photo = _hazard_photo(world)
    client.force_login(world.township)
    page = client.get("/hazards/").content.decode()
    assert photo.image.thumb_url.replace("&", "&amp;") in page and "/media/" not in page
    export = client.get("/hazards/?export=xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "照片" not in headers and "<img" not in str(list(sheet.values))


def test_the_system_check_names_an_undeclared_file_field(monkeypatch):
    from anjian.core import file_owners
    from anjian.core.files import check_file_fields_are_served

    assert check_file_fields_are_served() == []
    monkeypatch.delitem(file_owners._owners, ("hazards", "hazardphoto"))
    [error] = check_file_fields_are_served()
    assert error.id == "anjian.E003" and "hazards.HazardPhoto.image" in error.msg
