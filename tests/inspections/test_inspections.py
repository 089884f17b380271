"""Inspections: failed items become linked hazards, resubmission creates nothing twice,
a revised checklist leaves finished inspections alone, bad input writes nothing."""

import uuid
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anjian.hazards.models import Hazard
from anjian.inspections import services
from anjian.inspections.models import Answer, Inspection, PointScan
from tests.inspections.conftest import answers_for, photo, submit

pytestmark = pytest.mark.django_db


def test_three_failed_items_make_exactly_three_linked_hazards(world, checklist):
    items = list(checklist.items())
    inspection, created = submit(
        world,
        checklist,
        answers=answers_for(checklist, fail=(0, 2, 4), na=(5,), photos={4: [photo()]}),
    )
    assert created and inspection.answers.count() == len(items) == 6
    failed = inspection.answers.filter(result="fail").select_related("hazard", "item")
    assert failed.count() == 3 and Hazard.objects.count() == 3
    for answer in failed:
        hazard = answer.hazard
        assert hazard is not None and hazard.enterprise_id == world.building_co.pk
        assert hazard.level == ("major" if answer.item.major else "general")
        assert hazard.legal_basis == answer.item.legal_basis
        assert hazard.domain_id == "construction" and hazard.source == "township"
        assert answer.item.question in hazard.description
    # item 5 (脚手架连墙件) is not a 重大 criterion; items 1 and 3 are
    assert sorted(Hazard.objects.values_list("level", flat=True)) == ["general", "major", "major"]
    photographed = failed.get(item=items[4]).hazard
    assert (
        photographed.photos.count() == 1 and Answer.objects.get(item=items[4]).photos.count() == 1
    )


def test_resubmitting_after_a_timeout_creates_nothing_twice(world, checklist):
    client_id = uuid.uuid4()
    answers = answers_for(checklist, fail=(1,))
    first, created = submit(world, checklist, client_id=client_id, answers=answers)
    again, created_again = submit(world, checklist, client_id=client_id, answers=answers)
    assert created and not created_again and again.pk == first.pk
    assert Inspection.objects.count() == 1 and Hazard.objects.count() == 1
    assert Answer.objects.count() == 6
    with pytest.raises(ValidationError):  # someone else cannot reuse the id
        submit(world, checklist, client_id=client_id, actor=world.bureau, kind="department")


def test_a_revised_checklist_leaves_finished_inspections_alone(world, checklist):
    inspection, _ = submit(world, checklist, answers=answers_for(checklist, fail=(0,)))
    before = [(a.item.question, a.result) for a in inspection.answers.select_related("item")]
    sections = services.template_sections(checklist)
    sections[0][1][0]["question"] = "施工企业安全生产许可证是否有效（修订）"
    sections[1][1].append({"question": "塔吊是否办理使用登记", "legal_basis": "特种设备安全法"})
    new = services.template_revise(
        actor=world.bureau, template=checklist, name=checklist.name, sections=sections
    )
    checklist.refresh_from_db()
    assert (new.version, new.is_current, checklist.is_current) == (2, True, False)
    assert new.items().count() == 7 and checklist.items().count() == 6
    inspection.refresh_from_db()
    assert inspection.template_id == checklist.pk
    after = [(a.item.question, a.result) for a in inspection.answers.select_related("item")]
    assert after == before
    with pytest.raises(ValidationError):  # the old version is no longer editable
        services.template_revise(
            actor=world.bureau, template=checklist, name="x", sections=sections
        )
    with pytest.raises(PermissionDenied):
        services.template_revise(
            actor=world.enterprise_user, template=new, name="x", sections=sections
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": "missing"}, "answers"),
        ({"answers": "fail_without_note"}, "note_"),
        ({"place": " "}, "place"),
        ({"signed_by": ""}, "signed_by"),
        ({"kind": "joint"}, "participants"),
        ({"latitude": 95, "longitude": 10}, "latitude"),
    ],
)
def test_bad_input_writes_nothing(world, checklist, change, field):
    values = dict(change)
    if values.get("answers") == "missing":
        values["answers"] = answers_for(checklist)[:-1]
    elif values.get("answers") == "fail_without_note":
        values["answers"] = answers_for(checklist, fail=(0,), notes={0: ""})
    with pytest.raises(ValidationError) as exc:
        submit(world, checklist, **values)
    assert any(key.startswith(field) for key in exc.value.message_dict)
    assert not Inspection.objects.exists() and not Hazard.objects.exists()


