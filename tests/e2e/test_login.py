"""Log in through the real login page in Chromium and use the pages a bureau user needs."""

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_login_lands_on_the_home_page(page, live_server, world):
    _login(page, live_server, "bureau")
    assert page.get_by_role("heading", name="路南区应急管理局").is_visible()
    assert page.get_by_text("辖区：河北省唐山市路南区").is_visible()
    # the assets are served locally and applied: the navbar is styled by Bootstrap
    assert page.locator("nav.navbar").evaluate("e => getComputedStyle(e).display") == "flex"
    assert page.evaluate("typeof htmx") == "object"
    page.wait_for_function("() => document.querySelector('#org-chart canvas') !== null")
    screenshot(page, "home-bureau")


def test_wrong_password_stays_on_login_with_message(page, live_server, world):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("bureau")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("用户名或密码不正确").is_visible()
    assert "/login/" in page.url


def test_list_filters_with_the_region_picker(page, live_server, world):
    _login(page, live_server, "bureau")
    page.goto(f"{live_server.url}/organisations/")
    assert page.get_by_text("友谊商场公司").is_visible()
    page.locator("select[name=region]").first.select_option(label="学院南路街道")
    page.get_by_role("button", name="查询").click()
    page.wait_for_function("() => !document.body.innerText.includes('友谊商场公司')")
    assert page.get_by_text("宏达建筑公司").is_visible()
    assert "region=130202001" in page.url
    screenshot(page, "organisations-filtered")


def test_township_user_on_a_phone(phone, live_server, world):
    _login(phone, live_server, "township")
    phone.get_by_role("button", name="切换导航").click()
    phone.get_by_role("link", name="单位").click()
    phone.wait_for_url("**/organisations/")
    text = phone.locator("main").inner_text()
    assert "宏达建筑公司" in text and "友谊商场公司" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    screenshot(phone, "organisations-phone")
