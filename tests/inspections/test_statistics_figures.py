"""检查统计 and 我的检查任务 count planned inspections the same way; the enterprises' own
inspections stand apart from the government's; region rows say 全区 and 本级 rightly."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from anjian.core.periods import Period
from anjian.enterprises.models import Enterprise
from anjian.hazards.models import HazardDomain
from anjian.inspections import services
from anjian.inspections.models import InspectionPlan
from anjian.inspections.planning import (
    campaign_board,
    inspection_statistics,
    planned_summary,
    tasks_for,
)
from anjian.orgs.models import Industry
from anjian.regions.models import Region
from tests.factories import EnterpriseFactory
from tests.inspections.conftest import answers_for, submit

pytestmark = pytest.mark.django_db


def quarter_of(day: date) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    after = date(day.year + 1, 1, 1) if first.month == 10 else date(day.year, first.month + 3, 1)
    return Period(first, after - timedelta(days=1))


def quarterly_plan(world, checklist, *, start, inspector=None, enterprises=None):
    inspector = inspector or world.township
    return services.plan_create(
        actor=inspector,
        data={
            "name": "企业季度检查",
            "inspector": inspector,
            "template": checklist,
            "kind": "township",
            "frequency": InspectionPlan.Frequency.QUARTERLY,
            "start": start,
        },
        enterprises=enterprises or [world.building_co.enterprise, world.chemical_co.enterprise],
    )


def test_planned_figures_equal_the_task_list_for_the_same_user_and_quarter(
    world, checklist, client
):
    today = timezone.localdate()
    quarter = quarter_of(today)
    plan = quarterly_plan(world, checklist, start=date(today.year, 1, 1))
    submit(world, checklist, plan=plan)  # the building company, this quarter

    tasks = planned_summary(tasks_for(world.township))
    assert tasks == {"due": 2, "done": 1}
    stats = inspection_statistics(world.township, quarter)["planned"]
    assert stats == tasks
    # the year so far: every quarter begun so far is due, the one done is counted
    year = inspection_statistics(world.township, Period(date(today.year, 1, 1), today))
    assert year["planned"] == {"due": 2 * ((today.month - 1) // 3 + 1), "done": 1}
    # a period before the plan began has nothing due
    before = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    assert inspection_statistics(world.township, before)["planned"] == {"due": 0, "done": 0}

    client.force_login(world.township)
    page = client.get("/inspections/tasks/").content.decode()
    assert 'data-testid="planned">1 / 2<' in page
    page = client.get(
        "/inspections/statistics/", {"start": quarter.start, "end": quarter.end}
    ).content.decode()
    assert 'data-testid="planned">1 / 2<' in page


def test_a_bureau_plan_counts_the_same_on_both_screens(world, checklist):
    plan = quarterly_plan(
        world,
        checklist,
        start=quarter_of(timezone.localdate()).start,
        inspector=world.bureau,
        enterprises=[world.building_co.enterprise, world.youyi_co.enterprise],
    )
    submit(world, checklist, plan=plan, actor=world.bureau, kind="department")
    quarter = quarter_of(timezone.localdate())
    assert planned_summary(tasks_for(world.bureau)) == {"due": 2, "done": 1}
    assert inspection_statistics(world.bureau, quarter)["planned"] == {"due": 2, "done": 1}
    # a plan of the district is not counted in a township's figures (plans are scoped)
    assert inspection_statistics(world.other_township, quarter)["planned"]["due"] == 0


def test_self_inspections_are_not_counted_beside_government_inspections(world, checklist, client):
    submit(world, checklist)  # 学院南路街道
    submit(world, checklist, actor=world.zhujian, kind="department")
    submit(world, checklist, actor=world.enterprise_user, kind="self")
    today = timezone.localdate()
    stats = inspection_statistics(world.bureau, Period(today, today))
    by_org = {r["label"]: r["inspections"] for r in stats["by_organisation"]}
    assert by_org == {"学院南路街道办事处": 1, "路南区住建局": 1}
    by_inspector = {r["label"] for r in stats["by_inspector"]}
    assert world.enterprise_user.full_name not in by_inspector
    assert stats["inspections"] == 2 and sum(r["inspections"] for r in stats["by_region"]) == 2
    assert stats["enterprises_covered"] == 1
    own = stats["enterprise_side"]
    assert (own["inspections"], own["enterprises"]) == (1, 1)
    assert [(r["label"], r["inspections"]) for r in own["by_kind"]] == [("企业自查", 1)]

    client.force_login(world.bureau)
    page = client.get("/inspections/statistics/").content.decode()
    assert 'data-testid="self-inspections">1<' in page
    assert 'data-testid="inspections">2<' in page


def test_region_rows_name_the_whole_district_and_its_own_level(world, checklist, client):
    district = Region.objects.get(code="130202")
    org = EnterpriseFactory(
        name="区直属企业", region=district, industry=Industry.objects.get(code="47")
    )
    at_district = Enterprise.objects.create(organisation=org, principal_name="负责人", employees=9)
    submit(world, checklist, actor=world.zhujian, kind="department")
    services.inspection_submit(
        actor=world.zhujian,
        enterprise=at_district,
        template=checklist,
        kind="department",
        client_id=uuid.uuid4(),
        place="区直属企业",
        signed_by="检查员乙",
        answers=answers_for(checklist),
    )
    today = timezone.localdate()
    stats = inspection_statistics(world.bureau, Period(today, today))
    assert stats["scope"] == "路南区（全区）"
    labels = {r["label"]: r["inspections"] for r in stats["by_region"]}
    assert labels == {"学院南路街道": 1, "路南区（本级）": 1}

    client.force_login(world.bureau)
    page = client.get("/inspections/statistics/").content.decode()
    assert 'data-testid="scope">路南区（全区）<' in page and "路南区（本级）" in page
    body = client.get(
        "/api/v1/inspections/statistics/summary", {"start": today, "end": today}
    ).json()
    assert body["scope"] == "路南区（全区）"
    assert {r["label"] for r in body["by_region"]} == {"学院南路街道", "路南区（本级）"}


def test_campaign_board_names_the_district_level_as_its_own(world, checklist):
    district = Region.objects.get(code="130202")
    org = EnterpriseFactory(
        name="区直属企业", region=district, industry=Industry.objects.get(code="47")
    )
    Enterprise.objects.create(organisation=org, principal_name="负责人", employees=9)
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=world.bureau,
        data={
            "name": "专项整治",
            "start": today - timedelta(days=1),
            "end": today + timedelta(days=30),
            "region": district,
            "industry_codes": "",
            "flag": "",
            "lead": world.bureau.organisation,
        },
        domains=[HazardDomain.objects.get(code="fire")],
    )
    names = {r["code"]: r["name"] for r in campaign_board(world.bureau, campaign)["by_township"]}
    assert names == {
        "130202": "路南区（本级）",
        "130202001": "学院南路街道",
        "130202002": "友谊街道",
    }
