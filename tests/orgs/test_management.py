"""Org admins manage their users; the bureau manages organisations; forms are all-or-nothing."""

import pytest

from anjian.core.models import AuditEntry
from anjian.orgs.models import Organisation, Role, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_USER = {
    "username": "newstaff",
    "full_name": "新同事",
    "phone": "13800000000",
    "email": "",
    "role": Role.TOWNSHIP,
    "password": "Xin-mima-2026",
}


def test_org_admin_adds_a_user_to_its_own_organisation(world, client):
    client.force_login(world.township)
    org = world.township.organisation
    response = client.post(f"/organisations/{org.pk}/users/new/", NEW_USER)
    assert response.status_code == 302
    user = User.objects.get(username="newstaff")
    assert user.organisation == org and user.check_password("Xin-mima-2026")
    assert AuditEntry.objects.filter(
        action="create", object_id=str(user.pk), actor=world.township
    ).exists()


def test_org_admin_cannot_add_users_elsewhere(world, client):
    client.force_login(world.township)
    other = world.other_township.organisation
    assert client.post(f"/organisations/{other.pk}/users/new/", NEW_USER).status_code == 404
    building = world.building_co  # inside the township's region, but not its organisation
    assert client.post(f"/organisations/{building.pk}/users/new/", NEW_USER).status_code == 403
    assert not User.objects.filter(username="newstaff").exists()


def test_non_admin_cannot_manage_users(world, client):
    client.force_login(world.grid_worker)
    assert client.get("/users/").status_code == 403
    assert client.get(f"/users/{world.township.pk}/").status_code == 404


def test_org_admin_sees_only_its_own_users(world, client):
    client.force_login(world.township)
    page = client.get("/users/").content.decode()
    assert "grid" in page and "youyi" not in page and "bureau" not in page
    assert client.get(f"/users/{world.other_township.pk}/").status_code == 404


def test_role_must_fit_the_organisation(world, client):
    client.force_login(world.township)
    org = world.township.organisation
    page = client.post(f"/organisations/{org.pk}/users/new/", {**NEW_USER, "role": Role.ENTERPRISE})
    assert page.status_code == 200 and "选择一个有效的选项" in page.content.decode()
    page = client.post(f"/organisations/{org.pk}/users/new/", {**NEW_USER, "role": Role.GRID})
    assert "网格员须指定负责网格" in page.content.decode()
    assert not User.objects.filter(username="newstaff").exists()


