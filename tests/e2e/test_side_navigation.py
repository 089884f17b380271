"""The side navigation, in the browser: grouped by module, by role (an enterprise does
not see the government's pages), a sidebar on a desktop and a panel behind the toggle on
a phone, and the groups a user collapsed stay collapsed after a reload."""

import shutil

import pytest

from tests.e2e.conftest import SCREENSHOTS, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GOVERNMENT_ONLY = ["控制指标", "重点关注企业", "单位", "用户管理", "API文档"]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _nav(page):
    return page.get_by_test_id("side-nav")


def _open(page):
    """On a phone: open the panel with the toggle, and wait until it has slid in."""
    page.get_by_test_id("nav-toggle").click()
    page.locator("#app-sidebar.show:not(.showing)").wait_for()


def _keep(page, name, *, phone=False):
    """A screenshot in var/screenshots and /tmp; on a phone of the screen only (the
    open panel is fixed to the screen, a full-page capture would cut it)."""
    if phone:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"/tmp/{name}.png")
        shutil.copy(f"/tmp/{name}.png", SCREENSHOTS / f"{name}.png")
    else:
        shutil.copy(screenshot(page, name), f"/tmp/{name}.png")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_enterprise_navigation(browser, live_server, world, contexts, size):
    phone = size == "phone"
    page = login(browser, live_server, "ent", contexts, **(PHONE if phone else DESKTOP))
    nav = _nav(page)
    if phone:
        assert not nav.is_visible()  # the content comes first; the panel opens on demand
        _open(page)
    nav.wait_for(state="visible")
    for label in GOVERNMENT_ONLY:
        assert nav.get_by_role("link", name=label, exact=True).count() == 0, label
    # the same exact lookup finds the entries the enterprise does have
    assert nav.get_by_role("link", name="隐患台账", exact=True).is_visible()
    _keep(page, f"plumbing-enterprise-{size}", phone=phone)

    # collapse a group: it stays collapsed after a reload, the others stay open
    nav.get_by_role("button", name="事故").click()
    accidents = nav.get_by_role("link", name="事故台账")
    accidents.wait_for(state="hidden")
    page.reload()
    if phone:
        _open(page)
    nav.wait_for(state="visible")
    assert not nav.get_by_role("link", name="事故台账").is_visible()
    assert nav.get_by_role("link", name="隐患台账").is_visible()

    # an entry navigates
    nav.get_by_role("link", name="隐患台账").click()
    page.wait_for_url(f"{live_server.url}/hazards/")
    if phone:
        assert not nav.is_visible()  # a new page opens with the panel closed
        _open(page)
    current = nav.get_by_role("link", name="隐患台账")
    assert current.get_attribute("aria-current") == "page"
    assert not nav.get_by_role("link", name="事故台账").is_visible()  # still collapsed
    nav.get_by_role("button", name="事故").click()
    nav.get_by_role("link", name="事故台账").click()
    page.wait_for_url(f"{live_server.url}/accidents/")
    # the group holding the current page opens even when it was collapsed
    if phone:
        _open(page)
    nav.get_by_role("button", name="事故").click()
    nav.get_by_role("link", name="事故台账").wait_for(state="hidden")
    page.reload()
    if phone:
        _open(page)
    assert nav.get_by_role("link", name="事故台账").is_visible()
    assert "事故" in page.evaluate("localStorage.getItem('anjian.nav.collapsed')")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_bureau_navigation(browser, live_server, world, contexts, size):
    phone = size == "phone"
    page = login(browser, live_server, "bureau", contexts, **(PHONE if phone else DESKTOP))
    if phone:
        _open(page)
    nav = _nav(page)
    nav.wait_for(state="visible")
    for label in GOVERNMENT_ONLY:
        assert nav.get_by_role("link", name=label, exact=True).count() == 1, label
    _keep(page, f"plumbing-bureau-{size}", phone=phone)
