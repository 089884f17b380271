"""Every list page of the list pattern — found in the URL configuration, so a module added
later is covered too — answers a filter with the export link, the filter form and the
table of those filters together, in the part of the page a filter replaces."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from anjian.core.listing import ListPage

pytestmark = pytest.mark.django_db


def _list_urls(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _list_urls(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None)
            if view_class and issubclass(view_class, ListPage) and "<" not in str(entry.pattern):
                yield "/" + prefix + str(entry.pattern)


LIST_URLS = sorted(set(_list_urls()))


def test_the_list_pages_are_found():
    assert {"/hazards/", "/enterprises/", "/organisations/", "/accidents/", "/users/"} <= set(
        LIST_URLS
    )
    assert "/inspections/" in LIST_URLS


def _export_query(html: str) -> dict[str, list[str]]:
    href = re.search(r'href="([^"]*)"[^>]*data-testid="export-xlsx"', html).group(1)
    return parse_qs(urlsplit(unescape(href)).query)


@pytest.mark.parametrize("url", LIST_URLS)
def test_a_filter_swaps_the_export_link_with_the_table(world, client, url):
    client.force_login(world.bureau)
    query = {"sort": "-pk", "probe": "消防 学院南路", "page": "2"}
    response = client.get(url, query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-page")
    assert response.status_code == 200
    html = response.content.decode()
    swapped = html[html.index('id="list-page"') :]
    # the export link is inside the swapped part and carries exactly the filters
    assert _export_query(swapped) == {
        "sort": ["-pk"],
        "probe": ["消防 学院南路"],
        "export": ["xlsx"],
    }
    assert 'id="list-table"' in swapped
    if 'class="card card-body mb-3 list-filters"' in html:
        assert swapped.index("list-filters") < swapped.index('id="list-table"')
    # one URL, two answers (page or table): caches keep them apart
    assert {"HX-Request", "HX-Target"} <= {v.strip() for v in response.get("Vary", "").split(",")}


def test_paging_and_sorting_links_keep_the_filters(world, client, settings):
    from tests.core.test_list_pattern import _add_enterprises

    settings.ANJIAN_PAGE_SIZE = 5
    _add_enterprises(12, 0)
    client.force_login(world.bureau)
    html = client.get("/organisations/", {"kind": "enterprise", "q": "批量"}).content.decode()
    table = html[html.index('id="list-table"') :]
    links = [unescape(h) for h in re.findall(r'href="(\?[^"]*)"', table)]
    assert links, "no paging or sorting links"
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert query["kind"] == ["enterprise"] and query["q"] == ["批量"], link
