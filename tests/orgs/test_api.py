"""The API: tokens, error shape, scoping, CSRF for session callers."""

import re

import pytest
from django.test import Client

from anjian.orgs.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(username="township", password=PASSWORD):
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password, "name": "脚本"},
        content_type="application/json",
    )


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_lifecycle(world):
    response = _token()
    assert response.status_code == 201
    key = response.json()["token"]
    client = Client()
    me = client.get("/api/v1/auth/me", **_bearer(key)).json()
    assert me["username"] == "township" and me["role"] == "township"
    token = ApiToken.objects.get(user=world.township)
    assert token.key_hash != key and key not in token.key_hash  # only the hash is stored
    tokens = client.get("/api/v1/auth/tokens", **_bearer(key)).json()
    assert [t["id"] for t in tokens] == [token.pk] and "token" not in tokens[0]
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}", **_bearer(key)).status_code == 204
    assert client.get("/api/v1/auth/me", **_bearer(key)).status_code == 401


def test_cannot_revoke_someone_elses_token(world):
    mine = _token().json()["token"]
    theirs = _token("youyi").json()
    other = ApiToken.objects.get(user=world.other_township)
    assert Client().delete(f"/api/v1/auth/tokens/{other.pk}", **_bearer(mine)).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert Client().get("/api/v1/auth/me", **_bearer(theirs["token"])).status_code == 200


def test_wrong_credentials_and_lockout(world, settings):
    settings.ANJIAN_LOGIN_MAX_FAILURES = 2
    bad = _token(password="wrong")
    assert bad.status_code == 401
    assert bad.json() == {
        "detail": "用户名或密码不正确",
        "code": "invalid_credentials",
        "errors": [],
    }
    _token(password="wrong")
    locked = _token()  # the right password, from the address that failed: throttled
    assert locked.status_code == 429 and locked.json()["code"] == "too_many_attempts"
    assert int(locked["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_validation_errors_name_the_field(world):
    response = Client().post(
        "/api/v1/auth/token", {"username": "township"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert [e["field"] for e in body["errors"]] == ["password"]


def test_service_errors_are_400_with_fields(world):
    key = _token("bureau").json()["token"]
    response = Client().post(
        f"/api/v1/organisations/{world.chemical_co.pk}/active",
        {"active": False, "reason": "  "},
        content_type="application/json",
        **_bearer(key),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "reason", "message": "请填写原因。"}]
    world.chemical_co.refresh_from_db()
    assert world.chemical_co.is_active


def test_permission_errors_are_403(world):
    key = _token("township").json()["token"]
    response = Client().post(
        f"/api/v1/organisations/{world.building_co.pk}/active",
        {"active": False, "reason": "x"},
        content_type="application/json",
        **_bearer(key),
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_unauthenticated_api_is_401_not_a_redirect(world):
    response = Client().get("/api/v1/organisations")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_session_callers_need_csrf_for_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bureau)
    response = client.post(
        f"/api/v1/organisations/{world.chemical_co.pk}/active",
        {"active": False, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    world.chemical_co.refresh_from_db()
    assert world.chemical_co.is_active
    assert client.get("/api/v1/organisations").status_code == 200


def test_pagination_and_filters(world):
    key = _token("bureau").json()["token"]
    page = Client().get("/api/v1/organisations", {"page_size": 2, "page": 1}, **_bearer(key)).json()
    assert page["page_size"] == 2 and len(page["items"]) == 2 and page["count"] > 2
    ents = Client().get("/api/v1/organisations", {"kind": "enterprise"}, **_bearer(key)).json()
    assert {i["name"] for i in ents["items"]} == {"宏达建筑公司", "永兴化工公司", "友谊商场公司"}
    too_big = Client().get("/api/v1/organisations", {"page_size": 100000}, **_bearer(key))
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "page_size"


def test_openapi_schema_and_docs_without_cdn(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/token" in schema["paths"] and "/api/v1/organisations" in schema["paths"]
    client.force_login(world.bureau)
    docs = client.get("/api/v1/docs").content.decode()
    # Every script and stylesheet the page loads is served by us (a random CSRF token may
    # contain the letters "cdn", so the check reads the URLs, not the whole page).
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "/static/" in docs and "cdn." not in docs.lower()
