"""The interface is Chinese whatever language the browser asks for."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_chinese_labels_and_dates(world, client):
    client.force_login(world.bureau)
    page = client.get(
        f"/users/{world.township.pk}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert "用户名" in page and "电子邮件地址" in page
    for english in ("username", "email address", "last login", "a.m.", "p.m."):
        assert english not in page
