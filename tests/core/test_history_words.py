"""Change records read as words a person uses: Chinese labels, names rather than logins,
"已上传" rather than a file's path, a region's name rather than its code. Covers every
detail page that shows a trail, for changes made through the services and for entries
stored in the older raw form."""

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anjian.accidents import services as accident_services
from anjian.core.audit import HIDDEN_FIELDS
from anjian.core.models import AuditEntry
from anjian.enterprises import services as enterprise_services
from anjian.hazards import services as hazard_services
from anjian.inspections.models import ChecklistTemplate
from anjian.orgs import services as org_services
from anjian.orgs.models import Role, User
from tests.accidents.conftest import figures, report
from tests.hazards.conftest import PNG, hazard_data, photo, plan_data
from tests.inspections.conftest import submit

pytestmark = pytest.mark.django_db

#: Logins of the people in the test world: none may appear in a trail.
LOGINS = ("bureau", "leader", "zhujian", "township", "youyi", "grid", "ent", "expert", "lubei")
PATH = re.compile(r"[A-Za-z0-9_-]+/[A-Za-z0-9_./-]+|\.(png|jpe?g|pdf|docx)\b", re.I)
REGION_CODE = re.compile(r"(?<![0-9A-Za-z])1302\d{2}(\d{3})?(?![0-9A-Za-z])")
LABEL = re.compile(r"<li>([^<：]*)：")


def _history_html(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'<div class="card mt-3" id="history">(.*?)\n</div>', html, re.S)
    assert match, url
    return match.group(1)


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _assert_readable(html, *, logins=LOGINS):
    text = _text(html)
    assert "暂无变更记录" not in text
    labels = LABEL.findall(html)
    assert labels, html
    for label in labels:
        assert re.search(r"[\u4e00-\u9fff]", label), label
        assert not re.search(r"[a-z]", label), label
    for login in logins:
        assert not re.search(rf"(?<![A-Za-z]){login}(?![A-Za-z])", text), (login, text)
    assert not PATH.search(text), text
    assert not REGION_CODE.search(text), text
    return text


def test_every_field_a_trail_can_show_has_a_chinese_label():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("anjian.")
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not field.primary_key
        and field.name not in HIDDEN_FIELDS
        and not re.search(r"[\u4e00-\u9fff]", str(field.verbose_name))
    ]
    assert missing == []


def test_hazard_trail(world, client):
    hazard = hazard_services.hazard_register(
        actor=world.township,
        enterprise=world.building_co.enterprise,
        data=hazard_data(),
        photos=[photo()],
    )
    hazard = hazard_services.hazard_set_plan(
        actor=world.enterprise_user, hazard=hazard, plan=plan_data()
    )
    hazard = hazard_services.hazard_submit_rectification(
        actor=world.enterprise_user, hazard=hazard, note="已更换", photos=[photo()]
    )
    hazard_services.hazard_verify(actor=world.township, hazard=hazard)
    html = _history_html(client, world.bureau, reverse("hazards:detail", args=[hazard.pk]))
    text = _assert_readable(html)
    assert "所在区划： 河北省唐山市路南区学院南路街道" in text
    assert "所属行业： 房屋建筑业" in text
    assert f"发现人： {world.township.full_name}" in text  # the township's person, by name


def test_inspection_trail(world, client):
    template = ChecklistTemplate.objects.get(name="房屋市政工程重大事故隐患检查表", is_current=True)
    inspection = submit(world, template, signature=PNG, enterprise_signature=PNG)[0]
    html = _history_html(client, world.bureau, reverse("inspections:detail", args=[inspection.pk]))
    text = _assert_readable(html)
    for words in ("被检查企业： 宏达建筑公司", "检查单位： 学院南路街道办事处", "网格："):
        assert words in text
    assert "检查人手写签名： 已上传" in text


def test_accident_trail(world, client):
    accident = report(world)
    accident_services.accident_supplement(
        actor=world.bureau, accident=accident, figures=figures(deaths=1, serious=2)
    )
    accident_services.investigation_report(
        actor=world.bureau,
        investigation=accident.investigation,
        report=SimpleUploadedFile("调查报告.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    html = _history_html(client, world.bureau, reverse("accidents:detail", args=[accident.pk]))
    text = _assert_readable(html)
    assert "调查报告： （空） → 已上传" in text


def test_enterprise_organisation_and_user_trails(world, client):
    enterprise = world.chemical_co.enterprise
    enterprise_services.enterprise_update(
        actor=world.bureau,
        enterprise=enterprise,
        data={"phone": "0315-7654321", "grid": world.grid1, "employees": 35},
        reason="核实",
    )
    _assert_readable(_history_html(client, world.bureau, enterprise.get_absolute_url()))

    org_services.organisation_update(
        actor=world.bureau, organisation=world.youyi_co, data={"phone": "0315-1111111"}
    )
    _assert_readable(_history_html(client, world.bureau, world.youyi_co.get_absolute_url()))

    member = org_services.user_create(
        actor=world.township,
        organisation=world.township.organisation,
        username="newworker",
        password="Anjian-2026-strong",
        data={"full_name": "王五", "role": Role.TOWNSHIP},
    )
    org_services.user_update(
        actor=world.township,
        user=member,
        data={"role": Role.GRID, "grid": world.grid1},
        reason="调整岗位",
    )
    org_services.user_set_active(actor=world.township, user=member, active=False, reason="离职")
    text = _assert_readable(_history_html(client, world.bureau, member.get_absolute_url()))
    assert "负责网格： （空） → 学院南路第一网格" in text


def test_entries_stored_in_the_older_raw_form_read_the_same(world, client):
    """Rows written before the trail stored readable values: English labels, paths,
    region codes, logins (as "姓名（login）", as a bare login, and as the actor's name)."""
    template = ChecklistTemplate.objects.get(name="房屋市政工程重大事故隐患检查表", is_current=True)
    inspection = submit(world, template)[0]
    nameless = User.objects.create(
        username="noname", organisation=world.bureau.organisation, role=Role.SAFETY
    )
    AuditEntry.objects.create(
        actor=nameless,
        actor_name="noname",
        action=AuditEntry.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(inspection),
        object_id=str(inspection.pk),
        object_repr=str(inspection),
        changes={
            "inspector_org": {"label": "inspector org", "from": None, "to": "友谊街道办事处"},
            "campaign": {"label": "campaign", "from": None, "to": "燃气专项整治"},
            "grid": {"label": "grid", "from": None, "to": "学院南路第一网格"},
            "signature": {
                "label": "检查人签名",
                "from": None,
                "to": "inspections/signatures/2026/11/a1b2.png",
            },
            "region_code": {"label": "区划代码", "from": "130202002", "to": "130202001"},
            "inspector": {"label": "检查人", "from": "用户4（youyi）", "to": "township"},
            "finished_at": {
                "label": "完成时间（服务器）",
                "from": None,
                "to": "2026-11-30T02:00:00+00:00",
            },
        },
    )
    html = _history_html(client, world.bureau, reverse("inspections:detail", args=[inspection.pk]))
    text = _assert_readable(html, logins=(*LOGINS, "noname"))
    for words in (
        "检查单位： （空） → 友谊街道办事处",
        "专项整治： （空） → 燃气专项整治",
        "网格： （空） → 学院南路第一网格",
        "检查人手写签名： （空） → 已上传",
        "所在区划： 河北省唐山市路南区友谊街道 → 河北省唐山市路南区学院南路街道",
        f"检查人： 用户4 → {world.township.full_name}",
        "完成时间（服务器）： （空） → 2026-11-30 10:00",
        "路南区应急管理局用户",
    ):
        assert words in text, words
