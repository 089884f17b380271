"""Inputs that used to be server errors answer a clear 4xx and change nothing."""

import json
import math

import pytest

from anjian.enterprises.models import Enterprise
from anjian.inspections.models import Inspection

pytestmark = pytest.mark.django_db


def _json(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


def assert_error_shape(response, status=None):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    assert isinstance(body.get("code"), str) and body["code"]
    assert isinstance(body.get("errors"), list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
    if status is not None:
        assert response.status_code == status, body


@pytest.mark.parametrize("body", [{}, [], {"region": None}, {"name": "x", "region": None}])
def test_enterprise_create_without_a_region_is_a_field_error(world, client, body):
    client.force_login(world.bureau)
    before = Enterprise.objects.count()
    response = _json(client, "post", "/api/v1/enterprises", body)
    assert 400 <= response.status_code < 500
    assert_error_shape(response)
    assert Enterprise.objects.count() == before


def test_enterprise_patch_region_null_is_a_field_error(world, client):
    client.force_login(world.bureau)
    pk = world.building_co.enterprise.pk
    response = _json(client, "patch", f"/api/v1/enterprises/{pk}", {"region": None})
    assert_error_shape(response, 400)
    world.building_co.refresh_from_db()
    assert world.building_co.region_id == "130202001"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_not_a_number_is_refused_everywhere(world, client, value):
    """NaN and infinities, as JSON constants or strings, are refused for every number."""
    client.force_login(world.township)
    enterprise = world.building_co.enterprise
    raw = json.dumps(
        {
            "enterprise_id": enterprise.pk,
            "name": "大门",
            "template_id": 1,
            "latitude": 39.6,
            "longitude": 118.2,
        }
    ).replace("39.6", value)
    response = client.post("/api/v1/inspections/points", raw, content_type="application/json")
    assert_error_shape(response)
    assert 400 <= response.status_code < 500
    as_string = {
        "client_id": "0b7e6a4c-1d7c-4a4e-9a0e-2f9b1f0c9d11",
        "enterprise_id": enterprise.pk,
        "template_id": 1,
        "kind": "township",
        "place": "x",
        "signed_by": "x",
        "answers": [],
        "latitude": value,
        "longitude": 118.2,
    }
    response = _json(client, "post", "/api/v1/inspections", as_string)
    assert_error_shape(response)
    assert 400 <= response.status_code < 500
    assert not math.isnan(0.0) and Inspection.objects.count() == 0


@pytest.mark.parametrize("year", [99999, 0, -1])
def test_target_report_for_an_impossible_year_is_a_400(world, client, year):
    client.force_login(world.bureau)
    response = client.get(f"/api/v1/accidents/statistics/target?region=130202&year={year}")
    assert_error_shape(response)
    assert 400 <= response.status_code < 500


def test_target_report_without_a_region_is_a_400(world, client):
    # found by the fuzz test: an empty region named no region and the lookup failed
    client.force_login(world.bureau)
    response = client.get("/api/v1/accidents/statistics/target?region=&year=2026")
    assert_error_shape(response)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "region"


def test_nul_characters_are_refused_in_forms_and_api(world, client):
    from anjian.accidents.models import Accident

    client.force_login(world.bureau)
    response = client.post(
        "/accidents/new/",
        {"region": "\x00", "place": "工地", "course": "x", "measures": "x"},
    )
    assert response.status_code == 400
    assert "\x00" not in response.content.decode()
    response = client.get("/enterprises/?q=a\x00b")
    assert response.status_code == 400
    response = client.get("/api/v1/enterprises?q=a%00b")
    assert_error_shape(response, 400)
    response = _json(
        client,
        "patch",
        f"/api/v1/enterprises/{world.building_co.enterprise.pk}",
        {"address": "a\u0000b"},
    )
    assert_error_shape(response, 400)
    world.building_co.refresh_from_db()
    assert "\x00" not in world.building_co.address
    assert Accident.objects.count() == 0


@pytest.mark.parametrize(
    "page", ["/hazards/statistics/", "/accidents/statistics/", "/inspections/statistics/"]
)
@pytest.mark.parametrize("period", [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-01-01")])
def test_statistics_pages_refuse_dates_out_of_range(world, client, page, period):
    client.force_login(world.bureau)
    response = client.get(page, {"start": period[0], "end": period[1]})
    assert response.status_code == 200
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in response.content.decode()


@pytest.mark.parametrize("app", ["hazards", "accidents", "inspections"])
def test_statistics_api_refuses_dates_out_of_range(world, client, app):
    client.force_login(world.bureau)
    response = client.get(
        f"/api/v1/{app}/statistics/summary", {"start": "2026-01-01", "end": "9999-12-31"}
    )
    assert_error_shape(response)
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] == "end"


@pytest.mark.parametrize("app", ["enterprises", "hazards", "accidents", "inspections"])
def test_a_page_number_beyond_any_offset_is_a_422(world, client, app):
    client.force_login(world.bureau)
    response = client.get(f"/api/v1/{app}", {"page": 5226745772155233280, "page_size": 489})
    assert_error_shape(response, 422)
    assert response.json()["errors"][0]["field"] == "page"


@pytest.mark.parametrize("year", [99999, 0])
def test_filings_for_an_impossible_year_are_refused(world, client, year):
    client.force_login(world.enterprise_user)
    payload = {"year": year, "quarter": 1, "signed_by": "张总"}
    response = client.post("/api/v1/hazards/filings", payload, content_type="application/json")
    assert_error_shape(response, 422)
    client.force_login(world.bureau)
    response = client.get("/api/v1/hazards/filings/status", {"year": year, "quarter": 1})
    assert_error_shape(response, 422)


@pytest.mark.parametrize(
    "url,param",
    [
        ("/accidents/", "occurred_to"),
        ("/accidents/", "occurred_from"),
        ("/hazards/", "found_to"),
        ("/hazards/", "found_from"),
        ("/inspections/", "finished_to"),
        ("/inspections/", "finished_from"),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_list_filters_with_dates_outside_the_calendar_are_not_errors(
    world, client, url, param, day
):
    client.force_login(world.bureau)
    response = client.get(url, {param: day})
    assert response.status_code == 200
    export = client.get(url, {param: day, "export": "xlsx"})
    assert export.status_code < 500
