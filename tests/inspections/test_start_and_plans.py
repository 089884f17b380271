"""Starting an inspection without an enterprise (the picker), the plan form's enterprise
picker and filter, and 检查计划 in the navigation."""

import pytest

from anjian.inspections.models import InspectionPlan

pytestmark = pytest.mark.django_db


def test_new_inspection_without_an_enterprise_offers_the_picker(world, client):
    client.force_login(world.township)
    response = client.get("/inspections/new/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "被检查单位" in page and "/enterprises/search/" in page and 'name="enterprise"' in page
    # the picked enterprise leads on to the checklist choice; outside the scope is 404
    chosen = client.get(f"/inspections/new/?enterprise={world.building_co.pk}")
    assert "选择检查表：宏达建筑公司" in chosen.content.decode()
    assert client.get(f"/inspections/new/?enterprise={world.lubei_co.pk}").status_code == 404
    assert client.get("/inspections/new/?enterprise=abc").status_code == 404
    client.force_login(world.leader)  # leaders do not inspect
    assert client.get("/inspections/new/").status_code == 403


def test_list_and_tasks_offer_a_new_inspection(world, client):
    client.force_login(world.township)
    assert 'href="/inspections/new/"' in client.get("/inspections/").content.decode()
    tasks = client.get("/inspections/tasks/").content.decode()
    assert 'data-testid="start-form"' in tasks and "/enterprises/search/" in tasks
    client.force_login(world.leader)
    assert 'href="/inspections/new/"' not in client.get("/inspections/").content.decode()


def test_plans_in_the_navigation(world, client):
    for user, shown in (
        (world.township, True),
        (world.bureau, True),
        (world.enterprise_user, False),
        (world.grid_worker, False),
    ):
        client.force_login(user)
        page = client.get("/").content.decode()
        assert ('href="/inspections/plans/"' in page) is shown, user.username


def _plan(checklist, world, **extra):
    data = {
        "name": "燃气企业季度检查",
        "inspector": world.township.pk,
        "template": checklist.pk,
        "kind": "township",
        "frequency": InspectionPlan.Frequency.QUARTERLY,
        "start": "2026-01-01",
    }
    data.update(extra)
    return data


def test_plan_enterprises_are_picked_by_name(world, checklist, client):
    client.force_login(world.township)
    page = client.get("/inspections/plans/new/").content.decode()
    assert "/enterprises/search/" in page and "每行一个" not in page
    response = client.post(
        "/inspections/plans/new/",
        _plan(checklist, world, enterprises=[world.building_co.pk, world.chemical_co.pk]),
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert set(plan.enterprises.values_list("pk", flat=True)) == {
        world.building_co.pk,
        world.chemical_co.pk,
    }


def test_plan_refuses_an_enterprise_outside_the_scope_and_writes_nothing(world, checklist, client):
    client.force_login(world.township)
    for outside in (world.youyi_co.pk, world.lubei_co.pk):
        response = client.post(
            "/inspections/plans/new/",
            _plan(checklist, world, enterprises=[world.building_co.pk, outside]),
        )
        page = response.content.decode()
        assert response.status_code == 200 and "请从搜索结果中选择" in page
        assert "友谊商场公司" not in page and "路北建筑公司" not in page
    response = client.post("/inspections/plans/new/", _plan(checklist, world))
    assert "请选择检查对象" in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_plan_adds_every_enterprise_matching_a_filter(world, checklist, client):
    client.force_login(world.township)
    response = client.post(
        "/inspections/plans/new/",
        _plan(checklist, world, add_matching="on", filter_region="130202001", filter_industry="47"),
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert list(plan.enterprises.values_list("pk", flat=True)) == [world.building_co.pk]
    # the whole section E, in the user's scope only
    client.force_login(world.bureau)
    client.post(
        "/inspections/plans/new/",
        _plan(
            checklist,
            world,
            name="建筑业",
            inspector=world.bureau.pk,
            kind="department",
            add_matching="on",
            filter_region="130202",
            filter_industry="E",
        ),
    )
    plan = InspectionPlan.objects.get(name="建筑业")
    assert list(plan.enterprises.values_list("pk", flat=True)) == [world.building_co.pk]
    # a filter outside the scope matches nothing and writes nothing
    client.force_login(world.township)
    response = client.post(
        "/inspections/plans/new/",
        _plan(checklist, world, name="越界", add_matching="on", filter_region="130203001"),
    )
    assert response.status_code == 200
    assert not InspectionPlan.objects.filter(name="越界").exists()
    # unticked, the filter adds nothing (the region picker always posts the scope's root)
    response = client.post(
        "/inspections/plans/new/",
        _plan(checklist, world, name="未勾选", filter_region="130202001"),
    )
    assert "请选择检查对象" in response.content.decode()


def test_next_without_picking_says_so(world, client):
    client.force_login(world.township)
    response = client.get("/inspections/new/", {"enterprise": "", "enterprise_q": "宏达"})
    assert response.status_code == 200 and "请选择企业" in response.content.decode()
