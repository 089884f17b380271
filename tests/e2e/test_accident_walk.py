"""An accident from the 快报 on the enterprise's page through a supplement that raises
its level, to the statistics page — through the real pages in Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anjian.accidents.models import Accident
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_accident_report_supplement_and_statistics(browser, live_server, world, contexts):
    page = login(browser, live_server, "bureau", contexts)
    page.goto(f"{live_server.url}/enterprises/{world.building_co.pk}/")
    page.get_by_test_id("report-accident").click()
    occurred = timezone.localtime() - timedelta(hours=3)
    page.get_by_label("发生时间").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("单位获知时间").fill(
        (occurred + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("发生地点").fill("3号楼脚手架")
    page.get_by_label("领域").select_option(label="工矿商贸")
    page.get_by_label("事故类别").select_option(label="高处坠落")
    page.get_by_label("简要经过").fill("作业人员拆除脚手架时坠落。")
    page.get_by_label("死亡（人）").fill("1")
    page.get_by_label("重伤（含急性工业中毒，人）").fill("1")
    page.get_by_label("直接经济损失（万元，初步估计）").fill("80")
    page.get_by_label("已采取的措施").fill("送医救治，停止高处作业。")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("accident-level").inner_text() == "一般事故"
    steps = page.get_by_test_id("steps").inner_text()
    assert "迟报" in steps  # learnt 2h50m ago, entered now
    accident = Accident.objects.get()
    assert accident.direct_loss == 800_000

    page.get_by_test_id("supplement").click()
    page.get_by_label("死亡（人）").fill("3")
    page.get_by_label("续报情况（救援、伤亡核实、善后等）").fill("搜救中又发现2名遇难者")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("accident-level").inner_text() == "较大事故"
    assert "省级" in page.get_by_test_id("steps").inner_text()
    assert "一票否决" in page.content()
    screenshot(page, "accident-detail")

    page.goto(f"{live_server.url}/accidents/statistics/")
    assert page.get_by_test_id("deaths").inner_text() == "3"
    page.wait_for_function("document.querySelector('#stats-chart canvas') !== null")
    screenshot(page, "accident-statistics")
