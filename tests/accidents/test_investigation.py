"""Investigation: authority and deadline by level (R-ACC-5), extensions within the
maximum, findings, and no closure while any 四不放过 item is open."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.accidents import services
from anjian.rules.accidents import InvestigationBasis
from tests.accidents.conftest import figures, report

pytestmark = pytest.mark.django_db


def _pdf():
    return SimpleUploadedFile("调查报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")


def test_deadline_by_level_and_basis(world, accident):
    inv = accident.investigation
    assert inv.deadline() == accident.occurred_at + timedelta(days=30)  # 2013 rule, 一般
    services.investigation_update(
        actor=world.bureau, investigation=inv, values={"basis": InvestigationBasis.ORDER_493}
    )
    inv.refresh_from_db()
    assert inv.deadline() == accident.occurred_at + timedelta(days=60)
    major = report(world, fig=figures(deaths=12))
    assert major.investigation.authority == "省级人民政府"
    assert major.investigation.deadline() == major.occurred_at + timedelta(days=60)


def test_extensions_stay_within_the_maximum(world, accident):
    inv = accident.investigation
    services.investigation_extend(actor=world.bureau, investigation=inv, days=20, reason="鉴定")
    with pytest.raises(ValidationError) as exc:
        services.investigation_extend(
            actor=world.bureau, investigation=inv, days=11, reason="再鉴定"
        )
    assert "累计不得超过30日" in str(exc.value)
    inv.refresh_from_db()
    assert inv.extension_days == 20
    assert inv.deadline() == accident.occurred_at + timedelta(days=50)
    with pytest.raises(ValidationError):
        services.investigation_extend(actor=world.bureau, investigation=inv, days=5, reason="")


def test_the_case_cannot_close_while_an_item_is_open(world, accident):
    inv = accident.investigation
    with pytest.raises(ValidationError) as exc:
        services.investigation_close(actor=world.bureau, investigation=inv)
    assert set(exc.value.message_dict) == {"cause", "report", "__all__"}
    services.investigation_report(actor=world.bureau, investigation=inv, report=_pdf())
    services.finding_add(
        actor=world.bureau,
        investigation=inv,
        data={
            "kind": "person",
            "name": "李某",
            "position": "项目经理",
            "responsibility": "主要责任",
            "handling": "建议给予罚款处罚",
        },
    )
    four = dict.fromkeys(inv.FOUR_FIELDS, True)
    for missing in inv.FOUR_FIELDS:
        services.investigation_update(
            actor=world.bureau,
            investigation=inv,
            values={"cause": "未系安全带，脚手架未设防护栏杆", **four, missing: False},
        )
        with pytest.raises(ValidationError) as exc:
            services.investigation_close(actor=world.bureau, investigation=inv)
        assert "四不放过未落实" in str(exc.value)
        inv.refresh_from_db()
        assert inv.closed_at is None
    services.investigation_update(actor=world.bureau, investigation=inv, values=four)
    services.investigation_close(actor=world.bureau, investigation=inv)
    inv.refresh_from_db()
    assert inv.closed_at is not None and inv.closed_by == world.bureau
    with pytest.raises(ValidationError):  # closed: no more changes
        services.investigation_update(actor=world.bureau, investigation=inv, values={"team": "x"})


def test_only_the_bureau_runs_the_investigation(world, accident):
    for user in (world.township, world.zhujian, world.enterprise_user):
        with pytest.raises(PermissionDenied):
            services.investigation_update(
                actor=user, investigation=accident.investigation, values={"cause": "x"}
            )
    accident.investigation.refresh_from_db()
    assert accident.investigation.cause == ""


def test_the_deployment_chooses_the_basis(world, settings):
    settings.ANJIAN_INVESTIGATION_BASIS = "493号令"
    accident = report(world)
    assert accident.investigation.basis == "493号令"
    assert accident.investigation.deadline() == accident.occurred_at + timedelta(days=60)


def test_investigation_and_targets_api(world, accident, client):
    url = f"/api/v1/accidents/{accident.pk}/investigation"
    client.force_login(world.township)
    assert client.get(url).status_code == 200
    refused = client.patch(url, {"cause": "x"}, content_type="application/json")
    assert refused.status_code == 403
    client.force_login(world.bureau)
    body = client.patch(
        url, {"cause": "违章作业", "cause_found": True}, content_type="application/json"
    ).json()
    assert body["cause"] == "违章作业" and len(body["open_items"]) == 3
    too_long = client.post(
        f"{url}/extension", {"days": 31, "reason": "鉴定"}, content_type="application/json"
    )
    assert too_long.status_code == 400
    client.post(
        f"{url}/findings",
        {"kind": "person", "name": "王某", "responsibility": "直接责任", "handling": "移送司法"},
        content_type="application/json",
    )
    not_yet = client.post(f"{url}/close")
    assert not_yet.status_code == 400 and "四不放过未落实" in not_yet.json()["detail"] + str(
        not_yet.json()["errors"]
    )
    bad_file = client.post(f"{url}/report", {"report": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad_file.status_code == 400
    client.post(f"{url}/report", {"report": _pdf()})
    client.patch(
        url,
        dict.fromkeys(accident.investigation.FOUR_FIELDS, True),
        content_type="application/json",
    )
    closed = client.post(f"{url}/close").json()
    assert closed["closed_at"] and closed["findings"][0]["name"] == "王某"
    # targets
    target = {"region_code": "130202", "year": 2026, "death_target": 11, "gdp_100m": "528"}
    assert (
        client.put(
            "/api/v1/accidents/targets/set", target, content_type="application/json"
        ).status_code
        == 200
    )
    outside = client.put(
        "/api/v1/accidents/targets/set",
        {**target, "region_code": "130203"},
        content_type="application/json",
    )
    assert outside.status_code == 400
    items = client.get("/api/v1/accidents/targets/list").json()["items"]
    assert [(t["region_code"], t["death_target"]) for t in items] == [("130202", 11)]
    client.force_login(world.other_district_bureau)
    assert client.get("/api/v1/accidents/targets/list").json()["items"] == []
    assert client.get(url).status_code == 404
