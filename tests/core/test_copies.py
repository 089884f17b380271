"""Copies kept for speed follow their source in the same transaction (DESIGN §5), on
every write path that moves an enterprise, and `anjian consistency` finds and repairs
drift. Every registered copy is covered, and a field that looks like a copy must be
registered (as a copy, or as a fact with its reason)."""

import re
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from anjian.accidents.selectors import accidents_for
from anjian.core import copies
from anjian.enterprises import importing, services
from anjian.enterprises.models import Enterprise
from anjian.hazards import rollup
from anjian.hazards import services as hazard_services
from anjian.hazards.models import Hazard, HazardMonth
from anjian.hazards.selectors import hazards_for
from anjian.inspections import services as inspection_services
from anjian.inspections.models import ChecklistTemplate
from anjian.orgs import services as org_services
from anjian.orgs.models import Industry, Organisation
from anjian.regions.models import Region
from tests.accidents.conftest import figures, report
from tests.factories import GridFactory
from tests.hazards.conftest import hazard_data, photo, plan_data
from tests.inspections.conftest import submit

pytestmark = pytest.mark.django_db

#: Names of fields that look like a copy of an enterprise's facts.
LOOKS_LIKE_A_COPY = re.compile(
    r"(^|_)(region|industry|grid|township|village|credit_code|unit_name|enterprise_name|address)"
    r"($|_)"
)


def _links_to_an_enterprise(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation
        and (
            f.related_model is Enterprise
            or (f.related_model is Organisation and f.name == "enterprise")
        )
    ]


def test_every_field_that_looks_like_a_copy_is_registered():
    registered = {c.model: c for c in copies.copies()}
    unregistered = []
    for model in apps.get_models():
        if model in (Enterprise, Organisation) or not _links_to_an_enterprise(model):
            continue
        copy = registered.get(model)
        declared = set(copy.fields) | set(copy.facts) if copy else set()
        for field in model._meta.concrete_fields:
            if LOOKS_LIKE_A_COPY.search(field.name) and field.name not in declared:
                unregistered.append(f"{model._meta.label}.{field.name}")
    assert unregistered == [], (
        "declare these with anjian.core.copies.register in the app's ready(): as copies "
        "that follow the enterprise, or as facts with the reason they do not"
    )
    facts = {c.label: set(c.facts) for c in copies.copies()}
    assert facts["accidents.Accident"] == {"region", "industry", "grid", "unit_name"}
    assert all(reason.strip() for c in copies.copies() for reason in c.facts.values())


@pytest.fixture
def records(world):
    """One record of every model that copies the building company (学院南路街道, 47,
    grid 1): a closed hazard with funds, an open one, an inspection, a QR point, a
    较大 accident."""
    ent = world.building_co.enterprise
    closed = hazard_services.hazard_register(
        actor=world.township, enterprise=ent, data=hazard_data()
    )
    hazard_services.hazard_set_plan(
        actor=world.township, hazard=closed, plan=plan_data(funds=Decimal("1200"))
    )
    hazard_services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=closed, note="已整改", photos=[photo()]
    )
    hazard_services.hazard_verify(actor=world.township, hazard=closed)
    hazard_services.hazard_register(
        actor=world.township, enterprise=ent, data=hazard_data(level="major", place="配电房")
    )
    template = ChecklistTemplate.objects.get(name="房屋市政工程重大事故隐患检查表", is_current=True)
    submit(world, template, client_id=uuid.uuid4())
    inspection_services.point_create(
        actor=world.enterprise_user,
        enterprise=ent,
        data={
            "name": "1号门",
            "template": template,
            "latitude": Decimal("39.61"),
            "longitude": Decimal("118.18"),
        },
    )
    report(world, fig=figures(deaths=3))  # 较大: a 一票否决 fact as well
    for copy in copies.copies():
        assert copy.model._base_manager.filter(**{copy.via: world.building_co}).exists(), (
            f"add a {copy.label} of the building company to this fixture"
        )
    return world


def _expected(copy, organisation, name):
    source = organisation._meta.get_field(copy.fields[name])
    value = getattr(organisation, source.attname)
    return "" if value is None and not copy.target(name).null else value


def _facts(copy, organisation):
    rows = copy.model._base_manager.filter(**{copy.via: organisation}).order_by("pk")
    return [[getattr(r, copy.target(n).attname) for n in copy.facts] for r in rows]


def _move_by_update(world, region, industry, grid):
    services.enterprise_update(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data={"region": region, "industry": industry, "grid": grid},
        reason="区划调整",
    )


def _move_by_approval(world, region, industry, grid):
    request = services.change_request_submit(
        actor=world.enterprise_user,
        enterprise=world.building_co.enterprise,
        data={"region": region, "industry": industry},
        reason="搬迁",
    )
    services.change_request_decide(actor=world.bureau, request=request, approve=True, note="同意")
    services.enterprise_update(
        actor=world.bureau, enterprise=world.building_co.enterprise, data={"grid": grid}
    )


