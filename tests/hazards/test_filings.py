"""R-HAZ-4 statistics filing: due dates from the rules, one per period, and who has not filed."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from anjian.hazards import services
from anjian.hazards.filings import due_date, file_statistics, filing_status
from anjian.hazards.models import StatisticsFiling
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db


def test_due_dates_follow_the_rule():
    assert due_date(2025, 1) == date(2025, 4, 15)
    assert due_date(2025, 3) == date(2025, 10, 15)
    assert due_date(2025, 4) == date(2026, 1, 31)
    assert due_date(2025, 0) == date(2026, 1, 31)


def test_filing_records_the_figures_once(world):
    services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(found_at=timezone.make_aware(timezone.datetime(2025, 8, 1, 9))),
    )
    filing = file_statistics(
        actor=world.enterprise_user,
        enterprise=world.building_co.enterprise,
        year=2025,
        quarter=3,
        signed_by="张总",
    )
    assert filing.figures == {"found": 1, "closed": 0, "major_found": 0, "major_closed": 0}
    assert filing.due_on == date(2025, 10, 15) and filing.late  # filed in 2026
    with pytest.raises(ValidationError, match="已报送"):
        file_statistics(
            actor=world.enterprise_user,
            enterprise=world.building_co.enterprise,
            year=2025,
            quarter=3,
            signed_by="张总",
        )
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="尚未结束"):
        file_statistics(
            actor=world.enterprise_user,
            enterprise=world.building_co.enterprise,
            year=today.year,
            quarter=0,
            signed_by="张总",
        )
    with pytest.raises(ValidationError, match="签字"):
        file_statistics(
            actor=world.enterprise_user,
            enterprise=world.building_co.enterprise,
            year=2025,
            quarter=2,
            signed_by=" ",
        )


def test_non_filers_are_listed_in_scope(world, client):
    file_statistics(
        actor=world.enterprise_user,
        enterprise=world.building_co.enterprise,
        year=2025,
        quarter=2,
        signed_by="张总",
    )
    from anjian.enterprises.selectors import enterprises_for

    rows = {
        e.organisation.name: e.filed
        for e in filing_status(enterprises_for(world.township), 2025, 2)
    }
    assert rows == {"宏达建筑公司": True, "永兴化工公司": False}
    client.force_login(world.township)
    page = client.get(
        "/hazards/filings/", {"year": 2025, "quarter": 2, "missing": "on"}
    ).content.decode()
    assert "永兴化工公司" in page and "宏达建筑公司" not in page and "2025-07-15" in page
    client.force_login(world.enterprise_user)
    response = client.post(
        "/hazards/filings/file/", {"year": 2025, "quarter": 1, "signed_by": "张总"}
    )
    assert response.status_code == 302
    assert StatisticsFiling.objects.filter(
        enterprise=world.building_co.enterprise, quarter=1
    ).exists()
    assert timedelta(0) is not None


def test_filings_api(world, client):
    client.force_login(world.enterprise_user)
    payload = {"year": 2025, "quarter": 2, "signed_by": "张总", "note": "本季度无重大隐患"}
    response = client.post("/api/v1/hazards/filings", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["due_on"] == "2025-07-15"
    again = client.post("/api/v1/hazards/filings", payload, content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "quarter"
    unsigned = client.post(
        "/api/v1/hazards/filings",
        {**payload, "quarter": 3, "signed_by": " "},
        content_type="application/json",
    )
    assert unsigned.status_code == 400
    assert StatisticsFiling.objects.count() == 1
    client.force_login(world.township)
    body = client.get("/api/v1/hazards/filings/status", {"year": 2025, "quarter": 2}).json()
    assert {i["enterprise_name"]: i["filed"] for i in body["items"]} == {
        "宏达建筑公司": True,
        "永兴化工公司": False,
    }
    missing = client.get(
        "/api/v1/hazards/filings/status", {"year": 2025, "quarter": 2, "missing": True}
    ).json()
    assert [i["enterprise_name"] for i in missing["items"]] == ["永兴化工公司"]
    bad = client.get("/api/v1/hazards/filings/status", {"year": 2025, "quarter": 7})
    assert bad.status_code == 400
    # a township is not an enterprise: it has nothing of its own to file
    refused = client.post("/api/v1/hazards/filings", payload, content_type="application/json")
    assert refused.status_code in (403, 404)
