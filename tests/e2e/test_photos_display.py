"""Evidence is seen: a township user opens a hazard with its 整改前 photo and an
inspection with handwritten signatures, and the browser actually renders the images
(served by the scoped file view, not a broken /media/ link)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.core.test_file_view import jpeg
from tests.e2e.conftest import login, screenshot
from tests.hazards.conftest import PNG, hazard_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RENDERED = "el => el.complete && el.naturalWidth > 0"


def _natural_widths(page, test_id):
    images = page.get_by_test_id(test_id)
    assert images.count() > 0, test_id
    return [
        images.nth(i).evaluate(
            f"async el => {{ await el.decode().catch(() => null); return ({RENDERED})(el) ? el.naturalWidth : 0 }}"
        )
        for i in range(images.count())
    ]


def test_a_township_user_sees_the_photo_and_the_signatures(browser, live_server, world, contexts):
    from anjian.hazards import services
    from anjian.inspections.models import ChecklistTemplate
    from tests.inspections.conftest import answers_for, submit

    photo = SimpleUploadedFile("整改前.jpg", jpeg(1200, 900), content_type="image/jpeg")
    hazard = services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(),
        photos=[photo],
    )
    checklist = ChecklistTemplate.objects.get(
        name="房屋市政工程重大事故隐患检查表", is_current=True
    )
    inspection, _ = submit(
        world,
        checklist,
        answers=answers_for(
            checklist,
            fail=(0,),
            photos={0: [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]},
        ),
        signature=PNG,
        enterprise_signature=PNG,
    )

    township = login(browser, live_server, "township", contexts)
    township.goto(f"{live_server.url}/hazards/")
    assert all(w > 0 for w in _natural_widths(township, "list-photo"))
    township.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    assert all(w > 0 for w in _natural_widths(township, "hazard-photo"))
    assert all(w > 0 for w in _natural_widths(township, "timeline-photo"))
    # the full photo behind the thumbnail opens too, at its own size
    full = township.get_by_test_id("hazard-photo").first.locator("xpath=..").get_attribute("href")
    assert "/media/" not in full and full.startswith("/files/")
    response = township.request.get(f"{live_server.url}{full}")
    assert response.ok and response.headers["content-type"] == "image/jpeg"
    screenshot(township, "hazard-photos")

    township.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    assert _natural_widths(township, "signature") == [1]
    assert _natural_widths(township, "enterprise-signature") == [1]
    assert all(w > 0 for w in _natural_widths(township, "answer-photo"))

    # another township's user finds neither the page nor the file
    other = login(browser, live_server, "youyi", contexts)
    assert other.request.get(f"{live_server.url}{full}").status == 404
