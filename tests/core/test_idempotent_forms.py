"""Every create form carries an idempotency key: the same rendered form submitted twice
(a double click, a resubmission) creates one record and sends the second POST to it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from anjian.accidents.models import AccidentVersion, Finding
from anjian.enterprises.models import ChangeRequest, Enterprise, ImportJob
from anjian.hazards import services as hazard_services
from anjian.hazards.models import ExtensionRequest, Hazard, ProgressReport, StatisticsFiling
from anjian.inspections.models import Campaign, ChecklistTemplate, InspectionPlan, InspectionPoint
from anjian.orgs.models import Organisation, User
from tests.accidents.conftest import report
from tests.core.forms_on_pages import form_for
from tests.factories import credit_code
from tests.hazards.conftest import hazard_data, plan_data

pytestmark = pytest.mark.django_db


def _accident_form():
    occurred = timezone.localtime() - timedelta(hours=2)
    return {
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "learnt_at": (occurred + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "place": "2号车间",
        "domain": "industry_trade",
        "category": "03",
        "course": "操作工清理设备时被卷入。",
        "measures": "停机断电，送医。",
        "deaths": "1",
        "missing": "0",
        "serious_injuries": "2",
        "minor_injuries": "0",
        "direct_loss_10k": "120.5",
    }


def _rectifying(world):
    hazard = hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    hazard_services.hazard_set_plan(actor=world.enterprise_user, hazard=hazard, plan=plan_data())
    return {"hazard": hazard}


def _listed(world):
    six = {
        f: "已制定"
        for f in (
            "goals",
            "methods",
            "funds_and_materials",
            "organisation_and_people",
            "time_and_requirements",
            "safety_and_contingency",
        )
    }
    hazard = hazard_services.hazard_register(
        actor=world.bureau,
        enterprise=world.building_co.enterprise,
        data=hazard_data(level="major", place="深基坑", description="支护变形超限"),
    )
    hazard_services.hazard_set_plan(
        actor=world.enterprise_user, hazard=hazard, plan=plan_data(**six)
    )
    hazard_services.hazard_list_for_supervision(
        actor=world.bureau, hazard=hazard, level="county", supervising_org=world.bureau.organisation
    )
    return {"hazard": hazard}


def _checklist():
    return ChecklistTemplate.objects.filter(is_current=True).order_by("pk").first()


def _import_file():
    from tests.enterprises.test_import import row, xlsx

    return xlsx([row(1), row(2)])


@dataclass
class FormCase:
    url_name: str
    user: str  # attribute of the test world
    action: Callable[[Any, dict], str]  # where the form posts
    data: Callable[[Any, dict], dict]  # what the user types (the page gives the rest)
    model: type
    page: Callable[[Any, dict], str] | None = None  # the page showing the form
    setup: Callable[[Any], dict] = field(default=lambda world: {})


TODAY = timezone.localdate


CASES = [
    FormCase(
        "hazards:create",
        "township",
        lambda w, c: f"/hazards/new/{w.building_co.pk}/",
        lambda w, c: {
            "place": "脚手架",
            "domain": "construction",
            "factor_class": "物的因素",
            "level": "general",
            "source": "township",
            "deadline": "2030-01-01T12:00",
            "description": "连墙件缺失",
            "found_at": "2026-11-20T09:30",
        },
        Hazard,
    ),
    FormCase(
        "accidents:create",
        "bureau",
        lambda w, c: f"/accidents/new/?enterprise={w.building_co.pk}",
        lambda w, c: _accident_form(),
        AccidentVersion,
    ),
    FormCase(
        "accidents:supplement",
        "enterprise_user",
        lambda w, c: f"/accidents/{c['accident'].pk}/supplement/",
        lambda w, c: {"deaths": "2", "note": "1名伤者抢救无效死亡"},
        AccidentVersion,
        setup=lambda w: {"accident": report(w)},
    ),
    FormCase(
        "accidents:finding",
        "bureau",
        lambda w, c: f"/accidents/{c['accident'].pk}/investigation/findings/",
        lambda w, c: {
            "kind": "person",
            "name": "张三",
            "position": "项目经理",
            "responsibility": "直接责任",
            "handling": "移送司法机关",
        },
        Finding,
        page=lambda w, c: f"/accidents/{c['accident'].pk}/",
        setup=lambda w: {"accident": report(w)},
    ),
    FormCase(
        "enterprises:create",
        "bureau",
        lambda w, c: "/enterprises/new/",
        lambda w, c: {
            "name": "页面登记公司",
            "credit_code": credit_code(777),
            "region": "130202001",
            "industry": "47",
            "employees": "8",
        },
        Enterprise,
    ),
    FormCase(
        "enterprises:key_change",
        "enterprise_user",
        lambda w, c: f"/enterprises/{w.building_co.pk}/key-change/",
        lambda w, c: {"name": "宏达新名", "region": "130202001", "reason": "工商变更"},
        ChangeRequest,
    ),
    FormCase(
        "enterprises:imports",
        "bureau",
        lambda w, c: "/enterprises/imports/",
        lambda w, c: {"file": _import_file()},
        ImportJob,
    ),
    FormCase(
        "orgs:organisation_create",
        "bureau",
        lambda w, c: "/organisations/new/",
        lambda w, c: {
            "name": "唐山安评技术服务中心",
            "kind": Organisation.Kind.OTHER,
            "region": "130202001",
            "credit_code": "91350100M000100Y43",
        },
        Organisation,
    ),
    FormCase(
        "orgs:user_create",
        "township",
        lambda w, c: f"/organisations/{w.township.organisation_id}/users/new/",
        lambda w, c: {
            "username": "newstaff",
            "full_name": "新同事",
            "phone": "13800000000",
            "role": "township",
            "password": "Xin-mima-2026",
        },
        User,
    ),
    FormCase(
        "hazards:extension",
        "enterprise_user",
        lambda w, c: f"/hazards/{c['hazard'].pk}/extensions/",
        lambda w, c: {
            "new_deadline": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "设备到货延迟",
        },
        ExtensionRequest,
        page=lambda w, c: f"/hazards/{c['hazard'].pk}/",
        setup=_rectifying,
    ),
    FormCase(
        "hazards:progress",
        "enterprise_user",
        lambda w, c: f"/hazards/{c['hazard'].pk}/progress/",
        lambda w, c: {"text": "已完成支护加固60%"},
        ProgressReport,
        page=lambda w, c: f"/hazards/{c['hazard'].pk}/",
        setup=_listed,
    ),
    FormCase(
        "hazards:file_statistics",
        "enterprise_user",
        lambda w, c: "/hazards/filings/file/",
        lambda w, c: {"year": "2025", "quarter": "1", "signed_by": "张总"},
        StatisticsFiling,
        page=lambda w, c: "/hazards/filings/?year=2025&quarter=1",
    ),
    FormCase(
        "inspections:checklist_create",
        "bureau",
        lambda w, c: "/inspections/checklists/new/",
        lambda w, c: {
            "name": "燃气用户检查表",
            "domain": "gas",
            "content": "## 用气场所\n是否安装可燃气体报警装置 | 现场查看 | GB 50028 | 重大",
        },
        ChecklistTemplate,
    ),
    FormCase(
        "inspections:campaign_create",
        "bureau",
        lambda w, c: "/inspections/campaigns/new/",
        lambda w, c: {
            "name": "汛期专项",
            "start": str(TODAY()),
            "end": str(TODAY() + timedelta(days=30)),
            "region": "130202",
            "domains": ["fire"],
            "lead": str(w.bureau.organisation_id),
        },
        Campaign,
    ),
    FormCase(
        "inspections:plan_create",
        "township",
        lambda w, c: "/inspections/plans/new/",
        lambda w, c: {
            "name": "月度检查",
            "inspector": str(w.township.pk),
            "template": str(_checklist().pk),
            "kind": "township",
            "frequency": "monthly",
            "start": str(TODAY().replace(day=1)),
            "enterprises": str(w.building_co.pk),
        },
        InspectionPlan,
    ),
    FormCase(
        "inspections:point_create",
        "enterprise_user",
        lambda w, c: f"/inspections/points/{w.building_co.pk}/new/",
        lambda w, c: {
            "name": "塔吊",
            "template": str(_checklist().pk),
            "latitude": "39.6",
            "longitude": "118.18",
            "radius_m": "100",
        },
        InspectionPoint,
    ),
]

#: Create views that keep their own key: the inspection form is made offline on a phone,
#: which generates `client_id` when the inspection starts (services.inspection_submit).
OWN_KEY = {"inspections:start"}


def _errors(html):
    import re

    found = re.findall(r"(?:invalid-feedback[^>]*|alert-danger[^>]*)>(.*?)</div>", html, re.S)
    return [re.sub(r"<[^>]+>", " ", f).strip() for f in found]


def _url_names():
    names = {}

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names[f"{namespace}:{p.name}" if namespace else p.name] = prefix + str(p.pattern)

    walk(get_resolver().url_patterns, "", None)
    return names


def test_every_create_view_is_covered():
    """A new create page (a URL named …create or ending in new/) needs a case here."""
    creates = {
        name
        for name, route in _url_names().items()
        if name.endswith("create") or route.endswith("new/")
    }
    covered = {case.url_name for case in CASES}
    assert creates - covered - OWN_KEY == set()
    assert covered <= set(_url_names())


@pytest.mark.parametrize("case", CASES, ids=[c.url_name for c in CASES])
def test_a_form_submitted_twice_creates_one_record(world, client, case):
    context = case.setup(world)
    client.force_login(getattr(world, case.user))
    action = case.action(world, context)
    page_url = case.page(world, context) if case.page else action
    page = client.get(page_url)
    assert page.status_code == 200
    fields = form_for(page.content.decode(), action.split("?")[0], page_url.split("?")[0])
    key = fields.get("idempotency_key")
    assert key, "the form has no idempotency key"
    before = case.model.objects.count()
    first = client.post(action, {**fields, **case.data(world, context)})
    assert first.status_code == 302, _errors(first.content.decode())
    assert case.model.objects.count() == before + 1
    second = client.post(action, {**fields, **case.data(world, context)})
    assert second.status_code == 302
    assert case.model.objects.count() == before + 1
    assert second["Location"] == first["Location"]
    # a fresh rendering of the form is a new submission with a new key
    assert (
        form_for(
            client.get(page_url).content.decode(), action.split("?")[0], page_url.split("?")[0]
        )["idempotency_key"]
        != key
    )


def test_a_form_that_failed_can_be_sent_again_with_its_key(world, client):
    client.force_login(world.township)
    url = f"/hazards/new/{world.building_co.pk}/"
    fields = form_for(client.get(url).content.decode(), url, url)
    data = {**fields, **CASES[0].data(world, {})}
    refused = client.post(url, {**data, "place": ""})
    assert refused.status_code == 200 and not Hazard.objects.exists()
    # the form comes back with the same key, and the corrected submission goes through
    again = form_for(refused.content.decode(), url, url)
    assert again["idempotency_key"] == fields["idempotency_key"]
    assert client.post(url, data).status_code == 302
    assert Hazard.objects.count() == 1


def test_the_key_belongs_to_the_user(world, client):
    url = f"/hazards/new/{world.building_co.pk}/"
    data = {**CASES[0].data(world, {}), "idempotency_key": "same-key"}
    client.force_login(world.township)
    client.post(url, data)
    client.force_login(world.bureau)
    client.post(url, data)
    assert Hazard.objects.count() == 2
