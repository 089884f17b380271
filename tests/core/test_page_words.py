"""Words a user reads before and around the work: the login page and the README name
only modules that are installed, the API docs open with a Chinese introduction, and the
site has its own icon."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"

#: Modules that come with later issues: no page or README may promise them yet.
NOT_YET = ("演练", "值班", "考核", "应急一体化", "drill", "duty roster", "assessment")


def _installed_module_names():
    return {str(c.verbose_name) for c in apps.get_app_configs() if c.name.startswith("anjian.")}


def test_login_page_names_only_installed_modules():
    html = Client().get("/login/").content.decode()
    named = re.findall(r'<span data-testid="module">([^<]+)</span>', html)
    assert named, "the login page names the modules"
    assert set(named) <= _installed_module_names()
    assert {"隐患排查治理", "事故报告与统计", "检查与专项整治", "企业台账"} <= set(named)
    for word in NOT_YET:
        assert word not in html, word


def test_readme_describes_what_exists():
    text = README.read_text(encoding="utf-8")
    for word in NOT_YET:
        assert word.lower() not in text.lower(), word
    layout = text.split("## Layout", 1)[1].split("```", 2)[1]
    folders = set(re.findall(r"^  (\w+)/", layout, re.M))
    installed = {
        c.name.split(".", 1)[1] for c in apps.get_app_configs() if c.name.startswith("anjian.")
    }
    assert folders - {"rules"} == installed


def test_api_docs_open_with_a_chinese_introduction(world, client):
    client.force_login(world.bureau)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "openapi.json" in docs.content.decode()
    intro = client.get("/api/v1/openapi.json").json()["info"]["description"]
    for words in (
        "## 认证",
        "Authorization: Bearer",
        "令牌会过期",
        "## 数据范围",
        "404",
        "## 错误格式",
        '"detail"',
        "## 分页",
        "page_size",
        "Idempotency-Key",
        "不带时区的时间一律按北京时间",
    ):
        assert words in intro, words


def test_favicon_is_linked_and_answers():
    html = Client().get("/login/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert icons and all(u.startswith("/static/") for u in icons), icons
    client = Client()
    for url in icons:
        assert client.get(url).status_code == 200, url
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    icon = client.get(answer["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
