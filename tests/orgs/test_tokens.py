"""API tokens expire, die with a password change or a disabled account, and their owner
sees them (with last use) and revokes them on 我的令牌 and through the API."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from anjian.core.models import AuditEntry
from anjian.orgs import services
from anjian.orgs.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _me(key):
    return Client().get("/api/v1/auth/me", **_bearer(key))


def _revocations(user):
    return AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED, object_id=str(user.pk))


def test_new_tokens_expire_after_the_configured_days(world, settings):
    settings.ANJIAN_API_TOKEN_DAYS = 30
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "township", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(user=world.township)
    expected = timezone.now() + timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert response.json()["expires_at"]
    page_token, _ = services.api_token_create(user=world.township, name="页面")
    assert abs((page_token.expires_at - expected).total_seconds()) < 60


def test_a_token_without_expiry_cannot_be_stored(world):
    with pytest.raises(IntegrityError):
        ApiToken.objects.create(
            user=world.township, prefix="aj_x", key_hash="0" * 64, expires_at=None
        )


def test_an_expired_token_is_refused(world):
    token, key = services.api_token_create(user=world.township)
    assert _me(key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _me(key)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_changing_ones_own_password_revokes_every_token(world, client):
    _, first = services.api_token_create(user=world.township, name="脚本一")
    _, second = services.api_token_create(user=world.township, name="脚本二")
    client.force_login(world.township)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert response.status_code == 302
    assert _me(first).status_code == 401 and _me(second).status_code == 401
    assert not world.township.api_tokens.filter(revoked_at__isnull=True).exists()
    entry = _revocations(world.township).get()
    assert "修改密码" in entry.reason


def test_a_password_reset_by_the_admin_revokes_every_token(world, client):
    _, key = services.api_token_create(user=world.grid_worker)
    client.force_login(world.township)
    response = client.post(
        f"/users/{world.grid_worker.pk}/password/",
        {"new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
    )
    assert response.status_code == 302
    assert _me(key).status_code == 401
    assert _revocations(world.grid_worker).get().actor == world.township


def test_a_failed_password_change_keeps_the_tokens(world, client):
    _, key = services.api_token_create(user=world.township)
    client.force_login(world.township)
    client.post(
        "/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "Xin-mima-2026",
            "new_password2": "Xin-mima-2026",
        },
    )
    assert _me(key).status_code == 200 and not _revocations(world.township).exists()


def test_disabling_the_account_revokes_tokens_for_good_and_is_audited(world, client):
    _, key = services.api_token_create(user=world.grid_worker)
    services.user_set_active(
        actor=world.township, user=world.grid_worker, active=False, reason="调离"
    )
    assert _me(key).status_code == 401
    services.user_set_active(
        actor=world.township, user=world.grid_worker, active=True, reason="返岗"
    )
    assert _me(key).status_code == 401  # re-enabling does not bring the token back
    assert "停用" in _revocations(world.grid_worker).get().reason


def test_last_use_is_recorded_at_most_once_a_minute_and_shown(world, client):
    token, key = services.api_token_create(user=world.township, name="同步脚本")
    client.force_login(world.township)
    assert "从未使用" in client.get("/account/tokens/").content.decode()
    assert _me(key).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert _me(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use  # no write on every request
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    assert _me(key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=1)
    page = client.get("/account/tokens/").content.decode()
    local = timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M")
    expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d")
    assert "我的令牌" in page and "同步脚本" in page and local in page and expires in page


def test_my_tokens_page_revokes_and_audits(world, client):
    token, key = services.api_token_create(user=world.township)
    theirs, their_key = services.api_token_create(user=world.other_township)
    client.force_login(world.township)
    assert client.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    assert _me(their_key).status_code == 200
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert _me(key).status_code == 401
    entry = _revocations(world.township).get()
    assert entry.actor == world.township
    assert "已吊销" in client.get("/account/tokens/").content.decode()


def test_the_user_menu_leads_to_my_tokens(world, client):
    client.force_login(world.township)
    page = client.get("/").content.decode()
    assert 'href="/account/tokens/"' in page and "我的令牌" in page


def test_the_api_lists_own_tokens_with_expiry_and_last_use(world):
    token, key = services.api_token_create(user=world.township, name="脚本")
    services.api_token_create(user=world.other_township)
    listed = Client().get("/api/v1/auth/tokens", **_bearer(key)).json()
    assert [t["id"] for t in listed] == [token.pk]
    assert listed[0]["expires_at"] and listed[0]["last_used_at"]
    assert "token" not in listed[0] and "key_hash" not in listed[0]
    assert Client().delete(f"/api/v1/auth/tokens/{token.pk}", **_bearer(key)).status_code == 204
    assert _revocations(world.township).count() == 1
