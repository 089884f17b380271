"""Login, lockout, logout, password change, session expiry."""

import pytest
from django.utils import timezone

from anjian.core.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_and_logout(world, client):
    response = _login(client, "township", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "学院南路街道" in client.get("/").content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_pages_require_login(client, world):
    for url in ["/", "/organisations/", f"/organisations/{world.building_co.pk}/", "/users/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_wrong_password_shows_a_chinese_error(world, client):
    page = _login(client, "township", "wrong-password").content.decode()
    assert "用户名或密码不正确" in page


def test_repeated_failures_lock_the_account_and_are_logged(world, client, settings, caplog):
    """From the address that failed: the account is refused there (anywhere else it is
    not: tests/orgs/test_login_throttle.py)."""
    settings.ANJIAN_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "township", "wrong-password")
    page = _login(client, "township", PASSWORD)  # the right password is refused while locked
    assert page.status_code == 200 and "登录失败次数过多" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.LOGIN_FAILED, object_id=str(world.township.pk)
        ).count()
        == 3
    )
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.LOCKED, object_id=str(world.township.pk)
    ).exists()
    assert any("locked" in r.getMessage() for r in caplog.records)


def test_lock_expires(world, client, settings):
    from anjian.orgs.models import LoginThrottle

    settings.ANJIAN_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        _login(client, "township", "wrong")
    assert _login(client, "township", PASSWORD).status_code == 200
    LoginThrottle.objects.filter(blocked_until__isnull=False).update(
        blocked_until=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert _login(client, "township", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(world, client, settings):
    settings.ANJIAN_LOGIN_MAX_FAILURES = 3
    _login(client, "township", "wrong")
    _login(client, "township", "wrong")
    _login(client, "township", PASSWORD)
    world.township.refresh_from_db()
    assert world.township.failed_logins == 0 and not world.township.is_locked


def test_inactive_user_cannot_log_in(world, client):
    type(world.township).objects.filter(pk=world.township.pk).update(is_active=False)
    assert _login(client, "township", PASSWORD).status_code == 200


def test_password_change_needs_the_old_password(world, client):
    client.force_login(world.township)
    page = client.post(
        "/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200 and ("旧密码不正确" in text or "原密码不正确" in text)
    world.township.refresh_from_db()
    assert world.township.check_password(PASSWORD)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert response.status_code == 302
    world.township.refresh_from_db()
    assert world.township.check_password("Xin-mima-2026")
    assert client.get("/").status_code == 200  # still signed in
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.PASSWORD, object_id=str(world.township.pk)
    ).exists()


def test_weak_password_is_refused_in_chinese(world, client):
    client.force_login(world.township)
    page = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    ).content.decode()
    assert "密码" in page and ("常见" in page or "数字" in page)
    world.township.refresh_from_db()
    assert world.township.check_password(PASSWORD)


def test_session_and_security_settings(settings, client, world):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY
    client.force_login(world.township)
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bureau)
    response = client.post(
        f"/organisations/{world.chemical_co.pk}/active/", {"active": "0", "reason": "x"}
    )
    assert response.status_code == 403
    world.chemical_co.refresh_from_db()
    assert world.chemical_co.is_active
