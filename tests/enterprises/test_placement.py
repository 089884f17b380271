"""Where an enterprise lies (region, industry, grid) is the government's to set, and
its records move with it: the old township loses them, the new one finds them."""

import pytest
from django.core.management import call_command
from django.test import Client

from anjian.core.models import AuditEntry
from anjian.hazards import services as hazard_services
from anjian.hazards.models import Hazard
from anjian.orgs.models import Organisation
from tests.factories import PASSWORD, GridFactory
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


def test_the_enterprise_cannot_reassign_or_drop_its_grid(world):
    ent = _api("ent")
    other_grid = GridFactory(name="学院南路第二网格")
    before = AuditEntry.objects.count()
    for body in ({"grid": other_grid.pk}, {"grid": None}, {"grid": None, "principal_name": "x"}):
        response = _patch(ent, world.building_co.pk, body)
        assert response.status_code == 403, body
        assert "网格" in response.json()["detail"]
    for body in ({"region": "130202002"}, {"industry": "52"}):
        response = _patch(ent, world.building_co.pk, body)
        assert response.status_code == 403 and "审核" in response.json()["detail"], body
    world.building_co.refresh_from_db()
    assert (world.building_co.grid_id, world.building_co.region_id) == (world.grid1.pk, "130202001")
    assert world.building_co.enterprise.principal_name == "负责人"
    assert AuditEntry.objects.count() == before
    # Its grid worker still sees it.
    grid = _api("grid")
    assert grid.get(f"/api/v1/enterprises/{world.building_co.pk}").status_code == 200
    # Sending the grid it already has changes nothing and is allowed.
    same = _patch(ent, world.building_co.pk, {"grid": world.grid1.pk, "principal_phone": "139"})
    assert same.status_code == 200


def test_the_grid_worker_cannot_change_placement(world):
    grid = _api("grid")
    for body in ({"grid": None}, {"region": "130202002"}, {"industry": "52"}):
        assert _patch(grid, world.building_co.pk, body).status_code == 403, body
    world.building_co.refresh_from_db()
    assert world.building_co.grid_id == world.grid1.pk


def test_a_department_maintains_the_register_but_not_the_grid(world):
    zhujian = _api("zhujian")
    response = _patch(zhujian, world.building_co.pk, {"grid": None})
    assert response.status_code == 403 and "网格" in response.json()["detail"]
    ok = _patch(zhujian, world.building_co.pk, {"grid": world.grid1.pk, "employees": 30})
    assert ok.status_code == 200 and ok.json()["grid_id"] == world.grid1.pk


@pytest.mark.parametrize("username", ["bureau", "township"])
def test_the_government_sets_the_grid(world, username):
    second = GridFactory(name="学院南路第二网格")
    client = _api(username)
    assert _patch(client, world.building_co.pk, {"grid": second.pk}).status_code == 200
    assert Organisation.objects.get(pk=world.building_co.pk).grid_id == second.pk
    assert _patch(client, world.building_co.pk, {"grid": None}).status_code == 200
    assert Organisation.objects.get(pk=world.building_co.pk).grid_id is None


def test_a_grid_of_another_township_is_refused(world):
    youyi_grid = GridFactory(name="友谊第一网格", region_id="130202002")
    response = _patch(_api("bureau"), world.building_co.pk, {"grid": youyi_grid.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "grid"  # the organisation's own rule
    assert Organisation.objects.get(pk=world.building_co.pk).grid_id == world.grid1.pk


@pytest.mark.parametrize("username", ["enterprise_user", "zhujian"])
def test_the_edit_form_keeps_the_grid_it_cannot_change(world, client, username):
    # Neither user's scope lists grids: the form used to post an empty grid and clear it.
    client.force_login(getattr(world, username))
    url = f"/enterprises/{world.building_co.pk}/edit/"
    page = client.get(url).content.decode()
    assert "由乡镇（街道）或应急管理部门划定" in page and "学院南路第一网格" in page
    other_grid = GridFactory(name="学院南路第二网格")
    for grid in ("", str(other_grid.pk)):
        response = client.post(
            url,
            {
                "name": world.building_co.name,
                "credit_code": world.building_co.credit_code,
                "region": "130202001",
                "industry": "47",
                "grid": grid,
                "principal_name": "新负责人",
            },
        )
        assert response.status_code == 302
        world.building_co.refresh_from_db()
        assert world.building_co.grid_id == world.grid1.pk  # the posted grid is ignored
        assert world.building_co.enterprise.principal_name == "新负责人"
