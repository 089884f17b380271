"""责令限期整改 and 未制定方案 as a township user meets them: the deadline is set on the
registration form, and a hazard waiting for a plan shows up in the ledger's filter and
on the home page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anjian.hazards import services
from anjian.hazards.models import Hazard, Status
from tests.e2e.conftest import login, screenshot
from tests.hazards.conftest import hazard_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_township_sets_the_deadline_and_finds_the_stalled_hazard(
    browser, live_server, world, contexts
):
    # A hazard registered today is not stalled: it must not show in the filter.
    services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(place="新登记的配电箱", description="漏电保护器失效"),
    )
    township = login(browser, live_server, "township", contexts)
    township.goto(f"{live_server.url}/enterprises/{world.building_co.pk}/")
    township.get_by_test_id("register-hazard").click()
    found = timezone.localtime() - timedelta(days=10)
    deadline = timezone.localtime() + timedelta(days=20)
    township.get_by_label("部位/设备").fill("1号基坑")
    township.get_by_label("领域").select_option(label="建筑施工")
    township.get_by_label("因素类别").select_option(label="管理因素")
    township.get_by_label("隐患等级").select_option(label="一般事故隐患")
    township.get_by_label("来源").select_option(label="乡镇检查")
    township.get_by_label("隐患描述").fill("基坑临边防护缺失")
    township.get_by_label("发现时间").fill(found.strftime("%Y-%m-%dT%H:%M"))
    # Without the deadline the form says what is missing and saves nothing.
    township.get_by_role("button", name="保存").click()
    assert "请填写整改期限" in township.locator("main").inner_text()
    assert Hazard.objects.count() == 1
    township.get_by_label("整改期限").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    township.get_by_role("button", name="保存").click()
    assert township.get_by_test_id("hazard-status").inner_text() == "已登记"
    # Ten days without a plan: 未制定方案 on the detail page.
    assert township.get_by_test_id("hazard-stalled").inner_text() == "未制定方案"
    assert deadline.strftime("%Y-%m-%d %H:%M") in township.locator("main").inner_text()
    hazard = Hazard.objects.get(place="1号基坑")
    assert hazard.status == Status.REGISTERED
    assert timezone.localtime(hazard.deadline).strftime("%Y-%m-%d %H:%M") == deadline.strftime(
        "%Y-%m-%d %H:%M"
    )

    # The ledger filtered to 未制定方案 shows it, and only it.
    township.goto(f"{live_server.url}/hazards/")
    township.get_by_label("只看未制定方案").check()
    township.get_by_role("button", name="查询").click()
    township.wait_for_url("**stalled=on**")
    table = township.locator("#list-table")
    table.get_by_text("1号基坑").wait_for()
    assert "已登记（未制定方案）" in table.inner_text()
    assert "新登记的配电箱" not in table.inner_text()
    screenshot(township, "hazard-ledger-stalled")

    # The home page counts it and leads to the same list.
    township.goto(f"{live_server.url}/")
    card = township.get_by_role("link", name="未制定整改方案")
    assert "1" in card.inner_text()
    card.click()
    township.wait_for_url("**stalled=on**")
    assert "1号基坑" in township.locator("#list-table").inner_text()
    assert "新登记的配电箱" not in township.locator("#list-table").inner_text()
