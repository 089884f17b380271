"""Who sees which accident (list, detail, export, API), and the pages and API at work."""

from datetime import timedelta

import pytest
from django.utils import timezone

from anjian.accidents.models import Accident, AccidentVersion, Domain
from tests.accidents.conftest import figures, report
from tests.scoping import Endpoints, assert_scope

pytestmark = pytest.mark.django_db

ENDPOINTS = Endpoints(
    list_url="/accidents/",
    detail_url="/accidents/{id}/",
    export_url="/accidents/?export=xlsx",
    api_list_url="/api/v1/accidents?page_size=100",
    api_detail_url="/api/v1/accidents/{id}",
)


def test_accident_scope(world, youyi_region):
    accident = report(world, place="塔吊基础")
    assert_scope(
        accident,
        "宏达建筑公司",
        ENDPOINTS,
        inside=[
            world.bureau,
            world.leader,
            world.township,
            world.zhujian,
            world.grid_worker,
            world.enterprise_user,
        ],
        outside=[world.other_township, world.other_district_bureau, world.expert],
    )
    outside_register = report(
        world, unit_name="个体运输户王某", region=youyi_region, domain=Domain.ROAD
    )
    assert_scope(
        outside_register,
        "个体运输户王某",
        ENDPOINTS,
        inside=[world.bureau, world.other_township],
        # a department sees accidents of its industries only; this one has none
        outside=[world.township, world.zhujian, world.grid_worker, world.enterprise_user],
    )


