"""Who sees which hazards (ledger, export, API), and the pages and API that move one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anjian.hazards import services
from anjian.hazards.models import Hazard, Status
from tests.factories import PASSWORD
from tests.hazards.conftest import hazard_data, photo
from tests.scoping import Endpoints, assert_scope

pytestmark = pytest.mark.django_db

ENDPOINTS = Endpoints(
    list_url="/hazards/",
    detail_url="/hazards/{id}/",
    export_url="/hazards/?export=xlsx",
    api_list_url="/api/v1/hazards?page_size=500",
    api_detail_url="/api/v1/hazards/{id}",
)


def test_hazard_scope(world, hazard):
    chemical = services.hazard_register(
        actor=world.bureau,
        enterprise=world.chemical_co.enterprise,
        data=hazard_data(place="反应釜区", description="可燃气体报警器失效"),
    )
    assert_scope(
        hazard,
        "塔吊限位器失效",
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
    assert_scope(
        chemical,
        "可燃气体报警器失效",
        ENDPOINTS,
        inside=[world.bureau, world.township],
        outside=[world.zhujian, world.grid_worker, world.enterprise_user],
    )


def test_hazard_rows_carry_the_enterprise_placement(world, hazard):
    assert hazard.region_code == "130202001" and hazard.industry_code == "47"
    assert hazard.grid_id == world.grid1.pk


def test_register_walk_through_the_pages(world, client):
    client.force_login(world.township)
    pk = world.building_co.pk
    assert "登记隐患" in client.get(f"/enterprises/{pk}/").content.decode()
    page = client.post(
        f"/hazards/new/{pk}/", {"place": "", "domain": "construction"}
    ).content.decode()
    assert "这个字段是必填项" in page and not Hazard.objects.exists()
    response = client.post(
        f"/hazards/new/{pk}/",
        {
            "place": "脚手架",
            "domain": "construction",
            "factor_class": "物的因素",
            "level": "general",
            "source": "township",
            "deadline": "2030-01-01T12:00",
            "description": "连墙件缺失",
            "found_at": "2026-11-20T09:30",
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hazards/{hazard.pk}/"
    assert hazard.found_by == world.township and hazard.found_by_name == world.township.full_name
    client.force_login(world.enterprise_user)
    client.post(
        f"/hazards/{hazard.pk}/plan/",
        {
            "measures": "补设连墙件",
            "responsible_person": "王工",
            "funds": "800",
            "deadline": "2030-01-01T12:00",
            "contingency": "暂停上部作业",
        },
    )
    client.post(f"/hazards/{hazard.pk}/submit/", {"note": "已补设"})  # no photo: refused
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFYING
    not_an_image = SimpleUploadedFile("x.png", b"just text", content_type="image/png")
    client.post(f"/hazards/{hazard.pk}/submit/", {"note": "已补设", "photos": [not_an_image]})
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFYING and not hazard.photos.exists()
    client.post(
        f"/hazards/{hazard.pk}/submit/",
        {"note": "已补设", "photos": [photo("后.png"), photo("后2.png")]},
    )
    hazard.refresh_from_db()
    assert hazard.status == Status.PENDING
    client.force_login(world.township)
    client.post(f"/hazards/{hazard.pk}/verify/", {"note": "复查合格"})
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED
    detail = client.get(f"/hazards/{hazard.pk}/").content.decode()
    for text in ("登记", "确定整改方案", "提交整改", "验收销号", "补设连墙件"):
        assert text in detail


def test_ledger_filters_and_export_columns(world, client, rectifying):
    client.force_login(world.bureau)
    page = client.get(
        "/hazards/", {"status": "rectifying", "domain": "construction"}
    ).content.decode()
    assert "塔吊限位器失效" in page
    assert "塔吊限位器失效" not in client.get("/hazards/", {"status": "closed"}).content.decode()
    assert "塔吊限位器失效" not in client.get("/hazards/", {"overdue": "on"}).content.decode()
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(client.get("/hazards/?export=xlsx").content)).active
    header = [c.value for c in sheet[1]]
    assert {"整改措施", "整改责任人", "整改资金（元）", "整改期限", "应急预案/防范措施"} <= set(
        header
    )
    row = dict(zip(header, [c.value for c in sheet[2]], strict=False))
    assert row["整改措施"] == "更换限位器" and row["整改责任人"] == "张三"


def _token(username):
    return (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )


def test_api_walks_a_hazard(world):
    township = {"HTTP_AUTHORIZATION": f"Bearer {_token('township')}"}
    ent = {"HTTP_AUTHORIZATION": f"Bearer {_token('ent')}"}
    api = Client()
    created = api.post(
        "/api/v1/hazards",
        {
            "enterprise_id": world.building_co.pk,
            "place": "配电箱",
            "domain": "construction",
            "factor_class": "物的因素",
            "level": "general",
            "description": "漏电保护器失效",
            "source": "township",
            "deadline": "2030-01-01T12:00",
        },
        content_type="application/json",
        **township,
    )
    assert created.status_code == 201, created.content
    hid = created.json()["id"]
    outside = api.post(
        "/api/v1/hazards",
        {
            "enterprise_id": world.youyi_co.pk,
            "place": "x",
            "domain": "fire",
            "factor_class": "物的因素",
            "level": "general",
            "description": "x",
            "source": "township",
            "deadline": "2030-01-01T12:00",
        },
        content_type="application/json",
        **township,
    )
    assert outside.status_code == 404
    plan = api.post(
        f"/api/v1/hazards/{hid}/plan",
        {
            "measures": "更换",
            "responsible_person": "李四",
            "funds": "200",
            "deadline": "2030-01-01T00:00:00+08:00",
            "contingency": "断电",
        },
        content_type="application/json",
        **ent,
    )
    assert plan.json()["status"] == "rectifying"
    assert (
        api.post(
            f"/api/v1/hazards/{hid}/verify", {}, content_type="application/json", **township
        ).status_code
        == 400
    )
    no_photo = api.post(
        f"/api/v1/hazards/{hid}/submit", {"note": "x"}, content_type="application/json", **ent
    )
    assert no_photo.status_code == 400 and no_photo.json()["errors"][0]["field"] == "photos"
    uploaded = api.post(f"/api/v1/hazards/{hid}/photos", {"photos": [photo()]}, **ent)
    assert uploaded.status_code == 201
    api.post(
        f"/api/v1/hazards/{hid}/submit", {"note": "已更换"}, content_type="application/json", **ent
    )
    denied = api.post(f"/api/v1/hazards/{hid}/verify", {}, content_type="application/json", **ent)
    assert denied.status_code == 403
    closed = api.post(
        f"/api/v1/hazards/{hid}/verify",
        {"note": "合格"},
        content_type="application/json",
        **township,
    )
    assert closed.json()["status"] == "closed"
    listed = api.get("/api/v1/hazards", {"status": "closed"}, **ent).json()
    assert [i["id"] for i in listed["items"]] == [hid]


def test_large_ledgers_count_up_to_a_cap(world, client, monkeypatch):
    from anjian.core.api import CappedPagination
    from anjian.hazards.views import HazardLedger

    for n in range(3):
        services.hazard_register(
            actor=world.township,
            enterprise=world.building_co.enterprise,
            data=hazard_data(place=f"点{n}"),
        )
    monkeypatch.setattr(HazardLedger, "count_cap", 2)
    monkeypatch.setattr(CappedPagination, "count_cap", 2)
    client.force_login(world.bureau)
    assert "超过 2 条" in client.get("/hazards/").content.decode()
    body = client.get("/api/v1/hazards").json()
    assert body["count"] == 2 and body["count_capped"] is True and len(body["items"]) == 3
    monkeypatch.setattr(HazardLedger, "count_cap", 10)
    assert "共 3 条" in client.get("/hazards/").content.decode()


def test_ledger_department_filter(world, client, hazard):
    from anjian.orgs.models import Organisation

    services.hazard_register(
        actor=world.bureau,
        enterprise=world.chemical_co.enterprise,
        data=hazard_data(place="罐区", description="围堰破损"),
    )
    department = Organisation.objects.get(name="路南区住建局")
    client.force_login(world.bureau)
    page = client.get("/hazards/", {"department": department.pk}).content.decode()
    assert "塔吊限位器失效" in page and "围堰破损" not in page
