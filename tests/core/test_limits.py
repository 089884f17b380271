"""Every text has a maximum, every date a sensible range, and a conflict with a stored
record is a Chinese field message that names no database constraint."""

from datetime import date, timedelta

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils import timezone

from anjian.core.fields import NOTE_LENGTH, unbounded_text_fields
from anjian.core.periods import latest_deadline
from anjian.hazards import services as hazard_services
from anjian.hazards.models import RectificationPlan, StatisticsFiling
from tests.core.test_server_errors import assert_error_shape
from tests.hazards.conftest import hazard_data, plan_data

pytestmark = pytest.mark.django_db


def test_every_text_field_of_every_model_has_a_maximum():
    assert unbounded_text_fields() == []
    assert not [m for m in checks.run_checks() if m.id in ("anjian.E001", "anjian.E002")]


def test_the_checks_catch_a_text_field_or_constraint_without_a_limit():
    from django.db import models

    from anjian.core.fields import check_text_limits
    from anjian.core.integrity import check_constraint_messages

    class Unbounded(models.Model):
        text = models.TextField()
        code = models.CharField(max_length=10)

        class Meta:
            app_label = "core"
            constraints = [
                models.CheckConstraint(condition=~models.Q(code=""), name="core_unbounded_code")
            ]

        def __str__(self):
            return self.code

    Unbounded.__module__ = "anjian.core.models"
    try:
        assert [e.id for e in check_text_limits() if e.obj.model is Unbounded] == ["anjian.E001"]
        assert [e.id for e in check_constraint_messages() if "core_unbounded_code" in e.msg] == [
            "anjian.E002"
        ]
    finally:
        from django.apps import apps

        del apps.all_models["core"]["unbounded"]
        apps.clear_cache()


def test_a_huge_filing_note_is_refused_and_nothing_is_stored(world, client):
    client.force_login(world.enterprise_user)
    payload = {"year": 2025, "quarter": 2, "signed_by": "张总", "note": "说" * 120_000}
    response = client.post("/api/v1/hazards/filings", payload, content_type="application/json")
    assert_error_shape(response)
    assert response.status_code in (400, 422)
    payload["note"] = "说" * (NOTE_LENGTH + 1)
    response = client.post("/api/v1/hazards/filings", payload, content_type="application/json")
    assert_error_shape(response, 400)
    assert response.json()["errors"][0]["field"] == "note"
    assert StatisticsFiling.objects.count() == 0


def test_saving_refuses_overlong_text_whatever_the_path(world):
    """The record itself refuses, even where a service does not call full_clean."""
    from anjian.hazards.filings import file_statistics

    with pytest.raises(ValidationError) as refused:
        file_statistics(
            actor=world.enterprise_user,
            enterprise=world.building_co.enterprise,
            year=2025,
            quarter=2,
            signed_by="张总",
            note="x" * (NOTE_LENGTH + 1),
        )
    assert "note" in refused.value.message_dict
    assert StatisticsFiling.objects.count() == 0


def test_form_text_fields_have_a_maximum(world, client):
    from anjian.hazards.models import Hazard

    client.force_login(world.enterprise_user)
    hazard = hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    response = client.get(f"/hazards/{hazard.pk}/plan/")
    assert response.status_code == 200
    form = response.context["form"]
    for name, field in form.fields.items():
        if hasattr(field, "max_length") and not field.widget.is_hidden:
            assert field.max_length, name
    Hazard.objects.all().delete()


def test_a_deadline_beyond_the_horizon_is_refused(world, client):
    # the registered deadline leaves room for the plan a year ahead checked below
    registered = hazard_data() | {"deadline": timezone.now() + timedelta(days=400)}
    hazard = hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=registered
    )
    client.force_login(world.enterprise_user)
    payload = {k: str(v) for k, v in plan_data().items() if k not in ("deadline",)} | {
        "deadline": "9999-12-31T00:00"
    }
    response = client.post(
        f"/api/v1/hazards/{hazard.pk}/plan", payload, content_type="application/json"
    )
    assert_error_shape(response)
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] == "deadline"
    too_far = latest_deadline() + timedelta(days=1)
    response = client.post(
        f"/api/v1/hazards/{hazard.pk}/plan",
        payload | {"deadline": f"{too_far:%Y-%m-%d}T12:00"},
        content_type="application/json",
    )
    assert_error_shape(response, 400)
    assert response.json()["errors"][0]["field"] == "deadline"
    assert "期限不能晚于" in response.json()["errors"][0]["message"]
    assert not RectificationPlan.objects.exists()
    within = timezone.now() + timedelta(days=365)
    response = client.post(
        f"/api/v1/hazards/{hazard.pk}/plan",
        payload | {"deadline": within.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()


def test_inspection_plans_and_campaigns_end_within_the_horizon(world):
    from anjian.inspections import services

    too_far = latest_deadline() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            actor=world.bureau,
            data={
                "name": "年度计划",
                "kind": "supervision",
                "start": date.today(),
                "end": too_far,
            },
            enterprises=[world.building_co.enterprise],
        )
    assert "end" in refused.value.message_dict


def test_a_duplicate_credit_code_is_a_chinese_field_message(world, client):
    client.force_login(world.bureau)
    payload = {
        "name": "新企业有限公司",
        "credit_code": world.building_co.credit_code,
        "region": "130202001",
        "industry": "47",
    }
    response = client.post("/api/v1/enterprises", payload, content_type="application/json")
    assert_error_shape(response, 400)
    body = response.content.decode()
    assert "credit_code_unique" not in body and "orgs_" not in body
    errors = response.json()["errors"]
    assert {"field": "credit_code", "message": "统一社会信用代码已存在。"} in errors


def test_a_database_conflict_is_a_chinese_message_without_the_constraint(world):
    """When the database itself refuses (a race, a path without model validation), the
    constraint's own message comes back, on its field."""
    from django.db import IntegrityError, transaction

    from anjian.core.integrity import integrity_error_as_validation
    from anjian.orgs.models import Organisation

    with pytest.raises(IntegrityError) as conflict, transaction.atomic():
        Organisation.objects.create(
            name="重复",
            kind=Organisation.Kind.ENTERPRISE,
            region_id="130202001",
            credit_code=world.building_co.credit_code,
        )
    error = integrity_error_as_validation(conflict.value)
    assert error.message_dict == {"credit_code": ["统一社会信用代码已存在。"]}
    assert "orgs_" not in str(error)
