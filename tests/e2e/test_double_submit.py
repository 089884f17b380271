"""A double click on the hazard registration form, or the same form sent twice at once,
registers one hazard (the form's idempotency key)."""

import pytest
from django.db import connection

from anjian.hazards.models import Hazard
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fill(page):
    page.get_by_label("部位/设备").fill("2号塔吊")
    page.get_by_label("领域").select_option(label="建筑施工")
    page.get_by_label("因素类别").select_option(label="物的因素")
    page.get_by_label("隐患等级").select_option(label="一般事故隐患")
    page.get_by_label("来源").select_option(label="乡镇检查")
    page.get_by_label("隐患描述").fill("力矩限制器失效")
    page.get_by_label("整改期限").fill("2030-06-30T18:00")  # 责令限期整改


def test_a_double_click_registers_one_hazard(browser, live_server, world, contexts):
    township = login(browser, live_server, "township", contexts)
    form_url = f"{live_server.url}/hazards/new/{world.building_co.pk}/"

    township.goto(form_url)
    _fill(township)
    township.get_by_role("button", name="保存").dblclick()
    township.wait_for_url(f"{live_server.url}/hazards/*/")
    assert Hazard.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database locks its tables instead of waiting",
)
def test_the_same_form_sent_twice_at_once_registers_one_hazard(
    browser, live_server, world, contexts
):
    township = login(browser, live_server, "township", contexts)
    form_url = f"{live_server.url}/hazards/new/{world.building_co.pk}/"
    township.goto(form_url)
    _fill(township)
    statuses = township.evaluate(
        """async () => {
            const form = document.querySelector("form.card");
            const send = () => fetch(location.href, {method: "POST", body: new FormData(form),
                                                     redirect: "manual"});
            const answers = await Promise.all([send(), send()]);
            return answers.map(a => a.type === "opaqueredirect" ? 302 : a.status);
        }"""
    )
    assert statuses == [302, 302]
    assert Hazard.objects.count() == 1
