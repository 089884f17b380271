"""Shared access checks: a user outside a record's scope sees nothing of it.

Every module's tests call `assert_scope` for each of its list/detail/export/API
endpoints with users inside and outside the record's scope. A user inside must
see the record (so the check cannot pass on a page that shows nothing at all);
a user outside must not find it in the list, the export or the API list, and
its detail page and API detail must answer exactly like a missing record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.test import Client
from openpyxl import load_workbook

MISSING_ID = 987654321


@dataclass(frozen=True)
class Endpoints:
    """URLs of one kind of record. `{id}` in a template is replaced by the record's id."""

    list_url: str | None = None
    detail_url: str | None = None  # e.g. "/organisations/{id}/"
    export_url: str | None = None  # the list URL with ?export=xlsx
    api_list_url: str | None = None
    api_detail_url: str | None = None  # e.g. "/api/v1/organisations/{id}"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx_text(content: bytes) -> str:
    workbook = load_workbook(BytesIO(content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )


def _api_ids(payload: Any) -> set[Any]:
    items = payload["items"] if isinstance(payload, dict) else payload
    return {item["id"] for item in items}


def sees(user, record, marker: str, endpoints: Endpoints) -> dict[str, bool]:
    """What `user` finds of `record` at each endpoint (True = found)."""
    client = _client(user)
    found: dict[str, bool] = {}
    if endpoints.list_url:
        response = client.get(endpoints.list_url)
        assert response.status_code == 200, (endpoints.list_url, response.status_code)
        found["list"] = marker in response.content.decode()
    if endpoints.export_url:
        response = client.get(endpoints.export_url)
        assert response.status_code == 200, (endpoints.export_url, response.status_code)
        found["export"] = marker in _xlsx_text(response.content)
    if endpoints.detail_url:
        response = client.get(endpoints.detail_url.format(id=record.pk))
        if response.status_code == 200:
            found["detail"] = True
        else:
            missing = client.get(endpoints.detail_url.format(id=MISSING_ID))
            assert response.status_code == missing.status_code == 404
            found["detail"] = False
    if endpoints.api_list_url:
        response = client.get(endpoints.api_list_url)
        assert response.status_code == 200, (endpoints.api_list_url, response.status_code)
        found["api_list"] = record.pk in _api_ids(response.json())
    if endpoints.api_detail_url:
        response = client.get(endpoints.api_detail_url.format(id=record.pk))
        if response.status_code == 200:
            found["api_detail"] = True
        else:
            missing = client.get(endpoints.api_detail_url.format(id=MISSING_ID))
            assert response.status_code == missing.status_code == 404
            assert response.json() == missing.json(), (
                "outside the scope must look exactly like missing"
            )
            found["api_detail"] = False
    return found


def assert_scope(
    record,
    marker: str,
    endpoints: Endpoints,
    *,
    inside: Iterable[Any],
    outside: Iterable[Any],
) -> None:
    """Users `inside` find `record` everywhere; users `outside` find it nowhere."""
    for user in inside:
        found = sees(user, record, marker, endpoints)
        assert all(found.values()), f"{user.username} should see {marker}: {found}"
    for user in outside:
        found = sees(user, record, marker, endpoints)
        assert not any(found.values()), f"{user.username} must not see {marker}: {found}"


def assert_selector_scope(
    selector: Callable[[Any], Any], record, *, inside: Iterable[Any], outside: Iterable[Any]
) -> None:
    """The same for a selector: `selector(user)` returns a queryset."""
    for user in inside:
        assert selector(user).filter(pk=record.pk).exists(), f"{user.username} should see {record}"
    for user in outside:
        assert not selector(user).filter(pk=record.pk).exists(), (
            f"{user.username} must not see {record}"
        )
