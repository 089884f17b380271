"""The bureau reads a hazard's 变更记录 on screen: Chinese labels and values, names
rather than logins, no file paths, no region codes — for new entries and for one stored
in the older raw form."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from anjian.core.models import AuditEntry
from anjian.hazards import services
from tests.core.test_history_words import LOGINS, PATH, REGION_CODE
from tests.e2e.conftest import login, screenshot
from tests.hazards.conftest import hazard_data, photo, plan_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bureau_reads_a_hazards_change_record(browser, live_server, world, contexts):
    hazard = services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(),
        photos=[photo()],
    )
    hazard = services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=hazard, note="已更换", photos=[photo()]
    )
    AuditEntry.objects.create(
        actor=world.township,
        actor_name="township",
        action=AuditEntry.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(hazard),
        object_id=str(hazard.pk),
        object_repr=str(hazard),
        changes={
            "grid": {"label": "grid", "from": None, "to": "学院南路第一网格"},
            "region_code": {"label": "区划代码", "from": None, "to": "130202001"},
            "found_by": {
                "label": "发现人",
                "from": None,
                "to": f"{world.township.full_name}（township）",
            },
        },
    )

    bureau = login(browser, live_server, "bureau", contexts)
    bureau.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    history = bureau.locator("#history")
    history.scroll_into_view_if_needed()
    text = history.inner_text()
    screenshot(bureau, "hazard-history")

    assert "变更记录" in text
    for words in (
        "所在区划：河北省唐山市路南区学院南路街道",
        "所属行业：房屋建筑业",
        f"发现人：{world.township.full_name}",
        f"整改提交人：（空） → {world.enterprise_user.full_name}",
        "网格：（空） → 学院南路第一网格",
    ):
        assert words in re.sub(r"[ \t]+", "", text).replace("→", " → "), words
    labels = re.findall(r"^([^：\n]+)：", text, re.M)
    assert labels
    for label in labels:
        assert re.search(r"[\u4e00-\u9fff]", label) and not re.search(r"[a-z]", label), label
    for login_name in LOGINS:
        assert not re.search(rf"(?<![A-Za-z]){login_name}(?![A-Za-z])", text), login_name
    assert not PATH.search(text), text
    assert not REGION_CODE.search(text), text
