"""Login throttling: by account and source address, blind to whether a username exists,
never a lock a stranger can put on someone else's account, and an administrator unlock."""

import re
from unittest import mock

import pytest
from django.test import Client, RequestFactory

from anjian.core.models import AuditEntry
from anjian.orgs.models import ApiToken, LoginThrottle, User
from anjian.orgs.throttle import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ANJIAN_LOGIN_MAX_FAILURES = 3
    settings.ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES = 30
    settings.ANJIAN_LOGIN_SOURCE_MAX_FAILURES = 30
    settings.ANJIAN_LOGIN_LOCK_MINUTES = 15


def _token(username, password, source=STRANGER):
    return Client(REMOTE_ADDR=source).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def _page(username, password, source=STRANGER):
    return Client(REMOTE_ADDR=source).post("/login/", {"username": username, "password": password})


def _answer(response):
    return response.status_code, response.json(), response.get("Retry-After")


def _page_text(response):
    """The login page without what differs between any two renderings (the CSRF token)
    and without the username the form echoes back."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r'id="id_username"[^>]*>', "", text)


def test_unknown_and_known_usernames_get_identical_api_answers_in_sequence(world):
    known = [_answer(_token("township", "wrong-password")) for _ in range(6)]
    unknown = [_answer(_token("no-such-user", "wrong-password")) for _ in range(6)]
    assert known == unknown
    assert [status for status, _, _ in known] == [401, 401, 401, 429, 429, 429]
    assert known[3][1]["code"] == "too_many_attempts" and known[3][2]
    # the right password does not tell either: the throttled source is refused all the same
    throttles, audits = list(LoginThrottle.objects.values()), AuditEntry.objects.count()
    assert _answer(_token("township", PASSWORD)) == unknown[-1]
    assert not ApiToken.objects.exists()
    # a refused attempt writes nothing: no count, no audit row
    assert list(LoginThrottle.objects.values()) == throttles
    assert AuditEntry.objects.count() == audits


def test_unknown_and_known_usernames_get_identical_login_pages_in_sequence(world):
    known = [_page("township", "wrong-password") for _ in range(5)]
    unknown = [_page("no-such-user", "wrong-password") for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [_page_text(r) for r in known] == [_page_text(r) for r in unknown]
    assert "用户名或密码不正确" in _page_text(known[0])
    assert "登录失败次数过多" in _page_text(known[-1])


def test_a_stranger_cannot_lock_the_owner_out_from_another_address(world):
    for _ in range(10):
        _token("township", "wrong-password", source=STRANGER)
    assert _token("township", PASSWORD, source=STRANGER).status_code == 429
    assert _token("township", PASSWORD, source=OWNER).status_code == 201
    page = _page("township", PASSWORD, source=OWNER)
    assert page.status_code == 302
    world.township.refresh_from_db()
    assert not world.township.is_locked


def test_the_account_wide_limit_is_higher_and_covers_every_source(world, settings):
    settings.ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES = 7
    for i in range(7):
        _token("township", "wrong-password", source=f"192.0.2.{i // 3}")
    assert _token("township", PASSWORD, source=OWNER).status_code == 429
    assert _token("no-such-user", "x", source=OWNER).status_code == 401  # others unaffected
    world.township.refresh_from_db()
    assert world.township.is_locked
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.LOCKED, object_id=str(world.township.pk)
    ).exists()


def test_unknown_usernames_reach_the_account_wide_limit_alike(world, settings):
    settings.ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES = 7
    for name in ("township", "no-such-user"):
        answers = [
            _token(name, "wrong-password", source=f"192.0.2.{i // 3}").status_code for i in range(8)
        ]
        assert answers == [401] * 7 + [429], name


def test_one_source_is_throttled_across_accounts(world, settings):
    settings.ANJIAN_LOGIN_SOURCE_MAX_FAILURES = 5
    for i in range(5):
        _token(f"guess{i}", "wrong-password")
    assert _token("township", PASSWORD).status_code == 429
    assert _token("township", PASSWORD, source=OWNER).status_code == 201


def test_the_owner_logging_in_clears_its_own_source_count(world):
    _token("township", "wrong-password", source=OWNER)
    _token("township", "wrong-password", source=OWNER)
    assert _token("township", PASSWORD, source=OWNER).status_code == 201
    _token("township", "wrong-password", source=OWNER)
    _token("township", "wrong-password", source=OWNER)
    assert _token("township", PASSWORD, source=OWNER).status_code == 201


def test_the_hasher_runs_for_unknown_usernames(world):
    with mock.patch.object(User, "set_password", autospec=True) as hashing:
        assert _token("no-such-user", "wrong-password").status_code == 401
    assert hashing.call_count == 1
    with mock.patch.object(User, "check_password", autospec=True, return_value=False) as checking:
        assert _token("township", "wrong-password").status_code == 401
    assert checking.call_count == 1


@pytest.mark.parametrize("username", ["x" * 5000, "  "])
def test_odd_usernames_are_plain_failures(world, username):
    with mock.patch.object(User, "set_password", autospec=True) as hashing:
        response = _token(username, "wrong-password")
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"
    assert hashing.call_count == 1


def test_a_nul_in_a_username_is_refused_alike_for_known_and_unknown_names(world):
    # The API's input guard refuses NUL characters before any lookup, so the answer
    # cannot tell a known name from an unknown one.
    answers = [_token(name, "wrong-password") for name in ("township\x00", "no-such\x00")]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()


def test_failures_of_a_known_user_are_audited_and_logged(world, caplog):
    for _ in range(3):
        _page("township", "wrong-password")
    assert (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.LOGIN_FAILED, object_id=str(world.township.pk)
        ).count()
        == 3
    )
    assert any(STRANGER in r.getMessage() for r in caplog.records)


def _throttle_township(settings):
    settings.ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES = 4
    for _ in range(3):
        _token("township", "wrong-password", source=OWNER)
    for i in range(4):
        _token("township", "wrong-password", source=f"192.0.2.{i}")
    assert _token("township", PASSWORD, source=OWNER).status_code == 429


def test_an_administrator_unlocks_an_account_from_the_user_page(world, settings, client):
    _throttle_township(settings)
    client.force_login(world.bureau)
    detail = client.get(f"/users/{world.township.pk}/").content.decode()
    assert "登录限制" in detail and OWNER in detail
    response = client.post(f"/users/{world.township.pk}/unlock/", {"reason": "本人来电确认"})
    assert response.status_code == 302
    assert not LoginThrottle.objects.filter(username="township").exists()
    world.township.refresh_from_db()
    assert not world.township.is_locked and world.township.failed_logins == 0
    entry = AuditEntry.objects.filter(object_id=str(world.township.pk)).first()
    assert entry.actor == world.bureau and entry.reason == "本人来电确认"
    assert _token("township", PASSWORD, source=OWNER).status_code == 201


def test_unlock_needs_the_right_to_manage_the_user(world, settings, client):
    _throttle_township(settings)
    client.force_login(world.other_township)
    response = client.post(f"/users/{world.township.pk}/unlock/", {"reason": "x"})
    assert response.status_code in (403, 404)
    assert LoginThrottle.objects.filter(username="township").exists()
    world.township.refresh_from_db()
    assert world.township.is_locked


def test_an_operator_unlocks_too_and_an_empty_reason_changes_nothing(world, settings, client):
    _throttle_township(settings)
    operator = User.objects.create_superuser("ops", password=PASSWORD)
    client.force_login(operator)
    client.post(f"/users/{world.township.pk}/unlock/", {"reason": ""})
    assert LoginThrottle.objects.filter(username="township").exists()
    client.post(f"/users/{world.township.pk}/unlock/", {"reason": "误操作"})
    assert not LoginThrottle.objects.filter(username="township").exists()


def test_source_address_is_remote_addr_unless_the_proxy_is_trusted(settings):
    rf = RequestFactory()
    spoofed = rf.get("/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(spoofed) == STRANGER
    settings.ANJIAN_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    proxied = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {OWNER}, 10.0.0.3"
    )
    assert client_address(proxied) == OWNER  # the client's own claim (1.2.3.4) is not trusted
    assert client_address(spoofed) == STRANGER
    garbage = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_address(garbage) == "127.0.0.1"


def test_attempts_in_flight_together_cannot_pass_a_limit_together(world):
    """Each attempt is counted before its password hash runs: the fourth of four
    attempts begun at once is refused although none has finished."""
    from anjian.orgs import throttle

    begun = [throttle.begin_attempt("township", STRANGER) for _ in range(3)]
    assert [a.refused_until for a in begun] == [None, None, None]
    assert throttle.begin_attempt("township", STRANGER).refused_until is not None
    assert throttle.begin_attempt("township", OWNER).refused_until is None


def test_a_right_password_takes_back_its_count(world, settings):
    settings.ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES = 3
    for _ in range(2):
        _token("township", "wrong-password", source=OWNER)
    for _ in range(5):  # successes never add up to a limit
        assert _token("township", PASSWORD, source=STRANGER).status_code == 201
    assert LoginThrottle.objects.get(scope="account", username="township").failures == 2
