"""The 快报 form's unit picker (a register entry picked or named exactly is linked), its
styled time inputs, and the printable 快报 in Word and PDF (R-ACC-4 layout)."""

import io

import pytest

from anjian.accidents.models import Accident
from tests.accidents.conftest import figures, report
from tests.accidents.test_access_and_pages import _form

pytestmark = pytest.mark.django_db


def test_form_offers_the_picker_and_styled_time_inputs(world, client):
    client.force_login(world.bureau)
    page = client.get("/accidents/new/").content.decode()
    assert "/enterprises/search/" in page and 'name="unit_name_id"' in page
    for name in ("occurred_at", "learnt_at", "received_at"):
        tag = page[page.index(f'name="{name}"') - 200 : page.index(f'name="{name}"') + 200]
        assert 'type="datetime-local"' in tag and "form-control" in tag, name


def test_a_picked_unit_is_linked_to_the_register(world, client):
    client.force_login(world.township)
    response = client.post(
        "/accidents/new/",
        _form(unit_name="永兴化工公司", unit_name_id=str(world.chemical_co.pk)),
    )
    assert response.status_code == 302
    accident = Accident.objects.get()
    assert accident.enterprise_id == world.chemical_co.pk
    assert accident.region_id == "130202001" and accident.industry_id == "26"


def test_a_name_equal_to_a_register_entry_is_linked_to_it(world, client):
    client.force_login(world.bureau)
    response = client.post("/accidents/new/", _form(unit_name="宏达建筑公司"))
    assert response.status_code == 302
    assert Accident.objects.get().enterprise_id == world.building_co.pk


def test_units_outside_the_register_or_the_scope_stay_text(world, client):
    client.force_login(world.township)
    client.post("/accidents/new/", _form(unit_name="个体户李某", region="130202001"))
    # 路北建筑公司 is in another district's register: named, never linked
    client.post(
        "/accidents/new/",
        _form(unit_name="路北建筑公司", unit_name_id=str(world.lubei_co.pk), region="130202001"),
    )
    units = dict(Accident.objects.values_list("unit_name", "enterprise_id"))
    assert units == {"个体户李某": None, "路北建筑公司": None}


def test_kuaibao_word_and_pdf_carry_the_reports_facts(world, client):
    import pypdfium2
    from docx import Document

    accident = report(
        world, fig=figures(deaths=1, serious=2, loss=1_205_000, missing=1), other="正在搜救"
    )
    client.force_login(world.township)
    word = client.get(f"/accidents/{accident.pk}/kuaibao.docx")
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(word.streaming_content)))
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(cells)
    for fact in (
        "生产安全事故快报",
        "宏达建筑公司",
        "3号楼脚手架",
        "作业人员在3号楼外墙脚手架作业时坠落",
        "死亡 1 人，下落不明 1 人",
        "120.5 万元",
        "立即送医",
        "正在搜救",
        "路南区应急管理局",
        "报告时间",
        "联系电话",
    ):
        assert fact in text, fact
    pdf = client.get(f"/accidents/{accident.pk}/kuaibao.pdf")
    assert pdf.status_code == 200
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    pages = pypdfium2.PdfDocument(content)
    pdf_text = "".join(page.get_textpage().get_text_range() for page in pages)
    pages.close()
    assert "宏达建筑公司" in pdf_text and "120.5 万元" in pdf_text
    assert client.get(f"/accidents/{accident.pk}/kuaibao.txt").status_code == 404
    for outside in (world.other_township, world.other_district_bureau, world.expert):
        client.force_login(outside)
        assert client.get(f"/accidents/{accident.pk}/kuaibao.docx").status_code == 404


def test_detail_page_shows_money_in_one_unit(world, client):
    accident = report(world, fig=figures(deaths=1, loss=1_205_000))
    client.force_login(world.bureau)
    page = client.get(accident.get_absolute_url()).content.decode()
    assert "kuaibao.docx" in page and "kuaibao.pdf" in page
    # the figures and the versions table (change records keep their own wording)
    assert "<th>损失（元）</th>" not in page and "<th>损失（万元）</th>" in page
    # one convention (core.money): 万元 with two decimals, the unit named in the heading
    assert 'data-testid="loss">120.50<' in page and "<td>120.50</td>" in page


def test_a_linked_unit_keeps_its_own_region_unless_another_is_chosen(world, client):
    client.force_login(world.bureau)
    # the district (the picker's default) only contains the unit's township
    client.post("/accidents/new/", _form(unit_name="宏达建筑公司", region="130202"))
    # an accident of the unit elsewhere in the district keeps the place chosen
    client.post(
        "/accidents/new/",
        _form(unit_name="宏达建筑公司", region="130202002", place="友谊路工地"),
    )
    regions = dict(Accident.objects.values_list("place", "region_id"))
    assert regions == {"2号车间": "130202001", "友谊路工地": "130202002"}


def test_the_service_links_an_exact_register_name_for_every_entry_point(world):
    from anjian.accidents import services
    from tests.accidents.conftest import report_data

    def reported(actor, name, **data):
        return services.accident_report(
            actor=actor, data=report_data(unit_name=name, **data), figures=figures(deaths=1)
        )

    assert reported(world.bureau, "宏达建筑公司").enterprise_id == world.building_co.pk
    # another district's register entry is only a name here
    region = world.building_co.region
    assert reported(world.township, "路北建筑公司", region=region).enterprise_id is None
    assert reported(world.township, "宏达建筑", region=region).enterprise_id is None
