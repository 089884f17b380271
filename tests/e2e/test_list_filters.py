"""Filtering a list in the browser: the count on screen, the Excel export, the address bar,
reload and back/forward all show the same filtered rows — for every list of the list
pattern (the hazard ledger and the enterprise register here), and on a phone the filters
start collapsed with the results first."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from anjian.hazards import services
from tests.e2e.conftest import login, screenshot
from tests.factories import EnterpriseFactory
from tests.hazards.conftest import hazard_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _count_on_screen(page) -> int:
    text = page.get_by_test_id("list-count").inner_text()
    return int(re.search(r"共 (\d+) 条", text).group(1))


def _exported_rows(page) -> list[tuple]:
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    return list(sheet.iter_rows(min_row=2, values_only=True))  # row 1: the headers


def _register_hazards(world):
    enterprise = world.building_co.enterprise
    for n, level in enumerate(["major", "general", "major", "general", "major", "general"]):
        services.hazard_register(
            actor=world.enterprise_user,
            enterprise=enterprise,
            data=hazard_data(level=level, source="self", place=f"{n + 1}号塔吊"),
        )


def test_hazard_export_after_filtering_has_exactly_the_rows_on_screen(
    browser, live_server, world, contexts, settings
):
    settings.ANJIAN_PAGE_SIZE = 2  # the filtered list spans pages: the filter survives paging
    _register_hazards(world)
    page = login(browser, live_server, "bureau", contexts)
    page.goto(f"{live_server.url}/hazards/")
    unfiltered = _count_on_screen(page)
    assert unfiltered == 6

    page.get_by_label("等级").select_option(label="重大事故隐患")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"[?&]level=major"))  # the address bar carries the filter
    assert "status=" not in page.url  # and only the filters that are set: a URL to share
    expect(page.get_by_test_id("list-count")).to_contain_text("共 3 条")
    on_screen = _count_on_screen(page)
    rows = _exported_rows(page)
    assert len(rows) == on_screen == 3 < unfiltered
    assert {r[4] for r in rows} == {"重大事故隐患"}

    # the next page keeps the filter, and so does its export
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_test_id("list-count")).to_contain_text("第 2/2 页")
    assert _count_on_screen(page) == 3
    assert len(_exported_rows(page)) == 3

    # reload: the filter is still applied, in the form and in the rows
    page.reload()
    assert page.get_by_label("等级").input_value() == "major"
    assert _count_on_screen(page) == 3
    assert len(_exported_rows(page)) == 3


def test_back_and_forward_restore_the_filtered_list_and_its_export(
    browser, live_server, world, contexts
):
    _register_hazards(world)
    page = login(browser, live_server, "bureau", contexts)
    page.goto(f"{live_server.url}/hazards/")
    page.get_by_label("等级").select_option(label="重大事故隐患")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"[?&]level=major"))
    expect(page.get_by_test_id("list-count")).to_contain_text("共 3 条")

    page.go_back()
    expect(page.get_by_test_id("list-count")).to_contain_text("共 6 条")
    assert page.get_by_label("等级").input_value() == ""
    assert len(_exported_rows(page)) == 6

    page.go_forward()
    expect(page.get_by_test_id("list-count")).to_contain_text("共 3 条")
    assert page.get_by_label("等级").input_value() == "major"
    assert len(_exported_rows(page)) == 3


def test_enterprise_export_after_filtering_by_township_has_the_rows_on_screen(
    browser, live_server, world, contexts
):
    from anjian.enterprises.models import Enterprise
    from anjian.regions.models import Region

    youyi = Region.objects.get(code="130202002")
    for _ in range(3):  # more outside the township than inside it
        Enterprise.objects.create(organisation=EnterpriseFactory(region=youyi))
    page = login(browser, live_server, "bureau", contexts)
    page.goto(f"{live_server.url}/enterprises/")
    unfiltered = _count_on_screen(page)

    page.get_by_label("请选择乡镇/街道").select_option(label="学院南路街道")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"[?&]region=130202001"))
    expect(page.get_by_test_id("list-count")).to_contain_text("共 2 条")
    on_screen = _count_on_screen(page)
    rows = _exported_rows(page)
    assert len(rows) == on_screen == 2 < unfiltered
    assert {r[0] for r in rows} == {"宏达建筑公司", "永兴化工公司"}

    page.reload()
    assert _count_on_screen(page) == 2
    assert page.get_by_label("请选择乡镇/街道").input_value() == "130202001"
    assert len(_exported_rows(page)) == 2


def test_on_a_phone_the_filters_start_collapsed_and_the_results_come_first(
    browser, live_server, world, contexts
):
    _register_hazards(world)
    page = login(browser, live_server, "bureau", contexts, **PHONE)
    page.goto(f"{live_server.url}/hazards/")
    level = page.get_by_label("等级")
    assert not level.is_visible()
    first_row = page.locator("#list-table tbody tr").first
    expect(first_row).to_be_in_viewport()
    assert first_row.bounding_box()["y"] < 844 / 2
    screenshot(page, "list-phone-collapsed")

    page.get_by_role("button", name=re.compile("筛选")).click()
    expect(level).to_be_visible()
    level.select_option(label="重大事故隐患")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("list-count")).to_contain_text("共 3 条")
    # after filtering the results come first again, and the toggle says a filter is set
    expect(level).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("筛选"))).to_contain_text("1")
    assert page.locator("#list-table tbody tr").first.bounding_box()["y"] < 844 / 2
    screenshot(page, "list-phone-filtered")


@pytest.mark.parametrize(
    "url", ["/enterprises/", "/inspections/", "/accidents/", "/organisations/"]
)
def test_every_filtered_list_opens_on_a_phone_with_its_results_first(
    browser, live_server, world, contexts, url
):
    page = login(browser, live_server, "bureau", contexts, **PHONE)
    page.goto(f"{live_server.url}{url}")
    expect(page.locator("#list-filters")).to_be_hidden()
    expect(page.get_by_test_id("filter-toggle")).to_be_visible()
    table = page.locator("#list-table")
    expect(table).to_be_in_viewport()
    assert table.bounding_box()["y"] < 844 / 2
