"""Load-test and demo data: deterministic, valid, and written through the audited import path."""

import pytest
from django.core.management import call_command

from anjian.core.models import AuditEntry
from anjian.enterprises import generator
from anjian.enterprises.models import Enterprise
from anjian.rules.identifiers import credit_code_is_valid

pytestmark = pytest.mark.django_db


def test_rows_are_deterministic_and_valid(reference_data):
    first = list(generator.rows(50, region="130202", seed=3))
    assert first == list(generator.rows(50, region="130202", seed=3))
    assert first != list(generator.rows(50, region="130202", seed=4))
    for _, row in first:
        assert credit_code_is_valid(row["credit_code"])
        assert row["region"].startswith("130202") and len(row["region"]) == 9
        assert (row["major_hazard_grade"] != "") == row["has_major_hazard"]


def test_generate_command_writes_audited_enterprises(world, capsys):
    call_command(
        "enterprises",
        "generate",
        "--enterprises",
        "25",
        "--region",
        "130202",
        "--seed",
        "5",
        "--as",
        "bureau",
    )
    call_command(
        "enterprises",
        "generate",
        "--enterprises",
        "25",
        "--region",
        "130202",
        "--seed",
        "5",
        "--as",
        "bureau",
    )
    assert Enterprise.objects.count() == 4 + 50  # a second run adds new, differently numbered rows
    assert AuditEntry.objects.filter(reason="压测数据", action="create").count() == 50
    assert "generated 25 enterprises" in capsys.readouterr().out


def test_demo_builds_300_enterprises_once(reference_data):
    call_command("demo", quiet=True)
    assert Enterprise.objects.filter(organisation__region__code__startswith="130202").count() == 300
    call_command("demo", quiet=True)
    assert Enterprise.objects.filter(organisation__region__code__startswith="130202").count() == 300
