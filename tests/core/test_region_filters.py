"""A region filter never reaches outside the caller's scope, on any endpoint.

The endpoints are found, not listed: every API operation with a region-like query
parameter (from the OpenAPI schema) and every page form with a region field, so a
new module's endpoint is covered as soon as it exists. Records in the sibling
township and in the other district would show in every count if a filter leaked.
"""

from datetime import date

import pytest
from django.http import Http404
from django.utils import timezone

from anjian.accidents import services as accident_services
from anjian.core.access import NO_SCOPE, NOWHERE, Scope, listed_region, scoped_region
from anjian.hazards import services as hazard_services
from anjian.regions.models import Region
from tests.accidents.conftest import figures, report_data
from tests.hazards.conftest import hazard_data
from tests.scoping import assert_region_filters_within_scope

pytestmark = pytest.mark.django_db

#: Names and codes that only records outside the scope of the user would bring.
SIBLING = ("友谊", "130202002")
OTHER_DISTRICT = ("路北", "130203")


@pytest.fixture
def spread(world):
    """A hazard and an accident at each enterprise of both districts, and control
    targets for both districts."""
    year = timezone.localdate().year
    for actor, org in (
        (world.bureau, world.building_co),
        (world.bureau, world.chemical_co),
        (world.bureau, world.youyi_co),
        (world.other_district_bureau, world.lubei_co),
    ):
        hazard_services.hazard_register(
            actor=actor, enterprise=org.enterprise, data=hazard_data(place=org.name)
        )
        accident_services.accident_report(
            actor=actor,
            enterprise=org.enterprise,
            data=report_data(),
            figures=figures(deaths=1),
        )
    for actor, code in ((world.bureau, "130202"), (world.other_district_bureau, "130203")):
        accident_services.target_set(
            actor=actor,
            region=Region.objects.get(code=code),
            year=year,
            values={"death_target": 10},
        )
    return year


API = {
    "/api/v1/hazards",
    "/api/v1/hazards/statistics/summary",
    "/api/v1/accidents",
    "/api/v1/accidents/statistics/summary",
    "/api/v1/accidents/statistics/target",
    "/api/v1/enterprises",
    "/api/v1/organisations",
}
PAGES = {
    "/hazards/",
    "/hazards/?export=xlsx",
    "/hazards/statistics/",
    "/accidents/",
    "/accidents/statistics/",
    "/accidents/statistics/monthly.xlsx",
    "/enterprises/",
    "/enterprises/?export=xlsx",
    "/organisations/",
}


def test_township_sees_nothing_of_the_district_beyond_its_township(world, spread):
    checked = assert_region_filters_within_scope(
        world.township,
        own="130202001",
        wider=("130202", "1302", "13"),
        outside=("130202002", "130203", "130203001"),
        markers=(*SIBLING, *OTHER_DISTRICT),
        year=spread,
    )
    assert set(checked) >= API | PAGES, sorted(API | PAGES - set(checked))


def test_department_sees_nothing_beyond_its_district_and_industries(world, spread):
    checked = assert_region_filters_within_scope(
        world.zhujian,
        own="130202",
        wider=("1302", "13"),
        outside=("130203", "130203001"),
        markers=(*OTHER_DISTRICT, "友谊商场", "永兴化工"),
        year=spread,
    )
    assert set(checked) >= API


def test_enterprise_sees_nothing_but_its_own(world, spread):
    checked = assert_region_filters_within_scope(
        world.enterprise_user,
        own="130202001",
        wider=("130202", "13"),
        outside=("130202002", "130203"),
        markers=(*SIBLING, *OTHER_DISTRICT, "永兴化工"),
        year=spread,
    )
    assert set(checked) >= API


def test_grid_worker_sees_nothing_beyond_its_grid(world, spread):
    assert_region_filters_within_scope(
        world.grid_worker,
        own="130202001",
        wider=("130202", "13"),
        outside=("130202002", "130203"),
        markers=(*SIBLING, *OTHER_DISTRICT, "永兴化工"),
        year=spread,
    )


def test_bureau_narrows_to_any_township_of_its_district(world, spread, client):
    """The intersection narrows; it does not refuse a region inside the scope."""
    client.force_login(world.bureau)
    answer = client.get(
        "/api/v1/hazards/statistics/summary",
        {"start": f"{spread}-01-01", "end": f"{spread}-12-31", "region": "130202002"},
    )
    assert answer.status_code == 200 and answer.json()["totals"]["found"] == 1
    listed = client.get("/api/v1/hazards", {"region": "130203"})
    assert listed.status_code == 200 and listed.json()["count"] == 0


@pytest.mark.parametrize(
    ("scope", "asked", "means"),
    [
        (Scope(region_prefix="130202001"), "130202001", "130202001"),
        (Scope(region_prefix="130202001"), "130202001001", "130202001001"),
        (Scope(region_prefix="130202001"), "130202", "130202001"),  # ancestor: own
        (Scope(region_prefix="130202001"), "13", "130202001"),
        (Scope(region_prefix="130202001"), "130202002", None),  # sibling
        (Scope(region_prefix="130202001"), "130203", None),  # another district
        (Scope(region_prefix="130202", industry_codes=frozenset({"E"})), "13", "130202"),
        (Scope(everything=True), "130203", "130203"),
        (NO_SCOPE, "130202", None),
    ],
)
def test_a_region_filter_narrows_to_the_scope_or_names_nothing(scope, asked, means):
    assert scope.narrow_region(asked) == means


@pytest.mark.parametrize("code", ["139999", "130202002", "130203", "abc", "13\x00", "1" * 40])
def test_a_region_outside_the_scope_answers_like_an_unknown_one(world, code):
    with pytest.raises(Http404):
        scoped_region(world.township, code)
    assert listed_region(world.township, code) == NOWHERE


def test_no_region_is_the_whole_scope_and_an_ancestor_the_users_own(world):
    assert scoped_region(world.township, None) is None
    assert scoped_region(world.township, "") is None
    assert scoped_region(world.township, "13") == "130202001"
    assert scoped_region(world.bureau, "130202002") == "130202002"


def test_the_unscoped_rollup_is_read_only_for_a_region_inside_the_scope(world, spread):
    """Even a caller that skipped `scoped_region` cannot read the rollup for a region
    outside a region-wide scope: the hazard counts then come from scoped rows only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anjian.core.periods import Period
    from anjian.hazards.statistics import _grouped_rows

    year = Period(date(spread, 1, 1), date(spread, 12, 31))
    with CaptureQueriesContext(connection) as inside:
        _grouped_rows(world.bureau, year, "130202", 9)
    assert any("hazardmonth" in q["sql"] for q in inside.captured_queries)
    with CaptureQueriesContext(connection) as outside:
        rows = _grouped_rows(world.bureau, year, "130203", 9)
    assert not any("hazardmonth" in q["sql"] for q in outside.captured_queries)
    assert sum(r.get("found") or 0 for r in rows) == 0
