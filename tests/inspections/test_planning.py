"""Campaign coverage, plans and what is due, statistics, pages and scoping."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anjian.core.periods import Period
from anjian.hazards.models import HazardDomain
from anjian.inspections import services
from anjian.inspections.models import Inspection, InspectionPlan
from anjian.inspections.planning import (
    campaign_board,
    inspection_statistics,
    tasks_for,
    window_of,
)
from anjian.regions.models import Region
from tests.inspections.conftest import answers_for, submit
from tests.scoping import Endpoints, assert_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    today = timezone.localdate()
    return services.campaign_create(
        actor=world.bureau,
        data={
            "name": "岁末年初安全生产专项整治",
            "start": today - timedelta(days=10),
            "end": today + timedelta(days=60),
            "region": Region.objects.get(code="130202"),
            "industry_codes": "",
            "flag": "",
            "lead": world.bureau.organisation,
        },
        domains=[
            HazardDomain.objects.get(code="construction"),
            HazardDomain.objects.get(code="fire"),
        ],
        cooperating=[world.zhujian.organisation],
    )


def test_campaign_coverage_matches_the_inspections_done(world, checklist, campaign):
    board = campaign_board(world.bureau, campaign)
    assert (board["targets"], board["covered"], board["inspections"]) == (3, 0, 0)
    submit(world, checklist, campaign=campaign, answers=answers_for(checklist, fail=(0, 5)))
    submit(world, checklist, campaign=campaign)  # the same enterprise again
    submit(world, checklist)  # not part of the campaign
    board = campaign_board(world.bureau, campaign)
    assert (board["targets"], board["covered"], board["inspections"]) == (3, 1, 2)
    assert board["coverage"] == 33.3 and board["hazards"] == 2 and board["hazards_closed"] == 0
    rows = {r["code"]: r for r in board["by_township"]}
    assert rows["130202001"]["targets"] == 2 and rows["130202001"]["covered"] == 1
    assert rows["130202002"]["covered"] == 0
    assert {e.organisation.name for e in board["not_covered"]} == {"永兴化工公司", "友谊商场公司"}
    from anjian.hazards.models import Hazard

    assert set(Hazard.objects.values_list("source", flat=True)) == {"campaign"}
    # the township sees its own part of the board only
    mine = campaign_board(world.township, campaign)
    assert (mine["targets"], mine["covered"]) == (2, 1)


def test_campaign_targets_by_industry_and_flag(world, campaign):
    campaign.industry_codes = "26"
    campaign.save()
    assert campaign_board(world.bureau, campaign)["targets"] == 1  # the chemical company
    with pytest.raises(ValidationError):
        services.campaign_create(
            actor=world.bureau,
            data={
                "name": "x",
                "start": date(2026, 2, 1),
                "end": date(2026, 1, 1),
                "region": Region.objects.get(code="130203"),
                "lead": world.bureau.organisation,
            },
            domains=[],
        )


def test_plan_windows_and_due_list(world, checklist):
    plan = services.plan_create(
        actor=world.township,
        data={
            "name": "建筑工地季度检查",
            "inspector": world.township,
            "template": checklist,
            "kind": "township",
            "frequency": InspectionPlan.Frequency.QUARTERLY,
            "start": date(2026, 1, 1),
        },
        enterprises=[world.building_co.enterprise, world.chemical_co.enterprise],
    )
    assert window_of(plan, date(2026, 5, 20)) == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert window_of(plan, date(2025, 12, 31)) is None
    tasks = tasks_for(world.township)
    assert len(tasks) == 2 and not any(t.done for t in tasks)
    assert all(t.overdue for t in tasks)  # nobody inspected them last quarter
    submit(world, checklist, plan=plan)
    done = {t.enterprise.pk: t.done for t in tasks_for(world.township)}
    assert done == {world.building_co.pk: True, world.chemical_co.pk: False}
    assert tasks_for(world.bureau) == []
    with pytest.raises(ValidationError):  # not the plan's inspector
        submit(world, checklist, plan=plan, actor=world.bureau, kind="department")


def test_statistics_count_what_was_done(world, checklist):
    submit(world, checklist, answers=answers_for(checklist, fail=(0,)))
    submit(world, checklist, actor=world.zhujian, kind="department")
    today = timezone.localdate()
    stats = inspection_statistics(world.bureau, Period(today, today))
    assert stats["inspections"] == 2 and stats["enterprises_covered"] == 1
    assert stats["enterprises_in_scope"] == 3 and stats["coverage"] == 33.3
    assert stats["hazards"] == 1 and stats["hazards_per_inspection"] == 0.5
    by_org = {r["label"]: r["inspections"] for r in stats["by_organisation"]}
    assert by_org == {"学院南路街道办事处": 1, "路南区住建局": 1}
    other = inspection_statistics(world.other_township, Period(today, today))
    assert other["inspections"] == 0


ENDPOINTS = Endpoints(
    list_url="/inspections/",
    detail_url="/inspections/{id}/",
    export_url="/inspections/?export=xlsx",
    api_list_url="/api/v1/inspections?page_size=100",
    api_detail_url="/api/v1/inspections/{id}",
)


def test_inspection_scope(world, checklist):
    inspection, _ = submit(world, checklist)
    assert_scope(
        inspection,
        "宏达建筑公司",
        ENDPOINTS,
        inside=[world.bureau, world.township, world.zhujian, world.enterprise_user],
        outside=[world.other_township, world.other_district_bureau, world.expert],
    )


def test_pages_render(world, checklist, campaign, client):
    inspection, _ = submit(world, checklist, campaign=campaign)
    for user in (world.bureau, world.township, world.zhujian, world.enterprise_user):
        client.force_login(user)
        for url in (
            "/inspections/",
            inspection.get_absolute_url(),
            "/inspections/checklists/",
            f"/inspections/checklists/{checklist.pk}/",
            "/inspections/campaigns/",
            "/inspections/plans/",
            "/inspections/statistics/",
            f"/inspections/points/{world.building_co.pk}/",
        ):
            assert client.get(url).status_code == 200, (user.username, url)
    client.force_login(world.bureau)
    assert "岁末年初" in client.get(campaign.get_absolute_url()).content.decode()
    client.force_login(world.other_district_bureau)
    assert client.get(campaign.get_absolute_url()).status_code == 404


def test_checklist_revision_page(world, checklist, client):
    client.force_login(world.bureau)
    page = client.get(f"/inspections/checklists/{checklist.pk}/edit/").content.decode()
    assert "## 施工安全管理" in page
    response = client.post(
        f"/inspections/checklists/{checklist.pk}/edit/",
        {"name": checklist.name, "content": "## 现场\n临边防护是否到位 | 现场查看 | JGJ 80 | 重大"},
    )
    assert response.status_code == 302
    new = checklist.__class__.objects.get(family=checklist.family, is_current=True)
    assert new.version == 2 and new.items().get().major
    bad = client.post(
        f"/inspections/checklists/{new.pk}/edit/", {"name": "x", "content": "没有分组"}
    )
    assert bad.status_code == 200 and "请先写分组" in bad.content.decode()
    assert checklist.__class__.objects.filter(family=checklist.family).count() == 2


def test_phone_page_json_submission_is_idempotent(world, checklist, client):
    client.force_login(world.township)
    url = f"/inspections/new/?enterprise={world.building_co.pk}&template={checklist.pk}"
    page = client.get(url)
    assert page.status_code == 200
    client_id = page.context["form"].initial["client_id"]
    data = {
        "client_id": str(client_id),
        "kind": "township",
        "place": "工地",
        "signed_by": "检查员甲",
        **{f"result_{i.pk}": "pass" for i in checklist.items()},
    }
    first_item = checklist.items().first()
    data[f"result_{first_item.pk}"] = "fail"
    missing_note = client.post(url, data, HTTP_ACCEPT="application/json")
    assert missing_note.status_code == 400
    assert f"note_{first_item.pk}" in missing_note.json()["errors"]
    data[f"note_{first_item.pk}"] = "无许可证"
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    again = client.post(url, data, HTTP_ACCEPT="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["url"] == again.json()["url"]
    assert Inspection.objects.count() == 1


def test_api_submit_is_idempotent_and_scoped(world, checklist, client):
    import uuid

    client.force_login(world.township)
    items = list(checklist.items())
    payload = {
        "client_id": str(uuid.uuid4()),
        "enterprise_id": world.building_co.pk,
        "template_id": checklist.pk,
        "kind": "township",
        "place": "工地",
        "signed_by": "检查员甲",
        "answers": [
            {
                "item_id": i.pk,
                "result": "fail" if n < 3 else "pass",
                "note": "问题" if n < 3 else "",
            }
            for n, i in enumerate(items)
        ],
    }
    first = client.post("/api/v1/inspections", payload, content_type="application/json")
    assert first.status_code == 201, first.json()
    assert sum(1 for a in first.json()["answers"] if a["hazard_id"]) == 3
    again = client.post("/api/v1/inspections", payload, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    from anjian.hazards.models import Hazard

    assert Hazard.objects.count() == 3
    bad = client.post(
        "/api/v1/inspections",
        {**payload, "client_id": str(uuid.uuid4()), "answers": payload["answers"][:2]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "answers"
    assert Inspection.objects.count() == 1
    client.force_login(world.other_township)
    outside = client.post(
        "/api/v1/inspections",
        {**payload, "client_id": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert outside.status_code == 404
    detail = client.get(f"/api/v1/inspections/checklists/{checklist.pk}").json()
    assert len(detail["sections"]) == 2


def test_api_campaigns_plans_points(world, checklist, client):
    client.force_login(world.bureau)
    today = timezone.localdate()
    campaign = client.post(
        "/api/v1/inspections/campaigns",
        {
            "name": "汛期专项",
            "start": str(today),
            "end": str(today + timedelta(days=30)),
            "region_code": "130202",
            "domain_codes": ["fire"],
            "lead_id": world.bureau.organisation_id,
        },
        content_type="application/json",
    )
    assert campaign.status_code == 201, campaign.json()
    bad = client.post(
        "/api/v1/inspections/campaigns",
        {
            "name": "x",
            "start": str(today),
            "end": str(today),
            "region_code": "130203",
            "domain_codes": ["nope"],
            "lead_id": world.bureau.organisation_id,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    client.force_login(world.township)
    plan = client.post(
        "/api/v1/inspections/plans",
        {
            "name": "月度检查",
            "inspector_id": world.township.pk,
            "template_id": checklist.pk,
            "kind": "township",
            "frequency": "monthly",
            "start": str(today.replace(day=1)),
            "enterprise_ids": [world.building_co.pk],
        },
        content_type="application/json",
    )
    assert plan.status_code == 201, plan.json()
    outside = client.post(
        "/api/v1/inspections/plans",
        {
            "name": "x",
            "inspector_id": world.township.pk,
            "template_id": checklist.pk,
            "kind": "township",
            "frequency": "monthly",
            "start": str(today),
            "enterprise_ids": [world.youyi_co.pk],
        },
        content_type="application/json",
    )
    assert outside.status_code == 400 and InspectionPlan.objects.count() == 1
    tasks = client.get("/api/v1/inspections/tasks/mine").json()
    assert [t["enterprise_id"] for t in tasks] == [world.building_co.pk]
    point = client.post(
        "/api/v1/inspections/points",
        {
            "enterprise_id": world.building_co.pk,
            "name": "塔吊",
            "template_id": checklist.pk,
            "latitude": 39.6,
            "longitude": 118.18,
        },
        content_type="application/json",
    )
    assert point.status_code == 201
    client.force_login(world.other_township)
    assert client.get("/api/v1/inspections/points/list").json() == []


def test_a_new_checklist_from_the_page(world, client):
    from anjian.inspections.models import ChecklistTemplate

    client.force_login(world.enterprise_user)
    assert client.get("/inspections/checklists/new/").status_code == 403
    client.force_login(world.bureau)
    response = client.post(
        "/inspections/checklists/new/",
        {
            "name": "燃气用户检查表",
            "domain": "gas",
            "content": "## 用气场所\n是否安装可燃气体报警装置 | 现场查看 | GB 50028 | 重大\n软管是否老化",
        },
    )
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(name="燃气用户检查表")
    assert [i.major for i in template.items()] == [True, False]
    again = client.post(
        "/inspections/checklists/new/",
        {"name": "燃气用户检查表", "domain": "gas", "content": "## a\nb"},
    )
    assert again.status_code == 200 and "已有同名检查表" in again.content.decode()


def test_inspection_list_filters(world, checklist, client):
    submit(world, checklist, answers=answers_for(checklist, fail=(0,)))
    submit(world, checklist, actor=world.zhujian, kind="department")
    client.force_login(world.bureau)
    assert "共 2 条" in client.get("/inspections/").content.decode()
    assert "共 1 条" in client.get("/inspections/", {"failed": "on"}).content.decode()
    assert "共 1 条" in client.get("/inspections/", {"kind": "department"}).content.decode()
    none = client.get("/inspections/", {"enterprise": "永兴化工"}).content.decode()
    assert "共 0 条" in none or "暂无" in none
    bad = client.get("/inspections/", {"finished_from": "2026-02-01", "finished_to": "2026-01-01"})
    assert bad.status_code == 200 and "结束日期不能早于开始日期" in bad.content.decode()


def test_lead_and_participants_are_government_side(world, checklist):
    from anjian.orgs.models import Organisation

    lubei = Organisation.objects.get(name="路北区应急管理局")
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(
            actor=world.bureau,
            data={
                "name": "x",
                "start": date(2026, 1, 1),
                "end": date(2026, 2, 1),
                "region": Region.objects.get(code="130202"),
                "lead": lubei,
            },
            domains=[HazardDomain.objects.get(code="fire")],
        )
    assert "lead" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        submit(world, checklist, actor=world.bureau, kind="joint", participants=[world.building_co])
    assert "participants" in exc.value.message_dict and not Inspection.objects.exists()
