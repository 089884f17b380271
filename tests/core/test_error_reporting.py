"""Server errors are logged with their traceback and a request id the user is shown;
every API error, wherever it arises, answers the JSON error shape."""

import logging

import pytest
from django.test import Client

from tests.core.test_server_errors import assert_error_shape

pytestmark = pytest.mark.django_db


def _boom(*args, **kwargs):
    raise RuntimeError("deliberate failure for the test")


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


@pytest.fixture
def error_records(caplog):
    """Records of both loggers that report server errors (django.request does not
    propagate to the root logger, where caplog listens)."""
    django_request = logging.getLogger("django.request")
    django_request.addHandler(caplog.handler)
    caplog.set_level(logging.ERROR)
    yield caplog
    django_request.removeHandler(caplog.handler)


def test_every_response_carries_a_request_id(world, client):
    client.force_login(world.bureau)
    first = client.get("/enterprises/")
    second = client.get("/api/v1/enterprises")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_page_error_is_logged_with_traceback_and_its_id_is_shown(
    world, quiet_client, monkeypatch, error_records
):
    monkeypatch.setattr("anjian.core.overview.overview", _boom)
    quiet_client.force_login(world.bureau)
    response = quiet_client.get("/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert request_id in page and "已记录" in page
    assert "deliberate failure" not in page  # no internals shown
    logged = [r for r in error_records.records if getattr(r, "request_id", None) == request_id]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is RuntimeError


def test_an_api_error_is_logged_and_answered_in_the_error_shape(
    world, quiet_client, monkeypatch, error_records
):
    monkeypatch.setattr("anjian.enterprises.selectors.register_rows_for", _boom)
    quiet_client.force_login(world.bureau)
    response = quiet_client.get("/api/v1/enterprises")
    assert_error_shape(response, 500)
    request_id = response["X-Request-ID"]
    body = response.json()
    assert body["code"] == "server_error" and body["request_id"] == request_id
    assert "deliberate failure" not in response.content.decode()
    logged = [r for r in error_records.records if getattr(r, "request_id", None) == request_id]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert logged[0].exc_info[0] is RuntimeError
    assert "/api/v1/enterprises" in logged[0].getMessage()


def test_the_log_format_shows_the_request_id(settings):
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]
    assert "request_id" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.request"]["level"] == "ERROR"


def test_unknown_api_paths_and_wrong_methods_answer_the_error_shape(world, client):
    client.force_login(world.bureau)
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404)
    assert_error_shape(client.get("/api/v2/enterprises"), 404)
    response = client.delete("/api/v1/enterprises")
    assert_error_shape(response, 405)
    assert "GET" in response["Allow"]


def test_an_oversized_api_body_answers_413_in_the_error_shape(world, client, settings):
    from anjian.enterprises.models import Enterprise

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(world.bureau)
    before = Enterprise.objects.count()
    big = '{"name": "' + "x" * 5000 + '"}'
    response = client.post("/api/v1/enterprises", big, content_type="application/json")
    assert_error_shape(response, 413)
    response = client.post("/api/v1/auth/token", {"username": "x" * 5000})
    assert_error_shape(response, 413)
    response = client.post(
        "/api/v1/auth/token", "x", content_type="multipart/form-data"
    )  # no boundary
    assert_error_shape(response, 400)
    assert Enterprise.objects.count() == before


def test_an_oversized_form_answers_413_and_writes_nothing(world, client, settings):
    from anjian.accidents.models import Accident

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(world.bureau)
    response = client.post("/accidents/new/", {"course": "x" * 5000})
    assert response.status_code == 413
    assert "过大" in response.content.decode()
    assert Accident.objects.count() == 0


def test_a_body_that_is_not_json_is_a_chinese_400(world, client):
    client.force_login(world.bureau)
    response = client.post("/api/v1/enterprises", "{not json", content_type="application/json")
    assert_error_shape(response, 400)
    assert response.json()["detail"] == "请求体不是有效的 JSON。"
