"""The list page pattern: sort, pagination, export, and a query count independent of rows."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from anjian.orgs.models import Industry
from anjian.regions.models import Region
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_enterprises(n, start):
    region = Region.objects.get(code="130202003")
    industry = Industry.objects.get(code="47")
    for i in range(n):
        EnterpriseFactory(name=f"批量企业{start + i}", region=region, industry=industry)


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/",
        "/organisations/?kind=enterprise&sort=-name",
        "/api/v1/organisations?page_size=100",
    ],
)
def test_query_count_is_constant_whatever_the_number_of_rows(world, client, url):
    client.force_login(world.bureau)
    _queries(client, url)  # warm caches (content types, session)
    few = _queries(client, url)
    _add_enterprises(40, 0)
    many = _queries(client, url)
    assert many == few, (few, many)


def test_sort_and_pagination(world, client, settings):
    settings.ANJIAN_PAGE_SIZE = 5
    _add_enterprises(12, 0)
    client.force_login(world.bureau)
    page = client.get("/organisations/?kind=enterprise&sort=name").content.decode()
    assert "共 15 条，第 1/3 页" in page
    last = client.get("/organisations/?kind=enterprise&sort=name&page=3").content.decode()
    assert "第 3/3 页" in last
    unknown_sort = client.get("/organisations/?sort=password").status_code
    assert unknown_sort == 200  # ignored, default order used


def test_export_has_every_filtered_row_not_just_the_page(world, client, settings):
    settings.ANJIAN_PAGE_SIZE = 5
    _add_enterprises(12, 0)
    client.force_login(world.bureau)
    response = client.get("/organisations/?kind=enterprise&export=xlsx&page=2")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "单位名称"
    assert len(rows) == 1 + 15
    assert all(r[1] == "生产经营单位" for r in rows[1:])


def test_invalid_filter_shows_an_error_and_no_rows(world, client):
    client.force_login(world.bureau)
    page = client.get("/organisations/?industry=ZZ").content.decode()
    assert "没有符合条件的记录" in page and "is-invalid" in page


def test_htmx_table_refresh_returns_only_the_table(world, client):
    client.force_login(world.bureau)
    response = client.get(
        "/organisations/?q=宏达", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-table"
    )
    text = response.content.decode()
    assert "宏达建筑公司" in text and "<html" not in text and "友谊商场公司" not in text


def test_an_export_too_large_is_refused_not_truncated(world, client, monkeypatch):
    import anjian.core.listing as listing

    monkeypatch.setattr(listing, "MAX_EXPORT_ROWS", 3)
    _add_enterprises(5, 100)
    client.force_login(world.bureau)
    response = client.get("/organisations/?kind=enterprise&export=xlsx")
    assert response.status_code == 302 and "export" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "请先用筛选条件缩小范围" in page


def test_times_in_lists_are_shown_in_one_numeric_form(world, client):
    # A bare datetime cell was rendered as "Dec. 2, 2026, 6:14 a.m." on the user list.
    import datetime as dt

    from django.utils import timezone

    from anjian.orgs.models import User

    moment = timezone.make_aware(dt.datetime(2026, 12, 2, 6, 14))
    User.objects.filter(pk=world.township.pk).update(last_login=moment)
    client.force_login(world.bureau)
    page = client.get("/users/").content.decode()
    assert "2026-12-02 06:14" in page
    assert "a.m." not in page and "p.m." not in page
