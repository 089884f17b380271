"""Who sees which enterprises: pages, export, API; 三管三必须 overrides."""

import pytest

from anjian.enterprises.selectors import enterprises_for
from anjian.orgs.models import Organisation, SupervisionOverride
from tests.scoping import Endpoints, assert_scope

pytestmark = pytest.mark.django_db

ENDPOINTS = Endpoints(
    list_url="/enterprises/",
    detail_url="/enterprises/{id}/",
    export_url="/enterprises/?export=xlsx",
    api_list_url="/api/v1/enterprises?page_size=500",
    api_detail_url="/api/v1/enterprises/{id}",
)


def test_department_sees_exactly_the_enterprises_it_supervises(world):
    assert_scope(
        world.building_co,
        "宏达建筑公司",
        ENDPOINTS,
        inside=[world.zhujian, world.bureau],
        outside=[world.other_district_bureau],
    )
    assert_scope(
        world.chemical_co,
        "永兴化工公司",
        ENDPOINTS,
        inside=[world.bureau, world.township],
        outside=[world.zhujian],
    )
    assert set(enterprises_for(world.zhujian)) == {world.building_co.enterprise}


def test_township_grid_and_enterprise_scopes(world):
    assert_scope(
        world.youyi_co,
        "友谊商场公司",
        ENDPOINTS,
        inside=[world.other_township, world.leader],
        outside=[world.township, world.grid_worker, world.enterprise_user, world.expert],
    )
    assert_scope(
        world.building_co,
        "宏达建筑公司",
        ENDPOINTS,
        inside=[world.township, world.grid_worker, world.enterprise_user],
        outside=[world.other_township],
    )


def test_enterprise_user_cannot_open_another_enterprise_by_url_or_api_id(world, client):
    client.force_login(world.enterprise_user)
    other = world.chemical_co.pk  # same township, same region prefix
    assert client.get(f"/enterprises/{other}/").status_code == 404
    assert client.get(f"/enterprises/{other}/edit/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{other}").status_code == 404
    response = client.patch(
        f"/api/v1/enterprises/{other}", {"principal_name": "篡改"}, content_type="application/json"
    )
    assert response.status_code == 404
    world.chemical_co.enterprise.refresh_from_db()
    assert world.chemical_co.enterprise.principal_name == "负责人"


def test_override_adds_and_removes_enterprises_for_a_department(world):
    department = Organisation.objects.get(name="路南区住建局")
    SupervisionOverride.objects.create(
        enterprise=world.chemical_co, department=department, mode="add"
    )
    SupervisionOverride.objects.create(
        enterprise=world.building_co, department=department, mode="remove"
    )
    world.zhujian._anjian_scope = None
    assert set(enterprises_for(world.zhujian)) == {world.chemical_co.enterprise}


def test_department_filter_matches_the_department_scope(world, client):
    department = Organisation.objects.get(name="路南区住建局")
    client.force_login(world.bureau)
    page = client.get("/enterprises/", {"department": department.pk}).content.decode()
    assert "宏达建筑公司" in page and "永兴化工公司" not in page and "友谊商场公司" not in page
