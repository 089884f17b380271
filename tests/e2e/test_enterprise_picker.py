"""Picking an enterprise by typing part of its name: starting an inspection from the
inspection list and from 我的检查任务, and a 快报 whose unit is picked from the register
and then printed — through the real pages in Chromium."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from anjian.accidents.models import Accident
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_new_inspection_from_the_list_by_typing_a_name(browser, live_server, world, contexts):
    page = login(browser, live_server, "township", contexts)
    page.goto(f"{live_server.url}/inspections/")
    page.get_by_role("link", name="新建检查").click()
    box = page.get_by_label("被检查单位")
    suggestions = page.get_by_test_id("enterprise-suggestions")
    # an enterprise of another township is never offered, even by its exact name
    box.press_sequentially("友谊商场公司", delay=30)
    suggestions.get_by_text("本辖区企业台账中没有匹配的企业").wait_for()
    assert suggestions.locator("[data-pick-id]").count() == 0
    box.fill("")
    box.press_sequentially("宏达", delay=30)
    option = suggestions.locator("[data-pick-id]", has_text="宏达建筑公司")
    option.wait_for()
    assert suggestions.locator("[data-pick-id]").count() == 1
    screenshot(page, "inspection-start-picker")
    option.click()
    page.wait_for_url("**/inspections/new/?enterprise=*")
    assert page.get_by_role("heading", name="选择检查表：宏达建筑公司").is_visible()


def test_new_inspection_from_my_tasks_on_a_phone(browser, live_server, world, contexts):
    page = login(
        browser,
        live_server,
        "township",
        contexts,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{live_server.url}/inspections/tasks/")
    box = page.get_by_label("被检查单位")
    box.press_sequentially("永兴", delay=30)
    option = page.get_by_test_id("enterprise-suggestions").locator(
        "[data-pick-id]", has_text="永兴化工公司"
    )
    option.wait_for()
    screenshot(page, "inspection-tasks-picker-phone")
    option.tap()
    page.wait_for_url("**/inspections/new/?enterprise=*")
    assert page.get_by_role("heading", name="选择检查表：永兴化工公司").is_visible()


def test_accident_unit_picked_from_the_register_and_printed(browser, live_server, world, contexts):
    from docx import Document

    page = login(browser, live_server, "bureau", contexts)
    page.goto(f"{live_server.url}/accidents/new/")
    box = page.get_by_label("事故单位")
    box.press_sequentially("永兴", delay=30)
    option = page.get_by_test_id("unit_name-suggestions").locator(
        "[data-pick-id]", has_text="永兴化工公司"
    )
    option.click()
    assert box.input_value() == "永兴化工公司"
    occurred = timezone.localtime() - timedelta(minutes=30)
    page.get_by_label("发生时间").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("单位获知时间").fill(
        (occurred + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("发生地点").fill("2号反应釜车间")
    page.get_by_label("领域").select_option(label="工矿商贸")
    page.get_by_label("事故类别").select_option(label="中毒和窒息")
    page.get_by_label("简要经过").fill("检修人员进入反应釜清理时晕倒。")
    page.get_by_label("死亡（人）").fill("1")
    page.get_by_label("直接经济损失（万元，初步估计）").fill("150")
    page.get_by_label("已采取的措施").fill("停产，强制通风，送医。")
    screenshot(page, "accident-unit-picker")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("accident-level").wait_for()
    accident = Accident.objects.get()
    assert accident.enterprise_id == world.chemical_co.pk
    assert accident.unit_name == "永兴化工公司" and accident.region_id == "130202001"

    with page.expect_download() as download_info:
        page.get_by_test_id("kuaibao-docx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(c.text for row in document.tables[0].rows for c in row.cells)
    for fact in ("永兴化工公司", "2号反应釜车间", "检修人员进入反应釜", "150 万元", "死亡 1 人"):
        assert fact in text, fact

    import pypdfium2

    with page.expect_download() as download_info:
        page.get_by_test_id("kuaibao-pdf").click()
    pdf = pypdfium2.PdfDocument(Path(download_info.value.path()).read_bytes())
    pdf_text = "".join(p.get_textpage().get_text_range() for p in pdf)
    pdf.close()
    assert "永兴化工公司" in pdf_text and "生产安全事故快报" in pdf_text


def test_plan_enterprises_picked_as_chips(browser, live_server, world, contexts):
    from anjian.inspections.models import ChecklistTemplate, InspectionPlan

    template = ChecklistTemplate.objects.filter(is_current=True).first()
    page = login(browser, live_server, "township", contexts)
    page.goto(f"{live_server.url}/inspections/")
    page.locator("nav").get_by_text("检查", exact=True).click()
    page.locator("nav").get_by_role("link", name="检查计划").click()
    page.get_by_role("link", name="制定检查计划").click()
    page.locator("#id_name").fill("辖区企业季度检查")
    page.locator("#id_inspector").select_option(str(world.township.pk))
    page.locator("#id_template").select_option(str(template.pk))
    page.locator("#id_kind").select_option("township")
    page.locator("#id_frequency").select_option(InspectionPlan.Frequency.QUARTERLY)
    page.locator("#id_start").fill("2026-01-01")
    box = page.get_by_role("combobox", name="检查对象")
    suggestions = page.get_by_test_id("enterprises-suggestions")
    chosen = page.get_by_test_id("enterprises-chosen")
    for part, name in (
        ("宏达", "宏达建筑公司"),
        ("永兴", "永兴化工公司"),
        ("宏达", "宏达建筑公司"),
    ):
        box.press_sequentially(part, delay=30)
        suggestions.locator("[data-pick-id]", has_text=name).click()
        assert box.input_value() == ""
    assert chosen.locator("input[type=hidden]").count() == 2  # picked twice, listed once
    chosen.get_by_role("button", name="移除宏达建筑公司").click()
    screenshot(page, "plan-form-picker")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/inspections/plans/")
    plan = InspectionPlan.objects.get()
    assert list(plan.enterprises.values_list("pk", flat=True)) == [world.chemical_co.pk]
