"""Authentication with account lockout after repeated failures.

After ANJIAN_LOGIN_MAX_FAILURES consecutive failures the account is locked for
ANJIAN_LOGIN_LOCK_MINUTES; every failure and every lock is logged to
`anjian.security` and written to the audit trail. A locked account is refused
even with the right password, so guessing cannot continue during the lock.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F

from anjian.core import audit
from anjian.core.models import AuditEntry

log = logging.getLogger("anjian.security")


class AccountLocked(Exception):
    def __init__(self, until):
        super().__init__("account locked")
        self.until = until


def _client(request) -> str:
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


def check_credentials(request, username: str | None, password: str | None):
    """The active user for these credentials, None when they are wrong.

    Raises AccountLocked while the account is locked. Counts failures and locks.
    """
    from django.utils import timezone

    from anjian.orgs.models import User

    if not username or password is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        User().set_password(password)  # same cost as a real check: no user enumeration by timing
        log.warning("login failed: unknown user %r from %s", username, _client(request))
        return None
    if user.is_locked:
        log.warning(
            "login refused: %s is locked until %s (from %s)",
            username,
            user.locked_until,
            _client(request),
        )
        raise AccountLocked(user.locked_until)
    if user.check_password(password) and user.is_active:
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            user.failed_logins, user.locked_until = 0, None
        return user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        log.warning(
            "login failed: %s (%d in a row) from %s", username, user.failed_logins, _client(request)
        )
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
            reason=f"来自 {_client(request)}",
        )
        if user.failed_logins >= settings.ANJIAN_LOGIN_MAX_FAILURES:
            until = timezone.now() + timedelta(minutes=settings.ANJIAN_LOGIN_LOCK_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            log.warning("account %s locked until %s", username, until)
            audit.record(
                actor=None,
                instance=user,
                action=AuditEntry.Action.LOCKED,
                changes={
                    "locked_until": {"label": "锁定至", "from": None, "to": until.isoformat()}
                },
                reason=f"连续{settings.ANJIAN_LOGIN_MAX_FAILURES}次登录失败",
            )
    return None


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return check_credentials(request, username, password)
        except AccountLocked:
            if request is not None:
                request.anjian_locked = True
            return None
