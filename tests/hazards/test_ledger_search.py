"""The ledger's text search: one box for the enterprise (name or credit code), the place
and the description — on the page, in its export and in the API, within the scope."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from anjian.hazards import services
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def hazards(world):
    def register(enterprise, **data):
        return services.hazard_register(
            actor=world.bureau, enterprise=enterprise.enterprise, data=hazard_data(**data)
        )

    return {
        "crane": register(world.building_co, place="2号塔吊", description="力矩限制器失效"),
        "tank": register(world.chemical_co, place="储罐区", description="液位计损坏"),
        "exit": register(world.youyi_co, place="二楼安全出口", description="疏散通道堵塞"),
        "outside": register(world.lubei_co, place="储罐区", description="路北的储罐"),
    }


def _ledger(client, **query):
    return client.get("/hazards/", query).content.decode()


@pytest.mark.parametrize(
    "text, found",
    [
        ("储罐", {"tank"}),  # place
        ("通道堵塞", {"exit"}),  # description
        ("宏达", {"crane"}),  # enterprise name
        ("塔吊", {"crane"}),
        ("不存在的词", set()),
    ],
)
def test_text_search_covers_place_description_and_enterprise(world, client, hazards, text, found):
    client.force_login(world.bureau)
    page = _ledger(client, q=text)
    shown = {key for key, h in hazards.items() if h.description in page}
    assert shown == found
    assert "路北的储罐" not in page  # outside the scope, whatever the text

    export = client.get("/hazards/", {"q": text, "export": "xlsx"}).content
    rows = list(load_workbook(BytesIO(export)).active.iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in rows} == {hazards[key].description for key in found}


def test_text_search_by_credit_code_and_the_enterprise_page_link(world, client, hazards):
    client.force_login(world.bureau)
    code = world.chemical_co.credit_code
    page = _ledger(client, q=code.lower())
    assert "液位计损坏" in page and "力矩限制器失效" not in page
    # the enterprise page's "查看" link still opens its hazards only
    detail = client.get(f"/enterprises/{world.chemical_co.pk}/").content.decode()
    link = detail[detail.index("/hazards/?") :].split('"')[0].replace("&amp;", "&")
    page = client.get(link).content.decode()
    assert "液位计损坏" in page and "力矩限制器失效" not in page


def test_the_search_box_says_what_it_searches(world, client):
    client.force_login(world.bureau)
    page = _ledger(client)
    assert 'name="q"' in page
    assert "部位" in page[page.index('name="q"') - 600 : page.index('name="q"') + 400]


def test_api_text_search_matches_the_page(world, hazards):
    from django.test import Client

    from tests.factories import PASSWORD

    api = Client()
    token = api.post(
        "/api/v1/auth/token",
        {"username": "bureau", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    items = api.get(
        "/api/v1/hazards", {"q": "通道堵塞"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()["items"]
    assert [i["id"] for i in items] == [hazards["exit"].pk]
