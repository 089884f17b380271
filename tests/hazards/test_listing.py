"""挂牌督办: only 重大 hazards, by a government level covering them; closing needs the
supervising organisation; progress reports; the board honours scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anjian.hazards import services
from anjian.hazards.models import Listing, Status
from anjian.orgs.models import Organisation
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = pytest.mark.django_db

SIX = {
    f: "已制定"
    for f in (
        "goals",
        "methods",
        "funds_and_materials",
        "organisation_and_people",
        "time_and_requirements",
        "safety_and_contingency",
    )
}


@pytest.fixture
def major(world):
    hazard = services.hazard_register(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data=hazard_data(level="major", place="深基坑", description="支护变形超限"),
    )
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data(**SIX))
    return hazard


def test_listing_rules(world, major, hazard):
    county = Organisation.objects.get(name="路南区人民政府")
    with pytest.raises(ValidationError, match="只有重大"):
        services.hazard_list_for_supervision(
            actor=world.bureau, hazard=hazard, level="county", supervising_org=county
        )
    with pytest.raises(PermissionDenied):
        services.hazard_list_for_supervision(
            actor=world.township, hazard=major, level="county", supervising_org=county
        )
    with pytest.raises(ValidationError, match="行政级别"):
        services.hazard_list_for_supervision(
            actor=world.bureau, hazard=major, level="city", supervising_org=county
        )
    other = Organisation.objects.get(name="路北区应急管理局")
    with pytest.raises(ValidationError, match="辖区包含"):
        services.hazard_list_for_supervision(
            actor=world.bureau, hazard=major, level="county", supervising_org=other
        )
    listing = services.hazard_list_for_supervision(
        actor=world.bureau,
        hazard=major,
        level="county",
        supervising_org=county,
        report_every_days=10,
        note="限期30日",
    )
    assert listing.level == "county" and major.events.filter(kind="listed").exists()
    with pytest.raises(ValidationError, match="已挂牌"):
        services.hazard_list_for_supervision(
            actor=world.bureau, hazard=major, level="county", supervising_org=county
        )


def test_closing_a_listed_hazard_needs_the_supervising_organisation(world, major):
    bureau_org = world.bureau.organisation
    services.hazard_list_for_supervision(
        actor=world.bureau, hazard=major, level="county", supervising_org=bureau_org
    )
    services.progress_report(actor=world.enterprise_user, hazard=major, text="已完成支护加固60%")
    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=major, note="加固完成", photos=[photo()]
    )
    with pytest.raises(PermissionDenied, match="督办单位"):
        services.hazard_verify(actor=world.township, hazard=major)
    major.refresh_from_db()
    assert major.status == Status.PENDING
    services.hazard_verify(actor=world.bureau, hazard=major, note="督办单位验收")
    major.refresh_from_db()
    assert major.status == Status.CLOSED
    with pytest.raises(ValidationError, match="已销号"):
        services.progress_report(actor=world.enterprise_user, hazard=major, text="x")


def test_next_report_due_follows_the_last_report(world, major):
    listing = services.hazard_list_for_supervision(
        actor=world.bureau,
        hazard=major,
        level="county",
        supervising_org=world.bureau.organisation,
        report_every_days=10,
    )
    assert (listing.next_report_due() - listing.listed_at).days == 10
    report = services.progress_report(actor=world.enterprise_user, hazard=major, text="进展")
    assert (listing.next_report_due() - report.at).days == 10


def test_board_honours_scope(world, major, client):
    services.hazard_list_for_supervision(
        actor=world.bureau, hazard=major, level="county", supervising_org=world.bureau.organisation
    )
    for user, sees in (
        (world.bureau, True),
        (world.township, True),
        (world.enterprise_user, True),
        (world.other_township, False),
        (world.other_district_bureau, False),
    ):
        client.force_login(user)
        assert ("支护变形超限" in client.get("/hazards/listed/").content.decode()) is sees
        ids = [i["id"] for i in client.get("/api/v1/hazards/listed/board").json()["items"]]
        assert (major.pk in ids) is sees
    assert Listing.objects.count() == 1
