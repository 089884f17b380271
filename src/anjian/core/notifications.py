"""In-app notifications with pluggable outside senders (email, SMS, …).

`notify` writes one inbox row per recipient in the caller's transaction and, after
the commit, queues their delivery through the senders named in the setting
ANJIAN_NOTIFICATION_SENDERS (default: a sender that only logs). A `dedupe_key`
makes a notification idempotent per recipient, so reminders can run repeatedly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from anjian.core.models import Notification

log = logging.getLogger("anjian.notifications")


class Sender:
    """Delivers a notification outside the system. Subclass for an SMS gateway."""

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class LoggingSender(Sender):
    def send(self, notification: Notification) -> None:
        log.info(
            "notify %s: %s %s",
            notification.recipient.get_username(),
            notification.title,
            notification.url,
        )


class EmailSender(Sender):
    def send(self, notification: Notification) -> None:
        if notification.recipient.email:
            send_mail(
                notification.title,
                f"{notification.body}\n\n{notification.url}",
                None,
                [notification.recipient.email],
                fail_silently=False,
            )


class SmsSender(Sender):
    """Base for SMS gateways: implement `send_sms(phone, text)`."""

    def send(self, notification: Notification) -> None:
        phone = getattr(notification.recipient, "phone", "")
        if phone:
            self.send_sms(phone, f"{notification.title}：{notification.body}"[:300])

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError


def senders() -> list[Sender]:
    return [import_string(path)() for path in getattr(settings, "ANJIAN_NOTIFICATION_SENDERS", [])]


def notify(
    recipients: Iterable[Any],
    *,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each active recipient once (per `dedupe_key` when given)."""
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        if (
            dedupe_key
            and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists()
        ):
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=user,
                        title=title[:200],
                        body=body,
                        url=url,
                        kind=kind,
                        dedupe_key=dedupe_key,
                    )
                )
        except IntegrityError:
            if not dedupe_key:
                raise
            continue  # a concurrent run notified under the same key first
    if created:
        ids = [n.pk for n in created]

        def deliver() -> None:
            from anjian.core.tasks import deliver_notifications

            deliver_notifications.enqueue(ids)

        transaction.on_commit(deliver)
    return created


def deliver(ids: list[int]) -> None:
    for notification in Notification.objects.filter(pk__in=ids).select_related("recipient"):
        for sender in senders():
            try:
                sender.send(notification)
            except Exception:  # one failing channel must not stop the others
                log.exception(
                    "sender %s failed for notification %s", type(sender).__name__, notification.pk
                )
