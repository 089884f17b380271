"""Login throttling by account and by source address.

Every failed sign-in counts against three keys (LoginThrottle rows):

- the account from this source address: after ANJIAN_LOGIN_MAX_FAILURES that
  address is refused for that account — a stranger who fails five times refuses
  only himself, never the owner signing in from elsewhere;
- the account from anywhere: a much higher limit (ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES)
  against guessing spread over many addresses;
- the source on any account (ANJIAN_LOGIN_SOURCE_MAX_FAILURES) against one address
  trying a password on many accounts.

A refused key stays refused for ANJIAN_LOGIN_LOCK_MINUTES; an administrator can lift
an account's limits at once (services.user_unlock). The key is the username as typed
(case-folded), whether or not such a user exists, and the caller answers a refused
attempt before looking the user up, so no answer tells which usernames exist.

The rows live in the database rather than Django's cache: the cache is per process
unless a shared one is configured, and a throttle that silently splits its counts
over the server's processes would be weaker than it looks; the database is shared
by every process in the demo (SQLite) and in production (PostgreSQL) alike, and the
extra writes happen only on failures, next to a password hash that costs far more.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anjian.orgs.models import LoginThrottle

Scope = LoginThrottle.Scope


def throttle_username(username: str | None) -> str:
    """The key a typed username counts under: case-folded, bounded, storable."""
    return (username or "").replace("\x00", "").strip().casefold()[:150]


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """The address a request comes from: REMOTE_ADDR, unless that is a trusted proxy
    (ANJIAN_TRUSTED_PROXIES); then the nearest X-Forwarded-For entry that is not one.
    Entries further left were written by the client and prove nothing."""
    if request is None:
        return "-"
    remote = (request.META.get("REMOTE_ADDR", "") or "-")[:45]
    trusted = _networks(tuple(settings.ANJIAN_TRUSTED_PROXIES))
    remote_ip = _ip(remote)

    def is_trusted(ip) -> bool:
        return any(ip in net for net in trusted)

    if not trusted or remote_ip is None or not is_trusted(remote_ip):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            break  # a malformed entry: stop at the last proxy we trust
        if not is_trusted(ip):
            return str(ip)
    return remote


def _keys(username: str, source: str) -> dict[str, tuple[str, str]]:
    return {
        Scope.ACCOUNT_SOURCE: (username, source),
        Scope.ACCOUNT: (username, ""),
        Scope.SOURCE: ("", source),
    }


def _limits() -> dict[str, int]:
    return {
        Scope.ACCOUNT_SOURCE: settings.ANJIAN_LOGIN_MAX_FAILURES,
        Scope.ACCOUNT: settings.ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES,
        Scope.SOURCE: settings.ANJIAN_LOGIN_SOURCE_MAX_FAILURES,
    }


def _period() -> timedelta:
    return timedelta(minutes=settings.ANJIAN_LOGIN_LOCK_MINUTES)


def blocked_until(username: str, source: str, now: datetime | None = None) -> datetime | None:
    """Until when an attempt at `username` from `source` is refused; None when it is not."""
    now = now or timezone.now()
    match = Q()
    for scope, (user_key, source_key) in _keys(username, source).items():
        match |= Q(scope=scope, username=user_key, source=source_key)
    return (
        LoginThrottle.objects.filter(match, blocked_until__gt=now)
        .order_by("-blocked_until")
        .values_list("blocked_until", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt. It is counted as a failure before the password is checked,
    so attempts in flight at the same time cannot slip past a limit together; a right
    password takes the count back (attempt_succeeded)."""

    username: str
    source: str
    refused_until: datetime | None = None
    #: the keys this attempt's count took to their limit, and until when they are refused
    newly_blocked: dict[str, datetime] = field(default_factory=dict)

    @property
    def account_blocked_until(self) -> datetime | None:
        return self.newly_blocked.get(Scope.ACCOUNT)

    @property
    def account_source_blocked_until(self) -> datetime | None:
        return self.newly_blocked.get(Scope.ACCOUNT_SOURCE)


def begin_attempt(username: str, source: str, now: datetime | None = None) -> Attempt:
    """Refuse the attempt (refused_until) or count it against every key."""
    now = now or timezone.now()
    # A refused attempt writes nothing: a cheap read answers it.
    if until := blocked_until(username, source, now):
        return Attempt(username, source, refused_until=until)
    if random.random() < 0.01:  # keys are the attacker's to choose: keep the table small
        purge_expired(now)
    return _count(username, source, now)


@transaction.atomic
def _count(username: str, source: str, now: datetime) -> Attempt:
    period, limits = _period(), _limits()
    rows = [
        # always the same order, so concurrent attempts cannot deadlock
        LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope, username=user_key, source=source_key
        )[0]
        for scope, (user_key, source_key) in _keys(username, source).items()
    ]
    refused = [r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now]
    if refused:  # another attempt got there first
        return Attempt(username, source, refused_until=max(refused))
    newly: dict[str, datetime] = {}
    for row in rows:
        if row.window_started_at + period <= now:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= limits[row.scope]:
            row.blocked_until = now + period
            row.failures, row.window_started_at = 0, now
            newly[row.scope] = row.blocked_until
        row.save(update_fields=["failures", "window_started_at", "blocked_until", "updated_at"])
    return Attempt(username, source, newly_blocked=newly)


@transaction.atomic
def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: the account starts again from this source, and the
    account-wide and source-wide counts take back this attempt (they are not reset, so a
    success from one address does not give guessers elsewhere a fresh allowance)."""
    username, source = attempt.username, attempt.source
    LoginThrottle.objects.filter(
        scope=Scope.ACCOUNT_SOURCE, username=username, source=source
    ).delete()
    limits = _limits()
    for scope, (user_key, source_key) in _keys(username, source).items():
        if scope == Scope.ACCOUNT_SOURCE:
            continue
        row = (
            LoginThrottle.objects.select_for_update()
            .filter(scope=scope, username=user_key, source=source_key)
            .first()
        )
        if row is None:
            continue
        if scope in attempt.newly_blocked and row.blocked_until == attempt.newly_blocked[scope]:
            row.blocked_until, row.failures = None, limits[scope] - 1
        else:
            row.failures = max(0, row.failures - 1)
        row.save(update_fields=["failures", "blocked_until", "updated_at"])


def active_for_account(username: str) -> list[LoginThrottle]:
    """The account's limits in force now (what an administrator would lift)."""
    return list(
        LoginThrottle.objects.filter(
            username=throttle_username(username),
            scope__in=[Scope.ACCOUNT_SOURCE, Scope.ACCOUNT],
            blocked_until__gt=timezone.now(),
        ).order_by("scope", "source")
    )


def clear_account(username: str) -> int:
    """Forget every count and limit on the account; returns how many keys were refused."""
    rows = LoginThrottle.objects.filter(
        username=throttle_username(username), scope__in=[Scope.ACCOUNT_SOURCE, Scope.ACCOUNT]
    )
    refused = rows.filter(blocked_until__gt=timezone.now()).count()
    rows.delete()
    return refused


def purge_expired(now: datetime | None = None) -> int:
    """Drop rows whose window and limit are both over (they would start from zero anyway)."""
    now = now or timezone.now()
    stale = LoginThrottle.objects.filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lte=now),
        window_started_at__lte=now - _period(),
    )
    return stale.delete()[0]
