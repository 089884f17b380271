"""Investigation: authority and deadline by level (R-ACC-5), extensions within the
maximum, findings, and no closure while any 四不放过 item is open."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.accidents import services
from anjian.rules.accidents import InvestigationBasis
from tests.accidents.conftest import figures, report

pytestmark = pytest.mark.django_db


def _pdf():
    return SimpleUploadedFile("调查报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")


def test_deadline_by_level_and_basis(world, accident):
    inv = accident.investigation
    assert inv.deadline() == accident.occurred_at + timedelta(days=30)  # 2013 rule, 一般
    services.investigation_update(
        actor=world.bureau, investigation=inv, values={"basis": InvestigationBasis.ORDER_493}
    )
    inv.refresh_from_db()
    assert inv.deadline() == accident.occurred_at + timedelta(days=60)
    major = report(world, fig=figures(deaths=12))
    assert major.investigation.authority == "省级人民政府"
    assert major.investigation.deadline() == major.occurred_at + timedelta(days=60)


def test_extensions_stay_within_the_maximum(world, accident):
    inv = accident.investigation
    services.investigation_extend(actor=world.bureau, investigation=inv, days=20, reason="鉴定")
    with pytest.raises(ValidationError) as exc:
        services.investigation_extend(
            actor=world.bureau, investigation=inv, days=11, reason="再鉴定"
        )
    assert "累计不得超过30日" in str(exc.value)
    inv.refresh_from_db()
    assert inv.extension_days == 20
    assert inv.deadline() == accident.occurred_at + timedelta(days=50)
    with pytest.raises(ValidationError):
        services.investigation_extend(actor=world.bureau, investigation=inv, days=5, reason="")


def test_the_case_cannot_close_while_an_item_is_open(world, accident):
    inv = accident.investigation
    with pytest.raises(ValidationError) as exc:
        services.investigation_close(actor=world.bureau, investigation=inv)
    assert set(exc.value.message_dict) == {"cause", "report", "__all__"}
    services.investigation_report(actor=world.bureau, investigation=inv, report=_pdf())
    services.finding_add(
        actor=world.bureau,
        investigation=inv,
        data={
            "kind": "person",
            "name": "李某",
            "position": "项目经理",
            "responsibility": "主要责任",
            "handling": "建议给予罚款处罚",
        },
    )
    four = dict.fromkeys(inv.FOUR_FIELDS, True)
    for missing in inv.FOUR_FIELDS:
        services.investigation_update(
            actor=world.bureau,
            investigation=inv,
            values={"cause": "未系安全带，脚手架未设防护栏杆", **four, missing: False},
        )
        with pytest.raises(ValidationError) as exc:
            services.investigation_close(actor=world.bureau, investigation=inv)
        assert "四不放过未落实" in str(exc.value)
        inv.refresh_from_db()
        assert inv.closed_at is None
    services.investigation_update(actor=world.bureau, investigation=inv, values=four)
    services.investigation_close(actor=world.bureau, investigation=inv)
    inv.refresh_from_db()
    assert inv.closed_at is not None and inv.closed_by == world.bureau
    with pytest.raises(ValidationError):  # closed: no more changes
        services.investigation_update(actor=world.bureau, investigation=inv, values={"team": "x"})


def test_only_the_bureau_runs_the_investigation(world, accident):
    for user in (world.township, world.zhujian, world.enterprise_user):
        with pytest.raises(PermissionDenied):
            services.investigation_update(
                actor=user, investigation=accident.investigation, values={"cause": "x"}
            )
    accident.investigation.refresh_from_db()
    assert accident.investigation.cause == ""


def test_the_deployment_chooses_the_basis(world, settings):
    settings.ANJIAN_INVESTIGATION_BASIS = "493号令"
    accident = report(world)
    assert accident.investigation.basis == "493号令"
    assert accident.investigation.deadline() == accident.occurred_at + timedelta(days=60)
