"""The bureau reads its figures as a user does: the planned inspections on 检查统计 and
on 我的检查任务 are the same, and the accident chart shows every month of the period."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from anjian.inspections import services as inspections
from anjian.inspections.models import ChecklistTemplate, InspectionPlan
from tests.accidents.conftest import figures, local, report
from tests.e2e.conftest import login, screenshot
from tests.inspections.conftest import answers_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _quarter(day: date) -> tuple[date, date]:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    after = date(day.year + 1, 1, 1) if first.month == 10 else date(day.year, first.month + 3, 1)
    return first, after - timedelta(days=1)


def test_planned_figures_agree_and_every_month_is_charted(browser, live_server, world, contexts):
    today = timezone.localdate()
    first, last = _quarter(today)
    checklist = ChecklistTemplate.objects.get(name="消防安全通用检查表", is_current=True)
    plan = inspections.plan_create(
        actor=world.bureau,
        data={
            "name": "重点企业季度检查",
            "inspector": world.bureau,
            "template": checklist,
            "kind": "department",
            "frequency": InspectionPlan.Frequency.QUARTERLY,
            "start": date(today.year, 1, 1),
        },
        enterprises=[
            world.building_co.enterprise,
            world.chemical_co.enterprise,
            world.youyi_co.enterprise,
        ],
    )
    inspections.inspection_submit(
        actor=world.bureau,
        enterprise=world.chemical_co.enterprise,
        template=checklist,
        kind="department",
        client_id=uuid.uuid4(),
        place="永兴化工公司",
        signed_by="检查员",
        answers=answers_for(checklist),
        plan=plan,
    )
    year = today.year - 1
    for month in (1, 3):
        moment = local(year, month, 10, 9)
        report(world, occurred_at=moment, learnt_at=moment, received_at=moment, fig=figures())

    page = login(browser, live_server, "bureau", contexts)
    page.goto(f"{live_server.url}/inspections/statistics/")
    page.get_by_label("从").fill(first.isoformat())
    page.get_by_label("到", exact=True).fill(last.isoformat())
    page.get_by_role("button", name="统计").click()
    page.wait_for_url("**/inspections/statistics/?*")
    on_statistics = page.get_by_test_id("planned").inner_text()
    screenshot(page, "inspection-statistics")
    page.goto(f"{live_server.url}/inspections/tasks/")
    on_tasks = page.get_by_test_id("planned").inner_text()
    assert on_statistics == on_tasks == "1 / 3"
    # and from the task list to the statistics of the same window
    page.get_by_test_id("planned-statistics").click()
    page.wait_for_url("**/inspections/statistics/?*")
    assert page.get_by_test_id("planned").inner_text() == "1 / 3"

    page.goto(f"{live_server.url}/accidents/statistics/")
    page.get_by_label("发生日期从").fill(f"{year}-01-01")
    page.get_by_label("到", exact=True).fill(f"{year}-04-30")
    page.get_by_role("button", name="统计").click()
    page.wait_for_url("**/accidents/statistics/?*")
    page.wait_for_function("document.querySelector('#stats-chart canvas') !== null")
    option = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('stats-chart')).getOption()"
    )
    assert option["xAxis"][0]["data"] == [f"{year}-0{m}" for m in (1, 2, 3, 4)]
    assert option["series"][0]["data"] == [1, 0, 1, 0]
    assert page.get_by_test_id("scope").inner_text() == "路南区（全区）"
    screenshot(page, "accident-statistics-months")
