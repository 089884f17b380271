"""The hazard's timeline shows each photo at the step it belongs to: 整改前 photos at the
registration, 整改后 photos at the submission they were handed in with."""

import pytest

from anjian.hazards import services
from anjian.hazards.models import HazardEvent
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = pytest.mark.django_db


def _shown(client, hazard):
    response = client.get(f"/hazards/{hazard.pk}/")
    assert response.status_code == 200
    return {
        e.kind: [p.stage for p in e.shown_photos]
        for e in response.context["events"]
        if e.shown_photos
    }


def test_photos_sit_at_their_step(world, client):
    hazard = services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(),
        photos=[photo("a.png"), photo("b.png")],
    )
    services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    client.force_login(world.township)
    assert _shown(client, hazard) == {HazardEvent.Kind.REGISTERED: ["before", "before"]}

    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=hazard, note="已整改", photos=[photo("c.png")]
    )
    assert _shown(client, hazard) == {
        HazardEvent.Kind.REGISTERED: ["before", "before"],
        HazardEvent.Kind.SUBMITTED: ["after"],
    }
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert page.count('data-testid="timeline-photo"') == 3
    assert page.count('data-testid="hazard-photo"') == 3
