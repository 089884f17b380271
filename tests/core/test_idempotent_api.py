"""Every create endpoint takes an `Idempotency-Key` header: a retried request with the
same key creates one record and answers with the first one."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anjian.accidents.models import AccidentVersion, Finding
from anjian.api import api
from anjian.enterprises.models import Enterprise
from anjian.hazards.models import (
    ExtensionRequest,
    Hazard,
    HazardPhoto,
    ProgressReport,
    StatisticsFiling,
)
from anjian.inspections.models import Campaign, Inspection, InspectionPlan, InspectionPoint
from tests.accidents.conftest import report
from tests.core.test_idempotent_forms import _checklist, _listed, _rectifying
from tests.factories import credit_code
from tests.hazards.conftest import photo

pytestmark = pytest.mark.django_db

#: POST routes that change the state of an existing record rather than create one; a
#: repeat is refused by the record's transition table. Anything else must take the key.
NOT_CREATES = {
    "/api/v1/auth/token": "login; the secret is shown once and cannot be answered again",
    "/api/v1/organisations/{org_id}/active": "transition",
    "/api/v1/enterprises/{enterprise_id}/status": "transition",
    "/api/v1/hazards/{hazard_id}/plan": "transition",
    "/api/v1/hazards/{hazard_id}/submit": "transition",
    "/api/v1/hazards/{hazard_id}/verify": "transition",
    "/api/v1/hazards/{hazard_id}/reject": "transition",
    "/api/v1/hazards/{hazard_id}/extensions/{extension_id}/decide": "transition",
    "/api/v1/hazards/{hazard_id}/listing": "transition (one listing per hazard)",
    "/api/v1/accidents/{accident_id}/receipts": "transition (one receipt per step)",
    "/api/v1/accidents/{accident_id}/concealment": "transition",
    "/api/v1/accidents/{accident_id}/investigation/extension": "transition",
    "/api/v1/accidents/{accident_id}/investigation/report": "replaces the one report",
    "/api/v1/accidents/{accident_id}/investigation/close": "transition",
    "/api/v1/notifications/{notification_id}/read": "transition",
}


def _post_operations():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if "post" in operations:
            yield path, operations["post"]


def test_every_create_endpoint_takes_the_key():
    missing = []
    for path, operation in _post_operations():
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers and path not in NOT_CREATES:
            missing.append(path)
        if "201" in operation["responses"] and path not in NOT_CREATES:
            assert "Idempotency-Key" in headers, path
    assert missing == []
    assert set(NOT_CREATES) <= {path for path, _ in _post_operations()}


def test_the_api_description_documents_the_key():
    assert "Idempotency-Key" in api.get_openapi_schema()["info"]["description"]


@dataclass
class ApiCase:
    path: Callable[[Any, dict], str]
    user: str
    body: Callable[[Any, dict], dict]
    model: type
    setup: Callable[[Any], dict] = field(default=lambda world: {})
    multipart: bool = False


def _accident(world):
    return {"accident": report(world)}


def _occurred():
    return (timezone.now() - timedelta(minutes=30)).isoformat()


API_CASES = {
    "/api/v1/enterprises": ApiCase(
        lambda w, c: "/api/v1/enterprises",
        "bureau",
        lambda w, c: {
            "name": "接口登记公司",
            "credit_code": credit_code(888),
            "region": "130202002",
            "industry": "52",
        },
        Enterprise,
    ),
    "/api/v1/hazards": ApiCase(
        lambda w, c: "/api/v1/hazards",
        "township",
        lambda w, c: {
            "enterprise_id": w.building_co.pk,
            "place": "配电箱",
            "domain": "construction",
            "factor_class": "物的因素",
            "level": "general",
            "description": "漏电保护器失效",
            "source": "township",
            "deadline": "2030-01-01T12:00",
        },
        Hazard,
    ),
    "/api/v1/hazards/{hazard_id}/extensions": ApiCase(
        lambda w, c: f"/api/v1/hazards/{c['hazard'].pk}/extensions",
        "enterprise_user",
        lambda w, c: {
            "new_deadline": (timezone.now() + timedelta(days=30)).isoformat(),
            "reason": "设备到货延迟",
        },
        ExtensionRequest,
        setup=_rectifying,
    ),
    "/api/v1/hazards/{hazard_id}/progress": ApiCase(
        lambda w, c: f"/api/v1/hazards/{c['hazard'].pk}/progress",
        "enterprise_user",
        lambda w, c: {"text": "已完成支护加固60%"},
        ProgressReport,
        setup=_listed,
    ),
    "/api/v1/hazards/{hazard_id}/photos": ApiCase(
        lambda w, c: f"/api/v1/hazards/{c['hazard'].pk}/photos?stage=after",
        "enterprise_user",
        lambda w, c: {"photos": photo()},
        HazardPhoto,
        setup=_rectifying,
        multipart=True,
    ),
    "/api/v1/hazards/filings": ApiCase(
        lambda w, c: "/api/v1/hazards/filings",
        "enterprise_user",
        lambda w, c: {"year": 2025, "quarter": 1, "signed_by": "张总"},
        StatisticsFiling,
    ),
    "/api/v1/accidents": ApiCase(
        lambda w, c: "/api/v1/accidents",
        "township",
        lambda w, c: {
            "enterprise_id": w.building_co.pk,
            "domain": "industry_trade",
            "category": "05",
            "occurred_at": _occurred(),
            "learnt_at": _occurred(),
            "place": "配电室",
            "course": "检修时触电。",
            "measures": "断电、送医。",
            "deaths": 0,
            "serious_injuries": 1,
        },
        AccidentVersion,
    ),
    "/api/v1/accidents/{accident_id}/supplements": ApiCase(
        lambda w, c: f"/api/v1/accidents/{c['accident'].pk}/supplements",
        "bureau",
        lambda w, c: {
            "deaths": 3,
            "missing": 0,
            "serious_injuries": 0,
            "minor_injuries": 0,
            "direct_loss": "0",
            "note": "伤者死亡",
        },
        AccidentVersion,
        setup=_accident,
    ),
    "/api/v1/accidents/{accident_id}/investigation/findings": ApiCase(
        lambda w, c: f"/api/v1/accidents/{c['accident'].pk}/investigation/findings",
        "bureau",
        lambda w, c: {
            "kind": "person",
            "name": "王某",
            "responsibility": "直接责任",
            "handling": "移送司法",
        },
        Finding,
        setup=_accident,
    ),
    "/api/v1/inspections": ApiCase(
        lambda w, c: "/api/v1/inspections",
        "township",
        lambda w, c: {
            # a client that sends a new client_id on its retry still creates once
            "client_id": str(uuid.uuid4()),
            "enterprise_id": w.building_co.pk,
            "template_id": _checklist().pk,
            "kind": "township",
            "place": "工地",
            "signed_by": "检查员甲",
            "answers": [
                {"item_id": i.pk, "result": "pass", "note": ""} for i in _checklist().items()
            ],
        },
        Inspection,
    ),
    "/api/v1/inspections/campaigns": ApiCase(
        lambda w, c: "/api/v1/inspections/campaigns",
        "bureau",
        lambda w, c: {
            "name": "汛期专项",
            "start": str(timezone.localdate()),
            "end": str(timezone.localdate() + timedelta(days=30)),
            "region_code": "130202",
            "domain_codes": ["fire"],
            "lead_id": w.bureau.organisation_id,
        },
        Campaign,
    ),
    "/api/v1/inspections/plans": ApiCase(
        lambda w, c: "/api/v1/inspections/plans",
        "township",
        lambda w, c: {
            "name": "月度检查",
            "inspector_id": w.township.pk,
            "template_id": _checklist().pk,
            "kind": "township",
            "frequency": "monthly",
            "start": str(timezone.localdate().replace(day=1)),
            "enterprise_ids": [w.building_co.pk],
        },
        InspectionPlan,
    ),
    "/api/v1/inspections/points": ApiCase(
        lambda w, c: "/api/v1/inspections/points",
        "township",
        lambda w, c: {
            "enterprise_id": w.building_co.pk,
            "name": "塔吊",
            "template_id": _checklist().pk,
            "latitude": 39.6,
            "longitude": 118.18,
        },
        InspectionPoint,
    ),
}


def test_every_create_endpoint_has_a_case():
    creates = {path for path, _ in _post_operations()} - set(NOT_CREATES)
    assert creates == set(API_CASES)


def _post(client, case, world, context, key):
    url = case.path(world, context)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    if case.multipart:
        return client.post(url, case.body(world, context), **headers)
    return client.post(url, case.body(world, context), content_type="application/json", **headers)


@pytest.mark.parametrize("route", sorted(API_CASES))
def test_a_retried_create_makes_one_record(world, client, route):
    case = API_CASES[route]
    context = case.setup(world)
    client.force_login(getattr(world, case.user))
    before = case.model.objects.count()
    key = str(uuid.uuid4())
    first = _post(client, case, world, context, key)
    assert first.status_code in (200, 201), first.content
    assert case.model.objects.count() == before + 1
    again = _post(client, case, world, context, key)
    assert again.status_code in (200, 201), again.content
    assert case.model.objects.count() == before + 1
    if "id" in first.json():
        assert again.json()["id"] == first.json()["id"]
    # another key is another record (or the service's own refusal, never a server error)
    other = _post(client, case, world, context, str(uuid.uuid4()))
    assert other.status_code < 500


def test_a_malformed_key_is_a_400(world, client):
    case = API_CASES["/api/v1/hazards"]
    client.force_login(world.township)
    response = _post(client, case, world, {}, "x" * 101)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "idempotency_key"
    assert not Hazard.objects.exists()


def test_a_key_used_for_another_kind_of_record_is_refused(world, client):
    client.force_login(world.township)
    hazard = API_CASES["/api/v1/hazards"]
    point = API_CASES["/api/v1/inspections/points"]
    assert _post(client, hazard, world, {}, "k-1").status_code == 201
    refused = _post(client, point, world, {}, "k-1")
    assert refused.status_code == 400 and not InspectionPoint.objects.exists()
