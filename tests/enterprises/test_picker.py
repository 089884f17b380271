"""The enterprise picker: the search offers only the user's scope, for every role, and
the fields refuse an enterprise outside it."""

import re

import pytest

from anjian.enterprises.models import Enterprise
from anjian.enterprises.widgets import (
    SUGGESTIONS,
    EnterpriseField,
    EnterpriseMultipleField,
    UnitField,
)
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

ALL = {"宏达建筑公司", "永兴化工公司", "友谊商场公司", "路北建筑公司"}


def suggested(client, user, text, field="q"):
    client.force_login(user)
    response = client.get("/enterprises/search/", {"_field": field, field: text})
    assert response.status_code == 200
    return set(re.findall(r'data-pick-name="([^"]+)"', response.content.decode()))


def test_search_offers_only_the_users_scope_for_every_role(world, client):
    expected = {
        world.bureau: {"宏达建筑公司", "永兴化工公司", "友谊商场公司"},
        world.leader: {"宏达建筑公司", "永兴化工公司", "友谊商场公司"},
        world.township: {"宏达建筑公司", "永兴化工公司"},
        world.other_township: {"友谊商场公司"},
        world.zhujian: {"宏达建筑公司"},  # 房屋建筑业 only, among its industries
        world.grid_worker: {"宏达建筑公司"},
        world.enterprise_user: {"宏达建筑公司"},
        world.expert: set(),
        world.other_district_bureau: {"路北建筑公司"},
    }
    for user, names in expected.items():
        assert suggested(client, user, "公司") == names, user.username
        # typing an outside name exactly gives no suggestion either
        for outside in ALL - names:
            assert suggested(client, user, outside) == set(), (user.username, outside)


def test_search_by_credit_code_and_the_edges(world, client):
    code = world.building_co.credit_code
    assert suggested(client, world.township, code[:17].lower()) == {"宏达建筑公司"}
    assert suggested(client, world.township, "") == set()
    # a NUL character is refused for every request in one place (core.middleware)
    client.force_login(world.township)
    assert client.get("/enterprises/search/", {"q": "宏达\x00"}).status_code == 400
    assert suggested(client, world.township, "宏达" * 200) == set()
    # the field name the widget sends decides which parameter holds the text
    assert suggested(client, world.township, "永兴", field="enterprise_q") == {"永兴化工公司"}
    for number in range(SUGGESTIONS + 5):
        org = EnterpriseFactory(name=f"学院南路商户{number:02d}", region=world.building_co.region)
        Enterprise.objects.create(organisation=org)
    assert len(suggested(client, world.township, "学院南路商户")) == SUGGESTIONS
    page = client.get("/enterprises/search/", {"q": "不存在的企业"}).content.decode()
    assert "没有匹配的企业" in page


def test_fields_refuse_an_enterprise_outside_the_scope(world):
    field = EnterpriseField()
    field.limit_to(world.township)
    assert field.clean(str(world.building_co.pk)).pk == world.building_co.pk
    for outside in (world.youyi_co.pk, world.lubei_co.pk, 987654321, "abc"):
        with pytest.raises(Exception, match="请从搜索结果中选择"):
            field.clean(str(outside))
    many = EnterpriseMultipleField()
    many.limit_to(world.township)
    assert {e.pk for e in many.clean([world.building_co.pk, world.chemical_co.pk])} == {
        world.building_co.pk,
        world.chemical_co.pk,
    }
    with pytest.raises(Exception, match="请从搜索结果中选择"):
        many.clean([world.building_co.pk, world.lubei_co.pk])


def test_unit_field_links_a_picked_or_exactly_named_register_entry(world):
    field = UnitField()
    field.limit_to(world.township)
    picked = field.clean({"id": str(world.chemical_co.pk), "text": "永兴化工公司"})
    assert picked.enterprise.pk == world.chemical_co.pk and picked.name == "永兴化工公司"
    named = field.clean({"id": "", "text": " 宏达建筑公司 "})
    assert named.enterprise.pk == world.building_co.pk
    # edited after picking: the typed name wins, and is not in the register
    edited = field.clean({"id": str(world.chemical_co.pk), "text": "永兴化工二厂"})
    assert edited.enterprise is None and edited.name == "永兴化工二厂"
    # a register name outside the scope stays plain text, linked to nothing
    for outside in (
        {"id": "", "text": "路北建筑公司"},
        {"id": str(world.lubei_co.pk), "text": "路北建筑公司"},
    ):
        unit = field.clean(outside)
        assert unit.enterprise is None and unit.name == "路北建筑公司"
    assert field.clean({"id": "", "text": "个体运输户王某"}).enterprise is None
    with pytest.raises(Exception, match="请填写事故单位"):
        field.clean({"id": "", "text": "  "})


def test_search_costs_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    """Session, user, scope and notifications, then one query for the suggestions."""
    for number in range(SUGGESTIONS):
        org = EnterpriseFactory(name=f"学院南路商户{number:02d}", region=world.building_co.region)
        Enterprise.objects.create(organisation=org)
    client.force_login(world.township)
    with django_assert_max_num_queries(8):
        response = client.get("/enterprises/search/", {"q": "学院南路商户"})
    assert response.content.decode().count("data-pick-id") == SUGGESTIONS