def test_who_may_do_which_inspection(world, checklist):
    with pytest.raises(PermissionDenied):
        submit(world, checklist, actor=world.enterprise_user, kind="department")
    with pytest.raises(PermissionDenied):
        submit(world, checklist, actor=world.expert)
    own, _ = submit(
        world,
        checklist,
        actor=world.enterprise_user,
        kind="self",
        answers=answers_for(checklist, fail=(0,)),
    )
    assert Hazard.objects.get().source == "self"
    joint, _ = submit(
        world,
        checklist,
        actor=world.bureau,
        kind="joint",
        participants=[world.zhujian.organisation, world.township.organisation],
    )
    assert joint.participants.count() == 2 and own.kind == "self"


def test_qr_point_flags_distance_and_reused_photos(world, checklist):
    from decimal import Decimal

    from anjian.inspections.models import InspectionPoint

    point = InspectionPoint.objects.create(
        enterprise=world.building_co.enterprise,
        name="1号塔吊",
        template=checklist,
        token="t" * 32,
        latitude=Decimal("39.600000"),
        longitude=Decimal("118.180000"),
        radius_m=100,
        region_code="130202001",
        industry_code="47",
    )
    near, _ = submit(
        world,
        checklist,
        point=point,
        latitude="39.600300",
        longitude="118.180000",
        answers=answers_for(checklist, fail=(0,), photos={0: [photo("a.png")]}),
    )
    scan = near.scan
    assert 30 <= scan.distance_m <= 40 and not scan.too_far and not scan.reused_photo
    far, _ = submit(
        world,
        checklist,
        point=point,
        latitude="39.610000",
        longitude="118.180000",
        answers=answers_for(checklist, fail=(0,), photos={0: [photo("b.png")]}),
    )
    assert far.scan.too_far and far.scan.distance_m > 1000
    assert far.scan.reused_photo  # the same picture as the first scan
    blind, _ = submit(world, checklist, point=point)
    assert blind.scan.no_position and PointScan.objects.count() == 3


def test_the_pdf_record_renders_the_chinese_text(
    world, checklist, django_capture_on_commit_callbacks
):
    import pypdfium2

    from anjian.inspections.reports import render_docx, render_pdf

    with django_capture_on_commit_callbacks(execute=True):
        inspection, _ = submit(
            world,
            checklist,
            answers=answers_for(
                checklist, fail=(0,), notes={0: "未能出示安全生产许可证"}, photos={0: [photo()]}
            ),
        )
    inspection.refresh_from_db()
    assert inspection.report and inspection.report_docx  # written by the background task
    data = render_pdf(inspection)
    document = pypdfium2.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    for words in (
        "安全生产现场检查记录",
        "宏达建筑公司",
        "未能出示安全生产许可证",
        "发现隐患 1 项",
    ):
        assert words in text.replace("\r", "").replace("\n", "")
    image = document[0].render(scale=1.5).to_pil().convert("L")
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "inspection-record-pdf.png")
    # the title line is drawn: dark pixels in the top band of the page
    width, height = image.size
    top = image.crop((0, 0, width, height // 10))
    assert min(top.getdata()) < 100
    from docx import Document

    docx = Document(BytesIO(render_docx(inspection)))
    assert "安全生产现场检查记录" in "\n".join(p.text for p in docx.paragraphs)


def test_handwritten_signatures_are_png_or_refused(world, checklist):
    from tests.hazards.conftest import PNG

    with pytest.raises(ValidationError) as exc:
        submit(world, checklist, signature=b"GIF89a not a png")
    assert "signature" in exc.value.message_dict and not Inspection.objects.exists()
    inspection, _ = submit(world, checklist, signature=PNG, enterprise_signature=PNG)
    assert inspection.signature.read() == PNG
    from anjian.inspections.reports import render_pdf

    assert render_pdf(inspection).startswith(b"%PDF")


def test_signature_data_urls():
    from anjian.inspections.forms import png_from_data_url

    assert png_from_data_url("") is None
    assert png_from_data_url("data:image/png;base64,iVBORw0KGgo=").startswith(b"\x89PNG")
    assert png_from_data_url("data:image/gif;base64,R0lG") == b"invalid"
    assert png_from_data_url("data:image/png;base64,@@@") == b"invalid"


def test_hazards_from_an_inspection_carry_the_default_deadline_of_their_level(world, checklist):
    """责令限期整改: a government inspection's findings never wait without a deadline."""
    from datetime import timedelta

    inspection, _ = submit(world, checklist, answers=answers_for(checklist, fail=(0, 4)))
    for hazard in Hazard.objects.all():
        days = 90 if hazard.level == "major" else 30
        assert hazard.deadline == inspection.finished_at + timedelta(days=days)
