"""In every list, a unit's name links to the unit's page — and the row's own record stays
one click away. A unit the reader may not open is not linked (its page would be a 404)."""

import re

import pytest

from anjian.accidents.models import WatchEntry
from anjian.hazards import services as hazard_services
from tests.accidents.conftest import figures, report
from tests.hazards.conftest import hazard_data, plan_data
from tests.hazards.test_listing import SIX
from tests.inspections.conftest import checklist, submit  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


class Links(dict):
    """Link text → href for the links of a list's table; `hrefs` keeps every one."""

    def __init__(self, html: str):
        table = html[html.index('id="list-table"') :]
        pairs = [
            (re.sub(r"<[^>]+>", "", text).strip(), href)
            for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', table, re.S)
        ]
        super().__init__(pairs)
        self.hrefs = {href for _, href in pairs}


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return Links(response.content.decode())


def test_hazard_ledger_links_the_enterprise_and_the_hazard(world, client):
    hazard = hazard_services.hazard_register(
        actor=world.enterprise_user,
        enterprise=world.building_co.enterprise,
        data=hazard_data(source="self", place="2号塔吊"),
    )
    links = _page(client, world.bureau, "/hazards/")
    assert links["宏达建筑公司"] == f"/enterprises/{world.building_co.pk}/"
    assert links["2号塔吊"] == f"/hazards/{hazard.pk}/"


def test_listed_board_links_the_enterprise_and_the_hazard(world, client):
    hazard = hazard_services.hazard_register(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data=hazard_data(level="major", place="深基坑", description="支护变形超限"),
    )
    hazard_services.hazard_set_plan(
        actor=world.enterprise_user, hazard=hazard, plan=plan_data(**SIX)
    )
    hazard_services.hazard_list_for_supervision(
        actor=world.bureau, hazard=hazard, level="county", supervising_org=world.bureau.organisation
    )
    for user in (world.bureau, world.enterprise_user):
        links = _page(client, user, "/hazards/listed/")
        assert links["宏达建筑公司"] == f"/enterprises/{world.building_co.pk}/"
        assert links["深基坑：支护变形超限"] == f"/hazards/{hazard.pk}/"
    # the supervising bureau opens for the bureau, not for the enterprise: linked for one only
    links = _page(client, world.bureau, "/hazards/listed/")
    assert links["路南区应急管理局"] == f"/organisations/{world.bureau.organisation.pk}/"
    assert client.get(links["路南区应急管理局"]).status_code == 200
    assert "路南区应急管理局" not in _page(client, world.enterprise_user, "/hazards/listed/")


def test_campaign_list_links_the_lead_where_it_opens(world, client):
    from datetime import timedelta

    from django.utils import timezone

    from anjian.hazards.models import HazardDomain
    from anjian.inspections import services as inspection_services
    from anjian.regions.models import Region

    today = timezone.localdate()
    inspection_services.campaign_create(
        actor=world.bureau,
        data={
            "name": "岁末年初安全生产专项整治",
            "start": today - timedelta(days=10),
            "end": today + timedelta(days=60),
            "region": Region.objects.get(code="130202"),
            "industry_codes": "",
            "flag": "",
            "lead": world.bureau.organisation,
        },
        domains=[HazardDomain.objects.get(code="fire")],
        cooperating=[],
    )
    links = _page(client, world.bureau, "/inspections/campaigns/")
    assert links["岁末年初安全生产专项整治"].startswith("/inspections/campaigns/")
    assert links["路南区应急管理局"] == f"/organisations/{world.bureau.organisation.pk}/"
    # the district bureau's page does not open for a township: never a link there
    assert "路南区应急管理局" not in _page(client, world.township, "/inspections/campaigns/")


def test_inspection_list_links_the_enterprise(world, client, checklist):  # noqa: F811
    inspection, _ = submit(world, checklist)
    links = _page(client, world.township, "/inspections/")
    assert links["宏达建筑公司"] == f"/enterprises/{world.building_co.pk}/"
    assert f"/inspections/{inspection.pk}/" in links.hrefs


def test_accident_list_links_a_registered_unit_only(world, client):
    registered = report(world)
    free_text = report(world, unit_name="某个体装修队", region=world.building_co.region)
    links = _page(client, world.bureau, "/accidents/")
    assert links["宏达建筑公司"] == f"/enterprises/{world.building_co.pk}/"
    assert "某个体装修队" not in links  # not in the register: nothing to open
    assert {f"/accidents/{registered.pk}/", f"/accidents/{free_text.pk}/"} <= links.hrefs


def test_watch_list_links_the_enterprise(world, client):
    report(world, fig=figures(deaths=3))
    assert WatchEntry.objects.count() == 1
    links = _page(client, world.bureau, "/accidents/watch/")
    assert links["宏达建筑公司"] == f"/enterprises/{world.building_co.pk}/"


def test_user_list_links_the_organisation_the_reader_may_open(world, client):
    links = _page(client, world.bureau, "/users/")
    township_office = world.township.organisation
    assert links["学院南路街道办事处"] == f"/organisations/{township_office.pk}/"
    # every linked unit opens for this reader
    for href in links.hrefs:
        if href.startswith("/organisations/"):
            assert client.get(href).status_code == 200
    # an enterprise's own administrator sees the enterprise linked, and it opens
    links = _page(client, world.enterprise_user, "/users/")
    assert links["宏达建筑公司"] == f"/organisations/{world.building_co.pk}/"
    assert client.get(links["宏达建筑公司"]).status_code == 200
