"""Register pages and API: filters, forms with Chinese errors, the enterprise's own view."""

import pytest
from django.test import Client

from anjian.enterprises.models import ChangeRequest, Enterprise
from anjian.orgs.models import Organisation
from tests.factories import credit_code

pytestmark = pytest.mark.django_db

FORM = {
    "name": "页面登记公司",
    "credit_code": "",
    "region": "130202001",
    "industry": "47",
    "employees": "8",
}


def test_list_filters(world, client):
    client.force_login(world.bureau)
    Enterprise.objects.filter(pk=world.chemical_co.pk).update(is_hazardous_chemicals=True)
    page = client.get("/enterprises/", {"flag": "is_hazardous_chemicals"}).content.decode()
    assert "永兴化工公司" in page and "宏达建筑公司" not in page
    page = client.get("/enterprises/", {"q": world.youyi_co.credit_code.lower()}).content.decode()
    assert "友谊商场公司" in page and "永兴化工公司" not in page
    page = client.get("/enterprises/", {"industry": "E"}).content.decode()
    assert "宏达建筑公司" in page and "友谊商场公司" not in page


def test_list_api_filters_by_flags_in_the_query_string(world, client):
    client.force_login(world.bureau)
    Enterprise.objects.filter(pk=world.chemical_co.pk).update(
        is_hazardous_chemicals=True, is_crowded_place=True
    )
    Enterprise.objects.filter(pk=world.youyi_co.pk).update(is_crowded_place=True)

    def names(query):
        response = client.get(f"/api/v1/enterprises?{query}")
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["items"]}

    assert names("flag=is_hazardous_chemicals") == {"永兴化工公司"}
    assert names("flag=is_crowded_place") == {"永兴化工公司", "友谊商场公司"}
    assert names("flag=is_crowded_place&flag=is_hazardous_chemicals") == {"永兴化工公司"}


def test_list_api_department_filter_stays_within_the_visible_departments(world, client):
    from tests.factories import OrganisationFactory

    lubei_zhujian = OrganisationFactory(
        name="路北区住建局", kind=Organisation.Kind.DEPARTMENT, region=world.lubei_co.region
    )
    client.force_login(world.bureau)

    def names(department):
        response = client.get("/api/v1/enterprises", {"department": department})
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["items"]}

    assert names(world.zhujian.organisation_id) == {"宏达建筑公司"}
    # another district's department, or none at all: nothing, never the whole register
    assert names(lubei_zhujian.pk) == set()
    assert names(987654321) == set()


def test_register_through_the_form(world, client):
    client.force_login(world.bureau)
    page = client.post("/enterprises/new/", {**FORM, "credit_code": "123"}).content.decode()
    assert "统一社会信用代码格式或校验位不正确" in page
    assert not Organisation.objects.filter(name="页面登记公司").exists()
    response = client.post("/enterprises/new/", {**FORM, "credit_code": credit_code(777).lower()})
    assert response.status_code == 302
    org = Organisation.objects.get(name="页面登记公司")
    assert org.credit_code == credit_code(777) and org.enterprise.employees == 8


def test_enterprise_user_edits_contacts_and_requests_key_changes(world, client):
    client.force_login(world.enterprise_user)
    pk = world.building_co.pk
    data = {
        "name": "偷偷改名",
        "credit_code": world.building_co.credit_code,
        "region": "130202001",
        "industry": "47",
        "principal_name": "新负责人",
        "principal_phone": "13700000000",
    }
    assert client.post(f"/enterprises/{pk}/edit/", data).status_code == 302
    world.building_co.refresh_from_db()
    assert world.building_co.name == "宏达建筑公司"  # disabled field: the posted name is ignored
    assert world.building_co.enterprise.principal_name == "新负责人"
    response = client.post(
        f"/enterprises/{pk}/key-change/", {"name": "宏达新名", "reason": "工商变更"}
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get().changes["name"]["to"] == "宏达新名"
    detail = client.get(f"/enterprises/{pk}/").content.decode()
    assert "待审核" in detail and "宏达新名" in detail
    client.force_login(world.township)
    request = ChangeRequest.objects.get()
    assert "宏达新名" in client.get("/enterprises/changes/").content.decode()
    client.post(f"/enterprises/changes/{request.pk}/decide/", {"approve": "1", "note": "同意"})
    world.building_co.refresh_from_db()
    assert world.building_co.name == "宏达新名"


def test_detail_shows_sections_departments_and_history(world, client):
    client.force_login(world.bureau)
    page = client.get(f"/enterprises/{world.building_co.pk}/").content.decode()
    for text in ("路南区住建局", "隐患", "检查", "事故", "变更记录", "宏达建筑公司"):
        assert text in page


def _token(username):
    from tests.factories import PASSWORD

    return (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )


def test_api_create_update_status(world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token('bureau')}"}
    api = Client()
    created = api.post(
        "/api/v1/enterprises",
        {
            "name": "接口登记公司",
            "credit_code": credit_code(888),
            "region": "130202002",
            "industry": "52",
            "flags": ["is_crowded_place"],
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["flags"] == ["is_crowded_place"] and body["region_name"].endswith("友谊街道")
    bad = api.post(
        "/api/v1/enterprises",
        {"name": "x", "credit_code": "bad", "region": "999", "industry": "52"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "region"
    patched = api.patch(
        f"/api/v1/enterprises/{body['id']}",
        {"employees": 99, "reason": "年报"},
        content_type="application/json",
        **auth,
    )
    assert patched.json()["employees"] == 99 and patched.json()["name"] == "接口登记公司"
    status = api.post(
        f"/api/v1/enterprises/{body['id']}/status",
        {"status": "suspended", "reason": "整改"},
        content_type="application/json",
        **auth,
    )
    assert status.json()["status_label"] == "停产整顿"
    listed = api.get("/api/v1/enterprises", {"status": "suspended"}, **auth).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]


def test_api_enterprise_user_cannot_change_key_fields(world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token('ent')}"}
    response = Client().patch(
        f"/api/v1/enterprises/{world.building_co.pk}",
        {"name": "改名"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    world.building_co.refresh_from_db()
    assert world.building_co.name == "宏达建筑公司"
