"""Authentication with login throttling (anjian.orgs.throttle).

One function, check_credentials, decides every sign-in: the login page, the /ops/
admin (through the backend) and the API token endpoint. It answers a username that
does not exist exactly like one that does: the same refusal, counted the same way,
after the same password hash. Failures on real accounts are also written to the
audit trail; every failure and refusal is logged to `anjian.security`.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from anjian.core import audit
from anjian.core.models import AuditEntry
from anjian.orgs import throttle

log = logging.getLogger("anjian.security")

MESSAGE_THROTTLED = "登录失败次数过多，请{minutes}分钟后再试；急需登录请联系单位管理员解除限制。"


class LoginThrottled(Exception):
    """This attempt's account or source address is refused until `until`."""

    def __init__(self, until: datetime):
        super().__init__("login throttled")
        self.until = until

    @property
    def minutes(self) -> int:
        """Whole minutes left (rounded up, so equal for attempts a moment apart)."""
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    @property
    def message(self) -> str:
        return MESSAGE_THROTTLED.format(minutes=self.minutes)


def _find_user(username: str):
    from anjian.orgs.models import User

    if not username or "\x00" in username or len(username) > 150:
        return None
    return User.objects.filter(username=username).first()


def check_credentials(request, username: str | None, password: str | None):
    """The active user for these credentials, None when they are wrong.

    Raises LoginThrottled while this attempt's account (from this source, or from
    anywhere) or source address is refused; that is decided before the user is looked
    up, so it never depends on whether the username exists. The attempt counts as a
    failure until the password proves right.
    """
    from anjian.orgs.models import User

    if username is None or password is None:
        return None
    source = throttle.client_address(request)
    key = throttle.throttle_username(username)
    attempt = throttle.begin_attempt(key, source)
    if attempt.refused_until is not None:
        log.warning(
            "login refused: %r from %s is throttled until %s", key, source, attempt.refused_until
        )
        raise LoginThrottled(attempt.refused_until)
    user = _find_user(username)
    if user is None:
        User().set_password(password)  # the same hash as a real check: no oracle in the time
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if ok:
        throttle.attempt_succeeded(attempt)
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            user.failed_logins, user.locked_until = 0, None
        return user
    log.warning("login failed: %r from %s%s", key, source, "" if user else " (no such user)")
    if user is not None:
        _note_failure(user, source, attempt)
    return None


@transaction.atomic
def _note_failure(user, source: str, attempt: throttle.Attempt) -> None:
    """The failure (and any limit it set) in the account's audit trail."""
    from anjian.orgs.models import User

    User.objects.filter(pk=user.pk).update(failed_logins=Least(F("failed_logins") + 1, 32767))
    user.refresh_from_db(fields=["failed_logins"])
    audit.record(
        actor=None,
        instance=user,
        action=AuditEntry.Action.LOGIN_FAILED,
        changes={
            "failed_logins": {
                "label": "连续失败次数",
                "from": user.failed_logins - 1,
                "to": user.failed_logins,
            }
        },
        reason=f"来自 {source}",
    )
    if attempt.account_source_blocked_until:
        until = attempt.account_source_blocked_until
        log.warning("login to %s from %s locked until %s", user.username, source, until)
        audit.record(
            actor=None,
            instance=user,
            action=AuditEntry.Action.LOCKED,
            changes={
                "login_throttle": {
                    "label": "登录限制",
                    "from": None,
                    "to": f"来自 {source} 的登录暂停至 {timezone.localtime(until):%Y-%m-%d %H:%M}",
                }
            },
            reason="同一来源连续登录失败",
        )
    if attempt.account_blocked_until:
        until = attempt.account_blocked_until
        User.objects.filter(pk=user.pk).update(locked_until=until)
        log.warning("account %s locked until %s", user.username, until)
        audit.record(
            actor=None,
            instance=user,
            action=AuditEntry.Action.LOCKED,
            changes={"locked_until": {"label": "锁定至", "from": None, "to": until.isoformat()}},
            reason="多个来源登录失败次数过多",
        )


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            from anjian.orgs.models import User

            username = kwargs.get(User.USERNAME_FIELD)
        try:
            return check_credentials(request, username, password)
        except LoginThrottled as exc:
            if request is not None:
                request.anjian_throttled = exc
            return None