def _move_by_import(world, region, industry, grid):
    row = importing._current(world.building_co.enterprise)
    row |= {"region": region.code, "industry": industry.code, "grid": grid.pk}
    importing.apply_rows(world.bureau, iter([[(2, row)]]), reason="Excel导入：测试")


def _move_by_organisation_admin(world, region, industry, grid):
    org_services.organisation_update(
        actor=world.bureau,
        organisation=world.building_co,
        data={"region": region, "industry": industry, "grid": grid},
    )


@pytest.mark.parametrize(
    "move",
    [_move_by_update, _move_by_approval, _move_by_import, _move_by_organisation_admin],
    ids=["update", "approval", "import", "organisation-admin"],
)
def test_every_registered_copy_follows_a_moved_enterprise(records, move):
    world = records
    region, industry = Region.objects.get(code="130202002"), Industry.objects.get(code="52")
    grid = GridFactory(name="友谊第一网格", region=region)
    facts = {c.label: _facts(c, world.building_co) for c in copies.copies()}

    move(world, region, industry, grid)

    org = Organisation.objects.get(pk=world.building_co.pk)
    assert (org.region_id, org.industry_id, org.grid_id) == ("130202002", "52", grid.pk)
    for copy in copies.copies():
        rows = copy.model._base_manager.filter(**{copy.via: org})
        for name in copy.fields:
            stored = {getattr(r, copy.target(name).attname) for r in rows}
            assert stored == {_expected(copy, org, name)}, f"{copy.label}.{name}"
        assert _facts(copy, org) == facts[copy.label], f"{copy.label} facts must not move"
    assert copies.drift() == []
    assert rollup.differences() == []
    assert not HazardMonth.objects.filter(region_code="130202001", found__gt=0).exists()
    moved = HazardMonth.objects.get(region_code="130202002", level="general")
    assert (moved.found, moved.closed, moved.funds) == (1, 1, Decimal("1200"))


def test_a_move_within_the_township_keeps_the_rollup_rows(records):
    world = records
    before = list(HazardMonth.objects.values_list("region_code", "found", "closed", "funds"))
    services.enterprise_update(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data={"industry": Industry.objects.get(code="48")},
    )
    assert set(Hazard.objects.values_list("industry_code", flat=True)) == {"48"}
    assert (
        list(HazardMonth.objects.values_list("region_code", "found", "closed", "funds")) == before
    )


def test_a_refused_move_moves_nothing(records):
    world = records
    with pytest.raises(Exception, match="本辖区"):
        services.enterprise_update(
            actor=world.township,
            enterprise=world.building_co.enterprise,
            data={"region": Region.objects.get(code="130202002")},
        )
    assert set(Hazard.objects.values_list("region_code", flat=True)) == {"130202001"}
    assert copies.drift() == []


def test_consistency_check_finds_drift_and_repair_fixes_it(records):
    # Drift as a bulk load or a past defect leaves it: the records stay in the old
    # township while the register moved on.
    Organisation.objects.filter(pk=records.building_co.pk).update(region_id="130202002")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("consistency", "check", stdout=out)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert "hazards.Hazard: 2 disagree" in text and "inspections.Inspection: 1" in text
    assert "inspections.InspectionPoint: 1" in text and "accidents" not in text

    call_command("consistency", "repair", stdout=StringIO())

    assert set(Hazard.objects.values_list("region_code", flat=True)) == {"130202002"}
    out = StringIO()
    call_command("consistency", "check", stdout=out)
    assert "0 drifted" in out.getvalue()
    call_command("hazards", "rollup", "--check", stdout=StringIO())  # exits 0


def test_repair_rebuilds_a_drifted_rollup(records):
    HazardMonth.objects.update(found=0)
    drift = copies.drift()
    assert [d.label for d in drift] == ["hazards.HazardMonth"]
    assert copies.repair()["hazards.HazardMonth"] == drift[0].count
    assert rollup.differences() == []


def test_an_accident_stays_with_the_place_where_it_happened(records):
    """Its place, industry, grid and unit name are facts of the report (accidents/apps.py):
    the old township keeps it; the hazards go with the enterprise."""
    world = records
    _move_by_update(
        world,
        Region.objects.get(code="130202002"),
        Industry.objects.get(code="52"),
        GridFactory(name="友谊第一网格", region_id="130202002"),
    )
    assert accidents_for(world.township).filter(enterprise_id=world.building_co.pk).exists()
    assert not accidents_for(world.other_township).exists()
    assert not hazards_for(world.township).filter(enterprise_id=world.building_co.pk).exists()
    assert hazards_for(world.other_township).filter(enterprise_id=world.building_co.pk).count() == 2
