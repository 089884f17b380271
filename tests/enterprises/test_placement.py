"""Where an enterprise lies (region, industry, grid) is the government's to set, and
its records move with it: the old township loses them, the new one finds them."""

import pytest
from django.core.management import call_command
from django.test import Client

from anjian.hazards import services as hazard_services
from anjian.hazards.models import Hazard
from tests.factories import PASSWORD
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db

PLAN = {
    "measures": "更换限位器",
    "responsible_person": "张三",
    "funds": "3000",
    "deadline": "2030-01-01T12:00:00+08:00",
    "contingency": "停用塔吊",
}


def _api(username):
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _patch(client, pk, body):
    return client.patch(f"/api/v1/enterprises/{pk}", body, content_type="application/json")


def test_moved_enterprise_takes_its_hazards_to_the_new_township(world):
    hazard = hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    old, new = _api("township"), _api("youyi")
    assert old.get(f"/api/v1/hazards/{hazard.pk}").status_code == 200
    assert new.get(f"/api/v1/hazards/{hazard.pk}").status_code == 404

    moved = _patch(
        _api("bureau"), world.building_co.pk, {"region": "130202002", "reason": "区划调整"}
    )

    assert moved.status_code == 200, moved.content
    assert moved.json()["grid_id"] is None  # the old township's grid stays behind
    assert old.get(f"/api/v1/hazards/{hazard.pk}").status_code == 404
    plan = old.post(f"/api/v1/hazards/{hazard.pk}/plan", PLAN, content_type="application/json")
    assert plan.status_code == 404
    assert Hazard.objects.get(pk=hazard.pk).status == "registered"  # nothing acted on it
    assert hazard.pk not in [h["id"] for h in old.get("/api/v1/hazards").json()["items"]]
    assert new.get(f"/api/v1/hazards/{hazard.pk}").status_code == 200
    assert hazard.pk in [h["id"] for h in new.get("/api/v1/hazards").json()["items"]]
    period = {"start": "2020-01-01", "end": "2030-12-31"}
    for client, found in ((new, 1), (old, 0)):
        summary = client.get("/api/v1/hazards/statistics/summary", period).json()
        assert summary["totals"]["found"] == found, summary
    call_command("hazards", "rollup", "--check")  # exits 0: the rollup moved too
    call_command("consistency", "check")
