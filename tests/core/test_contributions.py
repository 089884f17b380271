"""Modules plug in: core knows none of them, each app declares what it adds in one
place, and core and the project read the declarations."""

import ast
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from anjian.core import contributions
from anjian.core.models import ScheduledJob
from anjian.core.navigation import entries, items_for
from anjian.core.schedule import start_due_jobs

SRC = Path(__file__).resolve().parents[2] / "src" / "anjian"
#: What core may import: the foundation every module stands on (who a user is, where a
#: region lies). Every other app of ours is a module core must not know.
FOUNDATION = {"anjian.core", "anjian.orgs", "anjian.regions"}


def _modules() -> set[str]:
    return {
        a.name
        for a in apps.get_app_configs()
        if a.name.startswith("anjian.") and a.name not in FOUNDATION
    }


def test_core_names_no_module():
    """No import of, and no dotted path into, a module's package anywhere in core
    (code, commands, templates of core), so a new module needs no change there."""
    modules = _modules()
    assert {"anjian.hazards", "anjian.accidents", "anjian.inspections"} <= modules
    found = []
    for path in (SRC / "core").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value]
            for name in names:
                if any(name == m or name.startswith(f"{m}.") for m in modules):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}")
    assert found == []


def test_project_files_name_no_module_either():
    """urls.py and the API object beside it mount only what the apps declare."""
    for name in ("urls.py", "api.py"):
        text = (SRC / name).read_text()
        assert not any(m in text for m in _modules()), name


@pytest.mark.django_db
def test_every_declared_entry_reverses_and_every_app_with_pages_declares_some():
    for entry in entries():
        assert reverse(entry.url_name)
    declared_apps = {c.app for c in contributions.contributions()}
    assert {"orgs", "regions", "enterprises", "hazards", "accidents", "inspections"} <= (
        declared_apps
    )


def test_api_paths_unchanged_by_the_declarations():
    """The API mounted from the declarations has every path it had when core mounted
    the routers itself (new endpoints may be added)."""
    from anjian.api import api

    before = json.loads((Path(__file__).parent / "api_paths_before_contributions.json").read_text())
    schema = api.get_openapi_schema()["paths"]
    for path, methods in before:
        assert path in schema, path
        assert set(methods) <= set(schema[path]), path
    assert reverse("api-v1:openapi-view") == "/api/v1/docs"


def test_api_routers_are_declared_once():
    prefixes = [r.prefix for r in contributions.api_routers()]
    assert len(prefixes) == len(set(prefixes))


# Navigation by role -------------------------------------------------------------------

GOVERNMENT_ONLY = {"控制指标", "重点关注企业", "单位", "用户管理", "API文档"}


def _labels(user):
    return {i["label"] for i in items_for(user)}


@pytest.mark.django_db
def test_enterprise_user_does_not_see_government_entries(world):
    assert world.enterprise_user.is_org_admin  # an admin, still no 用户管理
    seen = _labels(world.enterprise_user)
    assert seen.isdisjoint(GOVERNMENT_ONLY)
    assert {"首页", "企业台账", "隐患台账", "事故台账", "检查记录"} <= seen


@pytest.mark.django_db
def test_bureau_sees_government_entries(world):
    assert _labels(world.bureau) >= GOVERNMENT_ONLY
    assert "运维后台" not in _labels(world.bureau)


@pytest.mark.django_db
def test_expert_sees_only_home_and_an_explicit_empty_state(world, client):
    assert _labels(world.expert) == {"首页"}
    client.force_login(world.expert)
    page = client.get("/").content.decode()
    assert "暂无指派给您的记录" in page
    assert "辖区" not in page  # no empty region cards or pickers


@pytest.mark.django_db
def test_nav_groups_render_in_the_side_navigation(world, client):
    client.force_login(world.enterprise_user)
    page = client.get("/").content.decode()
    assert 'id="app-sidebar"' in page
    for label in GOVERNMENT_ONLY:
        assert f"> {label}</a>" not in page


# Needs action ------------------------------------------------------------------------


@pytest.mark.django_db
def test_needs_action_lists_what_waits_for_the_user_with_filtered_links(world, client):
    from anjian.hazards import services as hazard_services
    from tests.hazards.conftest import hazard_data

    hazard_services.hazard_register(
        actor=world.township, enterprise=world.building_co.enterprise, data=hazard_data()
    )
    client.force_login(world.enterprise_user)
    actions = {a["label"]: a for a in client.get("/").context["actions"]}
    assert actions["待整改隐患"]["count"] == 1
    listed = client.get(actions["待整改隐患"]["url"])
    assert listed.status_code == 200
    # the outsider has nothing waiting, and sees nothing of it
    client.force_login(world.other_district_bureau)
    assert "待整改隐患" not in {a["label"] for a in client.get("/").context["actions"]}


# Scheduled jobs ---------------------------------------------------------------------


@pytest.mark.django_db
def test_hazard_reminders_are_declared_hourly():
    job = next(j for j in contributions.jobs() if j.name == "hazards.remind")
    assert job.every == timedelta(hours=1) and job.command == ("hazards", "remind")


@pytest.mark.django_db
def test_a_due_job_starts_once_when_two_workers_poll_at_once(monkeypatch):
    ran = []
    monkeypatch.setattr("anjian.core.schedule.call_command", lambda *args: ran.append(args))
    now = timezone.now()
    first = start_due_jobs(now)
    second = start_due_jobs(now)  # the other worker, same moment
    assert "hazards.remind" in first and second == []
    assert ran.count(("hazards", "remind")) == 1
    assert start_due_jobs(now + timedelta(minutes=59)) == []
    assert start_due_jobs(now + timedelta(hours=1)) == list(first)
    assert ran.count(("hazards", "remind")) == 2
    row = ScheduledJob.objects.get(name="hazards.remind")
    assert row.next_run_at == now + timedelta(hours=2)


@pytest.mark.django_db
def test_grid_worker_home_shows_its_grid_not_the_township(world, client):
    client.force_login(world.grid_worker)
    response = client.get("/")
    page = response.content.decode()
    assert f"网格：{world.grid1.name}" in page
    assert response.context["chart"] is None  # no chart of the township's communities
    units = {c["label"]: c["value"] for c in response.context["cards"]}
    assert units["生产经营单位"] == 1  # the building company; not the township's chemical one


@pytest.mark.django_db
def test_open_investigations_wait_for_the_bureau_and_the_link_lists_them(world, client):
    from tests.accidents.conftest import report

    report(world)
    client.force_login(world.bureau)
    actions = {a["label"]: a for a in client.get("/").context["actions"]}
    item = actions["调查未结案事故"]
    assert item["count"] == 1
    listed = client.get(item["url"])
    assert listed.status_code == 200 and "宏达建筑公司" in listed.content.decode()
    client.force_login(world.enterprise_user)
    assert "调查未结案事故" not in {a["label"] for a in client.get("/").context["actions"]}
