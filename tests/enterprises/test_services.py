"""The register's write path: registration, edits, key-field approval, status, supervision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anjian.core.audit import history_for
from anjian.core.models import AuditEntry
from anjian.enterprises import services
from anjian.enterprises.models import ChangeRequest, Enterprise, EnterpriseStatus
from anjian.enterprises.selectors import enterprises_for, supervising_departments
from anjian.orgs.models import Industry, Organisation
from anjian.regions.models import Region
from tests.factories import credit_code

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {
        "name": "新登记建材公司",
        "credit_code": credit_code(555),
        "region": Region.objects.get(code="130202001"),
        "industry": Industry.objects.get(code="47"),
        "principal_name": "王五",
        "employees": 12,
        **extra,
    }


def test_register_creates_organisation_profile_and_audit(world):
    enterprise = services.enterprise_register(actor=world.bureau, data=_data(is_construction=True))
    org = enterprise.organisation
    assert org.kind == Organisation.Kind.ENTERPRISE and org.credit_code == credit_code(555)
    assert enterprise.is_construction and enterprise.status == EnterpriseStatus.OPERATING
    entry = history_for(enterprise).get()
    assert entry.action == "create" and entry.changes["name"]["to"] == "新登记建材公司"
    assert "建筑施工" in entry.changes["is_construction"]["label"]


def test_department_registers_only_its_industries_and_township_only_its_area(world):
    with pytest.raises(ValidationError, match="本部门监管行业"):
        services.enterprise_register(
            actor=world.zhujian, data=_data(industry=Industry.objects.get(code="26"))
        )
    with pytest.raises(ValidationError, match="本辖区"):
        services.enterprise_register(
            actor=world.township, data=_data(region=Region.objects.get(code="130202002"))
        )
    with pytest.raises(ValidationError, match="乡镇"):
        services.enterprise_register(
            actor=world.bureau, data=_data(region=Region.objects.get(code="130202"))
        )
    with pytest.raises(PermissionDenied):
        services.enterprise_register(actor=world.enterprise_user, data=_data())
    with pytest.raises(PermissionDenied):
        services.enterprise_register(actor=world.leader, data=_data())
    assert not Organisation.objects.filter(name="新登记建材公司").exists()


def test_duplicate_or_invalid_credit_code_is_refused(world):
    with pytest.raises(ValidationError):
        services.enterprise_register(
            actor=world.bureau, data=_data(credit_code=world.chemical_co.credit_code)
        )
    with pytest.raises(ValidationError, match="校验位"):
        services.enterprise_register(
            actor=world.bureau, data=_data(credit_code="91130202MA00005551")
        )
    assert Enterprise.objects.count() == 4


def test_enterprise_edits_its_own_contacts_but_not_key_fields(world):
    ent = world.building_co.enterprise
    services.enterprise_update(
        actor=world.enterprise_user, enterprise=ent, data={"principal_phone": "13911112222"}
    )
    ent.refresh_from_db()
    assert ent.principal_phone == "13911112222"
    with pytest.raises(PermissionDenied, match="审核"):
        services.enterprise_update(
            actor=world.enterprise_user, enterprise=ent, data={"name": "改名公司"}
        )
    world.building_co.refresh_from_db()
    assert world.building_co.name == "宏达建筑公司"


def test_key_field_change_goes_through_approval(world):
    ent = world.building_co.enterprise
    request = services.change_request_submit(
        actor=world.enterprise_user,
        enterprise=ent,
        data={"name": "宏达建设集团公司"},
        reason="更名",
    )
    world.building_co.refresh_from_db()
    assert world.building_co.name == "宏达建筑公司"  # nothing changes before approval
    assert (
        request.changes["name"]["from"] == "宏达建筑公司"
        and request.changes["name"]["to"] == "宏达建设集团公司"
    )
    with pytest.raises(ValidationError, match="待审核"):
        services.change_request_submit(
            actor=world.enterprise_user, enterprise=ent, data={"name": "又一个名字"}, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.change_request_decide(actor=world.zhujian, request=request, approve=True)
    services.change_request_decide(
        actor=world.township, request=request, approve=True, note="材料齐全"
    )
    world.building_co.refresh_from_db()
    assert world.building_co.name == "宏达建设集团公司"
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED and request.decided_by == world.township
    entry = history_for(world.building_co).filter(action="update").get()
    assert entry.actor == world.township and entry.changes["name"]["from"] == "宏达建筑公司"
    with pytest.raises(ValidationError, match="已处理"):
        services.change_request_decide(
            actor=world.township, request=request, approve=False, note="x"
        )


def test_rejection_needs_a_note_and_changes_nothing(world):
    ent = world.building_co.enterprise
    request = services.change_request_submit(
        actor=world.enterprise_user,
        enterprise=ent,
        data={"industry": Industry.objects.get(code="48")},
        reason="转型",
    )
    with pytest.raises(ValidationError, match="审核意见"):
        services.change_request_decide(actor=world.bureau, request=request, approve=False, note="")
    services.change_request_decide(
        actor=world.bureau, request=request, approve=False, note="证照未变更"
    )
    world.building_co.refresh_from_db()
    assert world.building_co.industry_id == "47"


def test_change_request_refuses_a_region_outside_the_county(world):
    ent = world.building_co.enterprise
    with pytest.raises(ValidationError, match="本县"):
        services.change_request_submit(
            actor=world.enterprise_user,
            enterprise=ent,
            data={"region": Region.objects.get(code="130203001")},
            reason="搬迁",
        )
    assert not ChangeRequest.objects.exists()


def test_status_transitions_and_deregistration_deactivates(world):
    ent = world.building_co.enterprise
    with pytest.raises(ValidationError, match="原因"):
        services.enterprise_set_status(
            actor=world.bureau, enterprise=ent, status="suspended", reason=" "
        )
    services.enterprise_set_status(
        actor=world.bureau, enterprise=ent, status="suspended", reason="停产整顿令"
    )
    services.enterprise_set_status(
        actor=world.township, enterprise=ent, status="deregistered", reason="已注销"
    )
    ent.refresh_from_db()
    world.building_co.refresh_from_db()
    assert ent.status == "deregistered" and not world.building_co.is_active
    world.enterprise_user._anjian_scope = None
    assert not enterprises_for(world.enterprise_user).exists()  # its users now see nothing
    with pytest.raises(ValidationError, match="不能从"):
        services.enterprise_set_status(
            actor=world.bureau, enterprise=ent, status="suspended", reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.enterprise_set_status(
            actor=world.zhujian, enterprise=ent, status="operating", reason="x"
        )
    actions = list(history_for(ent, world.building_co).values_list("action", flat=True))
    assert actions.count("transition") == 2 and "deactivate" in actions


def test_supervising_departments_follow_the_mapping_and_overrides(world):
    department = Organisation.objects.get(name="路南区住建局")
    building = world.building_co.enterprise
    assert [(d.name, why) for d, why in supervising_departments(building)] == [
        ("路南区住建局", "按行业")
    ]
    services.supervision_set(
        actor=world.bureau, enterprise=building, department=department, mode="remove", reason="移交"
    )
    assert supervising_departments(building) == []
    chemical = world.chemical_co.enterprise
    services.supervision_set(
        actor=world.bureau, enterprise=chemical, department=department, mode="add", reason="涉燃气"
    )
    assert [why for _, why in supervising_departments(chemical)] == ["单独指定"]
    with pytest.raises(PermissionDenied):
        services.supervision_set(
            actor=world.township, enterprise=chemical, department=department, mode=None, reason="x"
        )
    assert AuditEntry.objects.filter(
        object_id=str(chemical.pk), changes__has_key="supervision"
    ).exists()
