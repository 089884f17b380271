"""A time sent to the API without an offset is Beijing time, never a server error."""

from datetime import datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db
BEIJING_10AM = timezone.make_aware(datetime(2026, 3, 2, 10, 0))


def test_naive_times_are_local_time(world, client):
    client.force_login(world.township)
    hazard = client.post(
        "/api/v1/hazards",
        {
            "enterprise_id": world.building_co.pk,
            "place": "配电室",
            "domain": "fire",
            "factor_class": "物的因素",
            "level": "general",
            "description": "线路老化",
            "source": "township",
            "deadline": "2030-01-01T12:00",
            "found_at": "2026-03-02T10:00:00",
        },
        content_type="application/json",
    )
    assert hazard.status_code == 201, hazard.json()
    from anjian.hazards.models import Hazard

    assert Hazard.objects.get().found_at == BEIJING_10AM
    accident = client.post(
        "/api/v1/accidents",
        {
            "enterprise_id": world.building_co.pk,
            "domain": "industry_trade",
            "category": "01",
            "occurred_at": "2026-03-02T10:00",
            "learnt_at": "2026-03-02T10:05",
            "received_at": "2026-03-02T10:30",
            "place": "工地",
            "course": "物体打击",
            "measures": "送医",
        },
        content_type="application/json",
    )
    assert accident.status_code == 201, accident.json()
    from anjian.accidents.models import Accident

    saved = Accident.objects.get()
    assert saved.occurred_at == BEIJING_10AM and saved.report_delay() is None
    bad = client.post(
        "/api/v1/accidents",
        {
            "enterprise_id": world.building_co.pk,
            "domain": "industry_trade",
            "category": "01",
            "occurred_at": "not a time",
            "learnt_at": "2026-03-02T10:05",
            "place": "工地",
            "course": "x",
            "measures": "x",
        },
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and Accident.objects.count() == 1


def test_ids_beyond_the_database_range_are_a_clear_400(world, client):
    client.force_login(world.township)
    for url, payload in (
        (
            "/api/v1/hazards",
            {
                "enterprise_id": 10**20,
                "place": "x",
                "domain": "fire",
                "factor_class": "物的因素",
                "level": "general",
                "description": "d",
                "source": "township",
                "deadline": "2030-01-01T12:00",
            },
        ),
        (
            "/api/v1/inspections",
            {
                "client_id": "0b7e6a4c-1d7c-4a4e-9a0e-2f9b1f0c9d11",
                "enterprise_id": 10**20,
                "template_id": 1,
                "kind": "township",
                "place": "x",
                "signed_by": "x",
                "answers": [],
            },
        ),
    ):
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code in (400, 404, 422), (url, response.status_code)
    assert client.get(f"/api/v1/accidents/{10**20}").status_code in (400, 404)
