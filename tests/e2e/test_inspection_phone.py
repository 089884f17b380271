"""An inspection on a phone (390×844): one item fails with a photo, the connection drops
at the moment of submitting, the answers wait on the device and go when it returns —
once — and the new hazard is in the ledger."""

import pytest

from anjian.hazards.models import Hazard
from anjian.inspections.models import ChecklistTemplate, Inspection
from tests.e2e.conftest import login, screenshot
from tests.hazards.conftest import PNG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_phone_inspection_survives_a_dropped_connection(browser, live_server, world, contexts):
    template = ChecklistTemplate.objects.get(name="消防安全通用检查表", is_current=True)
    items = list(template.items())
    page = login(
        browser,
        live_server,
        "township",
        contexts,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{live_server.url}/enterprises/{world.building_co.pk}/")
    page.get_by_test_id("start-inspection").click()
    page.get_by_test_id(f"template-{template.pk}").click()
    for item in items:
        card = page.locator(f".inspection-item[data-item='{item.pk}']")
        card.get_by_text("合格", exact=True).click()
    failing = page.locator(f".inspection-item[data-item='{items[1].pk}']")
    failing.get_by_text("不合格", exact=True).click()
    failing.locator("textarea").fill("3楼灭火器压力表指针在红区")
    failing.locator("input[type=file]").set_input_files(
        files=[{"name": "灭火器.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_label("检查人员签名").fill("检查员甲")
    pad = page.get_by_test_id("pad-signature_data")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 60 + (-1) ** step * 25)
    page.mouse.up()
    assert page.locator("[name=signature_data]").input_value().startswith("data:image/png")
    screenshot(page, "inspection-phone")

    page.context.set_offline(True)
    page.get_by_test_id("submit-inspection").click()
    status = page.get_by_test_id("offline-status")
    status.wait_for(state="visible")
    assert "已保存在本机" in status.inner_text()
    assert Inspection.objects.count() == 0
    # a reload while offline would fail; the answers are on the device either way
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('anjian:'))")
    assert len(stored) == 1

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_url(f"{live_server.url}/inspections/*/")
    assert page.get_by_test_id("failed-count").inner_text() == "不合格 1 项"
    assert Inspection.objects.count() == 1 and Hazard.objects.count() == 1
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('anjian:'))") == []
    screenshot(page, "inspection-done-phone")

    hazard = Hazard.objects.get()
    assert hazard.photos.count() == 1 and "灭火器压力表" in hazard.description
    inspection = Inspection.objects.get()
    assert inspection.signature and inspection.signature.read().startswith(b"\x89PNG")
    page.goto(f"{live_server.url}/hazards/")
    assert "消防设施器材" in page.locator("main").inner_text()  # the new hazard's 部位
    page.goto(f"{live_server.url}{hazard.get_absolute_url()}")
    assert "灭火器是否在有效期内" in page.get_by_test_id("from-inspection").inner_text()


def test_an_inspection_page_reopens_without_a_connection(browser, live_server, world, contexts):
    template = ChecklistTemplate.objects.get(name="消防安全通用检查表", is_current=True)
    items = list(template.items())
    page = login(
        browser,
        live_server,
        "township",
        contexts,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    url = (
        f"{live_server.url}/inspections/new/?enterprise={world.building_co.pk}"
        f"&template={template.pk}"
    )
    page.goto(url)
    page.locator("#inspection-form[data-offline-ready='1']").wait_for(state="attached")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(50):  # clients.claim() hands the open page to the worker
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)
    client_id = page.locator("[name=client_id]").input_value()
    for item in items:
        page.locator(f".inspection-item[data-item='{item.pk}']").get_by_text(
            "合格", exact=True
        ).click()

    page.context.set_offline(True)
    page.reload()  # served by the service worker from the page's own copy
    assert page.locator("[name=client_id]").input_value() == client_id
    assert "已恢复本机保存的未提交检查" in page.get_by_test_id("offline-status").inner_text()
    first = page.locator(f"#r{items[0].pk}-pass")
    assert first.is_checked()
    page.get_by_label("检查人员签名").fill("检查员乙")
    page.get_by_test_id("submit-inspection").click()
    page.get_by_test_id("offline-status").filter(has_text="网络中断").wait_for()
    assert Inspection.objects.count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_url(f"{live_server.url}/inspections/*/")
    inspection = Inspection.objects.get()
    assert str(inspection.client_id) == client_id and inspection.signed_by == "检查员乙"