def test_bad_input_gives_field_errors_and_writes_nothing(world, client):
    client.force_login(world.township)
    org = world.township.organisation
    before = (User.objects.count(), AuditEntry.objects.count())
    page = client.post(
        f"/organisations/{org.pk}/users/new/",
        {**NEW_USER, "username": "grid", "phone": "12345", "password": "123"},
    ).content.decode()
    assert "请输入11位手机号" in page
    assert "is-invalid" in page
    assert (User.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_username_is_a_field_error(world, client):
    client.force_login(world.township)
    org = world.township.organisation
    page = client.post(
        f"/organisations/{org.pk}/users/new/", {**NEW_USER, "username": "GRID"}
    ).content.decode()
    assert "该用户名已被使用" in page
    assert not User.objects.filter(username="GRID").exists()


def test_deactivating_a_user_needs_a_reason_and_revokes_tokens(world, client):
    from anjian.orgs.services import api_token_create

    _, key = api_token_create(user=world.grid_worker)
    client.force_login(world.township)
    client.post(f"/users/{world.grid_worker.pk}/active/", {"active": "0", "reason": ""})
    world.grid_worker.refresh_from_db()
    assert world.grid_worker.is_active
    client.post(f"/users/{world.grid_worker.pk}/active/", {"active": "0", "reason": "调离"})
    world.grid_worker.refresh_from_db()
    assert not world.grid_worker.is_active
    from django.test import Client

    assert Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert world.grid_worker.api_tokens.get().revoked_at is not None


def test_admin_cannot_deactivate_itself(world, client):
    client.force_login(world.township)
    client.post(f"/users/{world.township.pk}/active/", {"active": "0", "reason": "误操作"})
    world.township.refresh_from_db()
    assert world.township.is_active


def test_bureau_registers_an_organisation_in_its_region(world, client):
    client.force_login(world.bureau)
    response = client.post(
        "/organisations/new/",
        {
            "name": "唐山安评技术服务中心",
            "kind": Organisation.Kind.OTHER,
            "region": "130202001",
            "credit_code": "91350100M000100Y43",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(name="唐山安评技术服务中心")
    assert org.region_id == "130202001" and org.credit_code == "91350100M000100Y43"


def test_enterprises_are_registered_only_in_the_register(world, client):
    client.force_login(world.bureau)
    page = client.post(
        "/organisations/new/",
        {
            "name": "绕过台账的企业",
            "kind": Organisation.Kind.ENTERPRISE,
            "region": "130202001",
            "industry": "45",
        },
    ).content.decode()
    assert "选择一个有效的选项" in page
    from django.core.exceptions import ValidationError

    from anjian.orgs import services

    with pytest.raises(ValidationError, match="企业台账"):
        services.organisation_create(
            actor=world.bureau,
            data={
                "name": "绕过台账的企业",
                "kind": Organisation.Kind.ENTERPRISE,
                "region": world.building_co.region,
            },
        )
    with pytest.raises(ValidationError, match="不能把生产经营单位"):
        services.organisation_update(
            actor=world.bureau,
            organisation=world.building_co,
            data={"kind": Organisation.Kind.OTHER},
        )
    assert not Organisation.objects.filter(name="绕过台账的企业").exists()


def test_organisation_outside_the_region_or_with_a_bad_code_is_refused(world, client):
    client.force_login(world.bureau)
    page = client.post(
        "/organisations/new/",
        {
            "name": "越界单位",
            "kind": Organisation.Kind.OTHER,
            "region": "130203",
        },
    ).content.decode()
    assert "只能选择本辖区内的行政区划" in page
    page = client.post(
        "/organisations/new/",
        {
            "name": "错码单位",
            "kind": Organisation.Kind.OTHER,
            "region": "130202001",
            "credit_code": "91350100M000100Y44",
        },
    ).content.decode()
    assert "统一社会信用代码格式或校验位不正确" in page
    assert not Organisation.objects.filter(name__in=["越界单位", "错码单位"]).exists()


def test_only_the_bureau_admin_registers_organisations(world, client):
    for user in (world.township, world.zhujian, world.enterprise_user, world.leader):
        client.force_login(user)
        assert client.get("/organisations/new/").status_code == 403
        assert client.post("/organisations/new/", {"name": "x"}).status_code == 403


def test_edit_keeps_history_with_reason(world, client):
    client.force_login(world.bureau)
    org = world.chemical_co
    data = {
        "name": "永兴化工股份公司",
        "kind": org.kind,
        "region": org.region_id,
        "industry": org.industry_id,
        "credit_code": org.credit_code,
        "reason": "企业改制",
    }
    assert client.post(f"/organisations/{org.pk}/edit/", data).status_code == 302
    page = client.get(f"/organisations/{org.pk}/").content.decode()
    assert "永兴化工股份公司" in page and "企业改制" in page and "永兴化工公司" in page


def test_user_list_export_honours_scope(world, client):
    client.force_login(world.township)
    response = client.get("/users/?export=xlsx")
    from tests.scoping import _xlsx_text

    text = _xlsx_text(response.content)
    assert "grid" in text and "youyi" not in text


def test_demo_logins_all_work(reference_data, client):
    from django.core.management import call_command

    from anjian.orgs.demo import DEMO_PASSWORD, LOGINS

    call_command("demo", quiet=True)
    call_command("demo", quiet=True)  # idempotent
    assert Organisation.objects.filter(name="唐山市路南区应急管理局").count() == 1
    for username in ["admin", *[row[0] for row in LOGINS]]:
        client.post("/logout/")
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
    assert User.objects.get(username="xueyuan").organisation.region_id == "130202001"
    assert (
        Organisation.objects.filter(region__code__startswith="130202", kind="government").count()
        == 12
    )
    _ = PASSWORD


def test_a_login_differing_only_in_case_cannot_be_created(world):
    from django.db import IntegrityError, transaction

    from anjian.orgs.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(
            world.township.username.upper(), organisation=world.township.organisation
        )
    assert User.objects.filter(username__iexact=world.township.username).count() == 1
