"""One hazard from registration by a township inspector, through rectification by the
enterprise, to closure — through the real pages in Chromium."""

import pytest

from anjian.hazards.models import Hazard, Status
from tests.e2e.conftest import login, screenshot
from tests.hazards.conftest import PNG

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hazard_from_registration_to_closure(browser, live_server, world, contexts):
    # 1. the township inspector registers it from the enterprise's page
    township = login(browser, live_server, "township", contexts)
    township.goto(f"{live_server.url}/enterprises/{world.building_co.pk}/")
    township.get_by_test_id("register-hazard").click()
    township.get_by_label("部位/设备").fill("2号塔吊")
    township.get_by_label("领域").select_option(label="建筑施工")
    township.get_by_label("因素类别").select_option(label="物的因素")
    township.get_by_label("隐患等级").select_option(label="一般事故隐患")
    township.get_by_label("来源").select_option(label="乡镇检查")
    township.get_by_label("隐患描述").fill("力矩限制器失效")
    township.get_by_label("整改期限").fill("2030-06-30T18:00")  # 责令限期整改
    township.get_by_role("button", name="保存").click()
    assert township.get_by_test_id("hazard-status").inner_text() == "已登记"
    assert "2030-06-30 18:00" in township.locator("main").inner_text()
    hazard = Hazard.objects.get()
    url = f"{live_server.url}/hazards/{hazard.pk}/"

    # 2. the enterprise records the 五落实 plan and submits its rectification, on a phone
    enterprise = login(
        browser,
        live_server,
        "ent",
        contexts,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    enterprise.goto(url)
    enterprise.get_by_test_id("plan").click()
    enterprise.get_by_label("整改措施").fill("更换力矩限制器")
    enterprise.get_by_label("整改责任人").fill("王工")
    enterprise.get_by_label("整改资金（元）").fill("3500")
    enterprise.get_by_label("整改时限").fill("2030-07-01T12:00")  # beyond the deadline
    enterprise.get_by_label("应急预案/防范措施").fill("停用塔吊并设置警戒")
    enterprise.get_by_role("button", name="保存").click()
    assert "不能晚于责令整改期限" in enterprise.locator("main").inner_text()
    assert not Hazard.objects.get().events.filter(kind="plan").exists()
    enterprise.get_by_label("整改时限").fill("2030-01-01T12:00")
    enterprise.get_by_role("button", name="保存").click()
    assert enterprise.get_by_test_id("hazard-status").inner_text() == "整改中"
    enterprise.get_by_label("整改完成情况").fill("已更换并调试")
    enterprise.get_by_label("整改后照片").set_input_files(
        files=[{"name": "整改后.png", "mimeType": "image/png", "buffer": PNG}]
    )
    enterprise.get_by_role("button", name="提交整改，申请验收").click()
    assert enterprise.get_by_test_id("hazard-status").inner_text() == "待验收"
    assert enterprise.get_by_role("button", name="验收通过，销号").count() == 0  # not hers to close
    screenshot(enterprise, "hazard-submitted-phone")

    # 3. the township verifies and closes it
    township.goto(url)
    township.get_by_label("验收意见").fill("复查合格")
    township.get_by_role("button", name="验收通过，销号").click()
    assert township.get_by_test_id("hazard-status").inner_text() == "已销号"
    screenshot(township, "hazard-closed")
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED and hazard.closed_by == world.township
    assert hazard.rectified_by == world.enterprise_user
    assert list(hazard.events.values_list("kind", flat=True)) == [
        "registered",
        "plan",
        "submitted",
        "closed",
    ]
    township.goto(f"{live_server.url}/hazards/?status=closed")
    assert "力矩限制器失效" in township.locator("main").inner_text()