def _form(**extra):
    occurred = timezone.localtime() - timedelta(hours=2)
    data = {
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "learnt_at": (occurred + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "place": "2号车间",
        "domain": "industry_trade",
        "category": "03",
        "course": "操作工清理设备时被卷入。",
        "measures": "停机断电，送医。",
        "deaths": "1",
        "missing": "0",
        "serious_injuries": "2",
        "minor_injuries": "0",
        "direct_loss_10k": "120.5",
    }
    data.update(extra)
    return data


def test_report_page_for_a_register_enterprise(world, client):
    client.force_login(world.bureau)
    url = f"/accidents/new/?enterprise={world.building_co.pk}"
    assert "事故快报：宏达建筑公司" in client.get(url).content.decode()
    response = client.post(url, _form())
    accident = Accident.objects.get()
    assert response.status_code == 302 and response["Location"] == accident.get_absolute_url()
    assert accident.direct_loss == 1_205_000 and accident.level == 1
    assert accident.region_id == "130202001"  # the enterprise's
    # late: learnt 1h55m ago, received now
    assert accident.report_delay() > timedelta(minutes=50)
    page = client.get(accident.get_absolute_url()).content.decode()
    assert "迟报" in page and "机械伤害" in page and "县级人民政府" in page


def test_report_page_refuses_bad_input_and_writes_nothing(world, client):
    client.force_login(world.bureau)
    for bad in (
        {"deaths": "-1"},
        {"direct_loss_10k": "abc"},
        {"category": "99"},
        {"learnt_at": "2000-01-01T00:00"},
    ):
        response = client.post(f"/accidents/new/?enterprise={world.building_co.pk}", _form(**bad))
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
    # a free-text unit needs its region
    response = client.post("/accidents/new/", _form(unit_name="某个体户"))
    assert response.status_code == 200 and "请选择事故发生地" in response.content.decode()
    assert not Accident.objects.exists()


def test_enterprise_users_report_for_their_own_unit(world, client):
    client.force_login(world.enterprise_user)
    page = client.get(f"/accidents/new/?enterprise={world.chemical_co.pk}").content.decode()
    assert "宏达建筑公司" in page and "永兴化工公司" not in page
    assert "县级接报时间" not in page
    client.post(f"/accidents/new/?enterprise={world.chemical_co.pk}", _form())
    assert Accident.objects.get().enterprise_id == world.building_co.pk
    client.force_login(world.expert)
    assert client.get("/accidents/new/").status_code == 403


def test_supplement_page_and_window(world, client):
    accident = report(world)
    client.force_login(world.enterprise_user)
    response = client.post(
        f"/accidents/{accident.pk}/supplement/",
        {
            "deaths": "2",
            "missing": "0",
            "serious_injuries": "0",
            "minor_injuries": "1",
            "direct_loss_10k": "0",
            "note": "1名伤者抢救无效死亡",
        },
    )
    assert response.status_code == 302
    accident.refresh_from_db()
    assert accident.deaths == 2 and accident.versions.count() == 2
    client.force_login(world.expert)
    assert client.get(f"/accidents/{accident.pk}/supplement/").status_code == 404


def test_bureau_actions_on_the_detail_page(world, client):
    accident = report(world)
    client.force_login(world.bureau)
    page = client.get(accident.get_absolute_url()).content.decode()
    assert "登记接报" in page and "瞒报 / 漏报认定" in page and "结案" in page
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(f"/accidents/{accident.pk}/receive/", {"authority": "市级", "received_at": when})
    assert accident.steps.get(authority="市级").received_at is not None
    response = client.post(f"/accidents/{accident.pk}/investigation/close/")
    assert response.status_code == 302
    accident.investigation.refresh_from_db()
    assert accident.investigation.closed_at is None  # nothing filled in: refused
    client.force_login(world.township)
    page = client.get(accident.get_absolute_url()).content.decode()
    assert "登记接报" not in page and "瞒报 / 漏报认定" not in page
    assert client.post(f"/accidents/{accident.pk}/investigation/").status_code == 403


def test_api_report_supplement_and_errors(world, client):
    client.force_login(world.township)
    occurred = timezone.now() - timedelta(minutes=30)
    payload = {
        "enterprise_id": world.building_co.pk,
        "domain": "industry_trade",
        "category": "05",
        "occurred_at": occurred.isoformat(),
        "learnt_at": occurred.isoformat(),
        "place": "配电室",
        "course": "检修时触电。",
        "measures": "断电、送医。",
        "deaths": 0,
        "serious_injuries": 1,
    }
    response = client.post("/api/v1/accidents", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level_label"] == "一般" and [s["authority"] for s in body["steps"]] == [
        "县级",
        "市级",
    ]
    bad = client.post(
        "/api/v1/accidents", {**payload, "category": "99"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "category"
    negative = client.post(
        "/api/v1/accidents", {**payload, "deaths": -1}, content_type="application/json"
    )
    assert negative.status_code in (400, 422)
    assert Accident.objects.count() == 1
    accident_id = body["id"]
    response = client.post(
        f"/api/v1/accidents/{accident_id}/supplements",
        {**figures(deaths=3), "direct_loss": "0", "note": "伤者死亡"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["level"] == 2
    detail = client.get(f"/api/v1/accidents/{accident_id}").json()
    assert "省级" in [s["authority"] for s in detail["steps"]]
    assert AccidentVersion.objects.filter(accident_id=accident_id).count() == 2
    refused = client.post(
        f"/api/v1/accidents/{accident_id}/concealment",
        {"kind": "concealed", "channel": "新闻", "known_at": occurred.isoformat(), "evidence": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Accident.objects.get().concealment == ""


def test_pages_render_for_every_role(world, client):
    accident = report(world, fig=figures(deaths=3))
    users = [
        world.bureau,
        world.leader,
        world.township,
        world.zhujian,
        world.grid_worker,
        world.enterprise_user,
    ]
    for user in users:
        client.force_login(user)
        for url in (
            "/accidents/",
            accident.get_absolute_url(),
            "/accidents/statistics/",
            "/accidents/targets/",
            "/accidents/watch/",
        ):
            assert client.get(url).status_code == 200, (user.username, url)
    client.force_login(world.bureau)
    assert "宏达建筑公司" in client.get("/accidents/watch/").content.decode()
    assert "一票否决" in client.get(accident.get_absolute_url()).content.decode()
    client.force_login(world.other_township)
    assert "宏达建筑公司" not in client.get("/accidents/watch/").content.decode()
