"""The accident ledger (page, export, API) costs the same number of queries whatever
the number of accidents: no per-row query for the 迟报 mark or anything else."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from anjian.accidents import selectors
from anjian.accidents.models import Accident
from tests.accidents.conftest import figures, report

pytestmark = pytest.mark.django_db

URLS = [
    "/accidents/",
    "/accidents/?sort=-deaths&page_size=100",
    "/accidents/?concealment=&level=4&unit=宏达",
    "/accidents/?export=xlsx",
    "/api/v1/accidents?page_size=100",
    "/accidents/watch/",
]
#: Session, user, scope, the page's rows and count, the filter form's choices, the
#: navigation's counters, whatever the number of rows (8–12 today).
MAX_QUERIES = 15


def _accidents(world, n, start):
    """`n` accidents of the building company (学院南路街道, so the township sees them);
    every third reported late, so the 迟报 mark is on some rows and not on others, and
    every fifth 较大 (three deaths), which puts the company on the watch list again."""
    made = []
    for i in range(start, start + n):
        occurred = timezone.now() - timedelta(days=i + 1, hours=3)
        learnt = occurred + timedelta(minutes=10)
        late = i % 3 == 0
        made.append(
            report(
                world,
                occurred_at=occurred,
                learnt_at=learnt,
                received_at=learnt + timedelta(minutes=95 if late else 20),
                fig=figures(deaths=3 if i % 5 == 4 else 0, serious=1, loss=10_000),
            )
        )
    return made


def _queries(client, url):
    client.get(url)  # warm: content types, session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def test_ledger_query_count_is_constant_in_the_number_of_accidents(world, client):
    _accidents(world, 5, 0)
    users = {"bureau": world.bureau, "township": world.township}
    few = {}
    for who, user in users.items():
        client.force_login(user)
        for url in URLS:
            few[who, url] = _queries(client, url)
    _accidents(world, 35, 5)
    assert selectors.accidents_for(world.township).count() == 40
    for who, user in users.items():
        client.force_login(user)
        for url in URLS:
            many = _queries(client, url)
            assert many == few[who, url] <= MAX_QUERIES, (who, url, few[who, url], many)


def test_the_late_mark_without_a_query_per_row_says_what_the_steps_say(world, client):
    made = _accidents(world, 6, 0)
    unreceived = made[1]
    # a county step not received yet is late once its due time has passed
    unreceived.steps.filter(authority="县级").update(received_at=None)
    listed = {a.pk: a for a in selectors.accidents_for(world.bureau)}
    for accident in made:
        fresh = Accident.objects.get(pk=accident.pk)
        with CaptureQueriesContext(connection) as ctx:
            delay = listed[accident.pk].report_delay()
        assert not ctx.captured_queries
        expected = fresh.report_delay()
        if fresh.pk == unreceived.pk:  # grows with the clock: compare to the minute
            assert delay is not None and abs(delay - expected) < timedelta(minutes=1)
        else:
            assert delay == expected
    client.force_login(world.bureau)
    response = client.get("/accidents/?export=xlsx&sort=occurred_at")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    marks = [row[rows[0].index("报告情况")] for row in rows[1:]]
    oldest_first = sorted(made, key=lambda a: a.occurred_at)
    assert marks == [
        "迟报" if Accident.objects.get(pk=a.pk).report_delay() else None for a in oldest_first
    ]
    assert marks.count("迟报") == 3  # two late ones (i = 0, 3) and the unreceived one
    api = client.get("/api/v1/accidents?page_size=100").json()
    late = {item["id"] for item in api["items"] if item["late_report"]}
    assert late == {a.pk for a in made if Accident.objects.get(pk=a.pk).report_delay()}
