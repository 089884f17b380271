"""Scoping: who sees which organisations, in pages, exports, API and selectors."""

import pytest

from anjian.core.access import NO_SCOPE, Scope, ScopePaths, scope_for, scoped
from anjian.orgs.models import Organisation
from anjian.orgs.selectors import organisations_for
from tests.factories import UserFactory
from tests.scoping import Endpoints, assert_scope, assert_selector_scope

ORG_ENDPOINTS = Endpoints(
    list_url="/organisations/",
    detail_url="/organisations/{id}/",
    export_url="/organisations/?export=xlsx",
    api_list_url="/api/v1/organisations?page_size=500",
    api_detail_url="/api/v1/organisations/{id}",
)

pytestmark = pytest.mark.django_db


def test_scope_per_role(world):
    assert scope_for(world.bureau) == Scope(region_prefix="130202")
    assert scope_for(world.leader) == Scope(region_prefix="130202")
    assert scope_for(world.township) == Scope(region_prefix="130202001")
    zhujian = scope_for(world.zhujian)
    assert zhujian.region_prefix == "130202"
    assert zhujian.industry_codes == frozenset(
        {"45", "47", "48", "49", "50"}
    )  # E expands to its 大类
    assert scope_for(world.grid_worker) == Scope(region_prefix="130202001", grid_id=world.grid1.pk)
    assert scope_for(world.enterprise_user) == Scope(
        region_prefix="130202001", enterprise_id=world.building_co.pk
    )
    assert scope_for(world.expert) == NO_SCOPE


def test_user_without_organisation_or_inactive_sees_nothing(world):
    orphan = UserFactory(organisation=None, role="")
    assert not organisations_for(orphan).exists()
    world.bureau.is_active = False
    world.bureau._anjian_scope = None
    assert not organisations_for(world.bureau).exists()


def test_deactivated_organisation_sees_nothing(world):
    org = world.township.organisation
    Organisation.objects.filter(pk=org.pk).update(is_active=False)
    world.township.organisation.refresh_from_db()
    assert not organisations_for(world.township).exists()


def test_restriction_the_model_cannot_express_yields_nothing(world):
    """A department's industry filter on a model without industries fails closed."""

    class FakeQS:
        pass

    paths = ScopePaths(region="region__code")
    assert scope_for(world.zhujian).q(paths) is None
    assert scope_for(world.bureau).q(paths) is not None


def test_township_does_not_see_other_township(world):
    assert_scope(
        world.youyi_co,
        "友谊商场公司",
        ORG_ENDPOINTS,
        inside=[world.bureau, world.leader, world.other_township],
        outside=[
            world.township,
            world.grid_worker,
            world.enterprise_user,
            world.other_district_bureau,
            world.expert,
        ],
    )


def test_department_sees_only_its_industries(world):
    assert_scope(
        world.building_co,
        "宏达建筑公司",
        ORG_ENDPOINTS,
        inside=[
            world.zhujian,
            world.bureau,
            world.township,
            world.grid_worker,
            world.enterprise_user,
        ],
        outside=[world.other_district_bureau, world.other_township, world.expert],
    )
    assert_scope(
        world.chemical_co,
        "永兴化工公司",
        ORG_ENDPOINTS,
        inside=[world.bureau, world.township],
        outside=[world.zhujian, world.grid_worker, world.enterprise_user, world.other_township],
    )
    seen = set(organisations_for(world.zhujian).values_list("industry_id", flat=True))
    assert seen <= {"45", "47", "48", "49", "50"}


def test_other_district_record_is_invisible(world):
    assert_scope(
        world.lubei_co,
        "路北建筑公司",
        ORG_ENDPOINTS,
        inside=[world.other_district_bureau],
        outside=[world.bureau, world.leader, world.zhujian, world.township],
    )


def test_enterprise_user_sees_only_itself(world):
    visible = list(organisations_for(world.enterprise_user))
    assert visible == [world.building_co]


def test_selector_helper(world):
    assert_selector_scope(
        organisations_for,
        world.youyi_co,
        inside=[world.bureau],
        outside=[world.township, world.zhujian],
    )


def test_scoped_requires_declared_paths(world):
    from anjian.regions.models import Region

    with pytest.raises(TypeError):
        scoped(Region.objects.all(), world.bureau)


def test_filters_cannot_widen_the_scope(world, client):
    """A township user asking for another township's region gets nothing, not that township."""
    client.force_login(world.township)
    response = client.get("/organisations/", {"region": "130202002"})
    assert "友谊商场公司" not in response.content.decode()
    api = client.get("/api/v1/organisations", {"region": "130202002"}).json()
    assert api["count"] == 0
    api_other_district = client.get("/api/v1/organisations", {"region": "130203"}).json()
    assert api_other_district["count"] == 0
