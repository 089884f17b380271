"""The home page's figures come from the user's own scope."""

import pytest

from anjian.hazards import services as hazard_services
from tests.accidents.conftest import figures, report
from tests.hazards.conftest import hazard_data

pytestmark = pytest.mark.django_db


def _figures(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {f["label"].split("年")[-1].split("月")[-1]: f for f in response.context["figures"]}


def test_home_figures_are_scoped(world, client):
    hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    report(world, fig=figures(deaths=2))
    mine = _figures(client, world.bureau)
    assert mine["排查隐患"]["value"] == 1
    assert mine["事故 / 死亡"]["value"] == "1 / 2"
    other = _figures(client, world.other_district_bureau)
    assert other["排查隐患"]["value"] == 0 and other["事故 / 死亡"]["value"] == "0 / 0"
    assert "宏达" not in client.get("/").content.decode()
    client.force_login(world.expert)
    assert client.get("/").context["figures"] == []
