"""Who is told what about a hazard (the inbox; outside senders follow the setting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from anjian.core.notifications import notify
from anjian.hazards.models import Hazard, Listing, Status, stalled_q
from anjian.orgs.models import Role, User


def enterprise_people(hazard: Hazard) -> QuerySet[User]:
    """The enterprise's own users: they are responsible for rectification."""
    return User.objects.filter(organisation_id=hazard.enterprise_id, is_active=True)


def supervising_people(hazard: Hazard) -> list[User]:
    """Who verifies: whoever registered it (if a supervisor), the township office of its
    township, and for a listed hazard the supervising organisation."""
    people: list[User] = []
    if hazard.found_by and hazard.found_by.role in {Role.SAFETY, Role.TOWNSHIP, Role.DEPARTMENT}:
        people.append(hazard.found_by)
    people += list(
        User.objects.filter(
            role=Role.TOWNSHIP, is_active=True, organisation__region_id=hazard.region_code[:9]
        )
    )
    listing = Listing.objects.filter(hazard=hazard).first()
    if listing is not None:
        people += list(
            User.objects.filter(organisation_id=listing.supervising_org_id, is_active=True)
        )
    return people


def _label(hazard: Hazard) -> str:
    return f"{hazard.enterprise.organisation.name}：{hazard.place}"


def registered(hazard: Hazard, actor: Any) -> None:
    if hazard.status == Status.CLOSED:
        return
    notify(
        [u for u in enterprise_people(hazard) if u.pk != actor.pk],
        kind="hazard_registered",
        title=f"新隐患待整改：{_label(hazard)}",
        body=hazard.description,
        url=hazard.get_absolute_url(),
    )


def submitted(hazard: Hazard, actor: Any) -> None:
    notify(
        [u for u in supervising_people(hazard) if u.pk != actor.pk],
        kind="hazard_submitted",
        title=f"隐患整改待验收：{_label(hazard)}",
        body=hazard.rectification_note,
        url=hazard.get_absolute_url(),
    )


def rejected(hazard: Hazard, actor: Any, reason: str) -> None:
    notify(
        [u for u in enterprise_people(hazard) if u.pk != actor.pk],
        kind="hazard_rejected",
        title=f"隐患验收不通过：{_label(hazard)}",
        body=reason,
        url=hazard.get_absolute_url(),
    )


def remind(now: datetime | None = None, *, days_before: int = 3) -> tuple[int, int]:
    """Deadline reminders, idempotent per hazard and deadline: 3 days before the deadline
    to the enterprise; once overdue to the enterprise and the supervising side.
    Returns (due-soon notices, overdue notices) sent by this run."""
    now = now or timezone.now()
    soon = overdue = 0
    running = Hazard.objects.filter(
        status__in=[Status.REGISTERED, Status.RECTIFYING], deadline__isnull=False
    )
    for hazard in running.filter(
        deadline__gt=now, deadline__lte=now + timezone.timedelta(days=days_before)
    ).select_related("enterprise__organisation"):
        key = f"hazard-{hazard.pk}-due-{hazard.deadline.isoformat() if hazard.deadline else ''}"
        soon += len(
            notify(
                enterprise_people(hazard),
                kind="hazard_due",
                dedupe_key=key,
                title=f"隐患整改即将到期：{_label(hazard)}",
                body=f"整改期限 {timezone.localtime(hazard.deadline):%Y-%m-%d %H:%M}",
                url=hazard.get_absolute_url(),
            )
        )
    for hazard in running.filter(deadline__lte=now).select_related(
        "enterprise__organisation", "found_by"
    ):
        key = f"hazard-{hazard.pk}-overdue-{hazard.deadline.isoformat() if hazard.deadline else ''}"
        people = [*enterprise_people(hazard), *supervising_people(hazard)]
        overdue += len(
            notify(
                people,
                kind="hazard_overdue",
                dedupe_key=key,
                title=f"隐患逾期未整改：{_label(hazard)}",
                body=f"整改期限 {timezone.localtime(hazard.deadline):%Y-%m-%d %H:%M} 已过",
                url=hazard.get_absolute_url(),
            )
        )
    return soon, overdue


def remind_stalled(now: datetime | None = None) -> int:
    """未制定方案: once per hazard, tell the enterprise and the supervising side that a
    hazard has waited ANJIAN_HAZARD_PLAN_DAYS days without a plan. Returns notices sent."""
    sent = 0
    for hazard in Hazard.objects.filter(stalled_q(now)).select_related(
        "enterprise__organisation", "found_by"
    ):
        people = [*enterprise_people(hazard), *supervising_people(hazard)]
        sent += len(
            notify(
                people,
                kind="hazard_stalled",
                dedupe_key=f"hazard-{hazard.pk}-stalled",
                title=f"隐患未制定整改方案：{_label(hazard)}",
                body=f"{timezone.localtime(hazard.found_at):%Y-%m-%d} 登记，至今未确定整改方案",
                url=hazard.get_absolute_url(),
            )
        )
    return sent
