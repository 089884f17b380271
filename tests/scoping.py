"""Shared access checks: a user outside a record's scope sees nothing of it.

Every module's tests call `assert_scope` for each of its list/detail/export/API
endpoints with users inside and outside the record's scope. A user inside must
see the record (so the check cannot pass on a page that shows nothing at all);
a user outside must not find it in the list, the export or the API list, and
its detail page and API detail must answer exactly like a missing record.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

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


def _api_items(payload: Any) -> list[Any]:
    return payload["items"] if isinstance(payload, dict) else payload


def _api_ids(payload: Any) -> set[Any]:
    return {item["id"] for item in _api_items(payload)}


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


# --- region filters ---------------------------------------------------------------
#
# Every filter a user sends is intersected with the user's scope in one place
# (`core.access.scoped_region`). These checks find every API operation and every page
# form that takes a region by themselves, so a new module's endpoint is covered as soon
# as it exists, and assert that asking for a region outside the caller's scope brings
# back nothing of it.

#: A well-formed region code that names no region.
NO_SUCH_REGION = "139999"


def _is_region_parameter(name: str) -> bool:
    return "region" in name.lower()


def _api_value(path: str, parameter: dict[str, Any], year: int) -> str:
    """A valid value for a required query parameter other than the region."""
    name, schema = parameter["name"], parameter.get("schema", {})
    if schema.get("format") == "date":
        return (
            f"{year}-12-31"
            if name in {"end", "to"} or name.endswith("_to")
            else f"{year - 2}-01-01"
        )
    if name == "year":
        return str(year)
    raise AssertionError(
        f"{path}: no test value for the required parameter {name!r}; add one in tests/scoping.py"
    )


def api_region_operations(year: int) -> list[tuple[str, str, dict[str, str]]]:
    """(path, region parameter name, the other query parameters) of every GET operation
    in the OpenAPI schema that takes a region-like query parameter."""
    from anjian.api import api

    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path:
            continue
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        for region in (p for p in query if _is_region_parameter(p["name"])):
            others = {
                p["name"]: _api_value(path, p, year)
                for p in query
                if p is not region and p.get("required")
            }
            if any(p["name"] == "page_size" for p in query):
                others["page_size"] = "500"
            found.append((path, region["name"], others))
    return found


class _FormFinder(HTMLParser):
    """The GET forms of a page: their action and their fields' current values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "method": a.get("method", "get").lower(),
                    "action": a.get("action", ""),
                    "fields": {},
                }
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "button"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            fields[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            fields.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _page_urls() -> list[str]:
    """Every page URL without path parameters, outside the API and the operators' admin."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns: Any, prefix: str) -> Iterable[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif "<" not in route and "(" not in route:
                yield "/" + route.lstrip("^").rstrip("$")

    skip = ("/api/", "/ops/", "/logout", "/healthz", "/regions/picker")
    return sorted({u for u in walk(get_resolver().url_patterns, "") if not u.startswith(skip)})


def page_region_forms(user) -> list[tuple[str, dict[str, str]]]:
    """(action URL, default fields) of every GET form with a region field on the pages
    `user` can open: the list filters, statistics pages and the exports they lead to."""
    client = _client(user)
    found: dict[str, dict[str, str]] = {}
    for url in _page_urls():
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        finder = _FormFinder()
        finder.feed(response.content.decode())
        for form in finder.forms:
            if form["method"] == "get" and "region" in form["fields"]:
                action = form["action"] or url
                found.setdefault(action, {k: v for k, v in form["fields"].items() if k != "region"})
                if 'data-testid="export-xlsx"' in response.content.decode():
                    found.setdefault(f"{action}?export=xlsx", found[action])
    return sorted(found.items())


def _normalised(response, region: str) -> tuple[int, str]:
    """What a response tells, without what differs between two equal answers (the CSRF
    token, the echoed region code)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return response.status_code, _xlsx_text(response.content)
    text = response.content.decode() if response.status_code != 302 else response["Location"]
    text = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", text)
    return response.status_code, text.replace(region, "REGION")


def _diff(got: tuple[int, str], expected: tuple[int, str]) -> str:
    lines = difflib.unified_diff(
        expected[1].splitlines(), got[1].splitlines(), "unknown region", "asked", lineterm="", n=1
    )
    return f"status {got[0]} vs {expected[0]}\n" + "\n".join(list(lines)[:40])


def _text(response) -> str:
    return _normalised(response, "\0")[1]


def assert_region_filters_within_scope(
    user,
    *,
    own: str,
    wider: Iterable[str],
    outside: Iterable[str],
    markers: Iterable[str],
    year: int,
) -> list[str]:
    """For every API operation and page form taking a region: a region `outside` the
    user's scope answers exactly like a region that does not exist (a statistic: 404, a
    list: nothing), a
    `wider` region (an ancestor of the user's `own`) answers like `own`, and no answer
    contains a `marker` of the records outside the scope. Returns what was checked."""
    client = _client(user)
    checked = []
    for path, name, params in api_region_operations(year):
        url = f"/api/v1{path}" if not path.startswith("/api/") else path
        missing = client.get(url, {**params, name: NO_SUCH_REGION})
        # an unknown region: a statistic answers 404, a list answers with nothing
        assert missing.status_code == 404 or (
            missing.status_code == 200 and not _api_items(missing.json())
        ), (user.username, url, missing.status_code, missing.content)
        mine = client.get(url, {**params, name: own})
        assert mine.status_code == 200, (user.username, url, mine.status_code, mine.content)
        for marker in markers:
            assert marker not in mine.content.decode(), (user.username, url, marker)
        for code in outside:
            answer = client.get(url, {**params, name: code})
            assert (answer.status_code, answer.json()) == (missing.status_code, missing.json()), (
                user.username,
                url,
                code,
                answer.content,
            )
        for code in wider:
            answer = client.get(url, {**params, name: code})
            assert (answer.status_code, answer.json()) == (200, mine.json()), (
                user.username,
                url,
                code,
            )
        checked.append(url)
    for action, fields in page_region_forms(user):
        joiner = "&" if "?" in action else "?"

        def get(code: str, action=action, fields=fields, joiner=joiner):
            # a fresh session each time: messages a redirect leaves must not show on
            # the next page and make two equal answers differ
            return _client(user).get(f"{action}{joiner}{urlencode({**fields, 'region': code})}")

        missing = _normalised(get(NO_SUCH_REGION), NO_SUCH_REGION)
        for code in outside:
            answer = _normalised(get(code), code)
            assert answer == missing, (user.username, action, code, _diff(answer, missing))
        for code in [own, *wider]:
            answer = get(code)
            assert answer.status_code in (200, 302), (user.username, action, code)
            for marker in markers:
                assert marker not in _text(answer), (user.username, action, code, marker)
        checked.append(action)
    return checked
