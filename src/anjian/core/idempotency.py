"""One create per idempotency key: a double click or a retried request makes one record.

Every create form carries a hidden key made when the form is rendered (the
`idempotency_field` template tag, in `core/_form_fields.html`); the form and action
patterns in `core.forms` run the submission through `run_once`. API clients send an
`Idempotency-Key` header, which the create endpoints hand to their service; services
take it as `idempotency_key` through the `idempotent` decorator.

How it holds under concurrency: the (user, key) row is inserted first, inside the
transaction that creates the record. A second request with the same key blocks on the
unique index (PostgreSQL) or on the write lock (SQLite, BEGIN IMMEDIATE) until the
first commits, then fails to insert and reads the record the first one bound to the
key. If the first one fails, its row goes with its rollback and the second one creates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction

#: The hidden form field that carries the key.
FORM_FIELD = "idempotency_key"
#: The request header API clients send.
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

# (user id, key) pairs claimed by the running request: a service called with the same
# key inside a form submission that already holds it does not claim it twice.
_claimed: ContextVar[frozenset[tuple[int, str]]] = ContextVar(
    "anjian_idempotency_claimed", default=frozenset()
)


class Replay:
    """The outcome of a repeated key: the record the first submission made (or None if
    that submission made no record or it has since been deleted)."""

    def __init__(self, record: models.Model | None):
        self.record = record


def clean_key(key: Any) -> str | None:
    """The key as stored, None when absent; a malformed key is the client's error."""
    if key is None:
        return None
    text = str(key).strip()
    if not text:
        return None
    if len(text) > MAX_KEY_LENGTH or not text.isascii() or not text.isprintable():
        raise ValidationError(
            {
                FORM_FIELD: f"提交编号（Idempotency-Key）须为不超过{MAX_KEY_LENGTH}个字符的ASCII字符串。"
            }
        )
    return text


def _applies(user: Any, key: str | None) -> bool:
    return key is not None and user is not None and getattr(user, "is_authenticated", False)


def previous(user: Any, key: Any) -> Replay | None:
    """The earlier submission with this key, if one has been committed."""
    from anjian.core.models import IdempotencyKey

    key = clean_key(key)
    if not _applies(user, key):
        return None
    claim = IdempotencyKey.objects.filter(user=user, key=key).first()
    return None if claim is None else Replay(_record_of_claim(claim))


def run_once(
    user: Any, key: Any, create: Callable[[], T], *, model: type[models.Model] | None = None
) -> tuple[T | Replay, bool]:
    """Call `create()` unless `user` already used `key`; returns (result, created).

    On a repeat the result is a `Replay` with the first record. `model`, when given, is
    the kind of record this create makes: a key already used for another kind of record
    is refused rather than answered with the wrong record."""
    from anjian.core.models import IdempotencyKey

    key = clean_key(key)
    if not _applies(user, key):
        return create(), True
    if (user.pk, key) in _claimed.get():
        return create(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(user=user, key=key)
        except IntegrityError:
            first = IdempotencyKey.objects.filter(user=user, key=key).first()
            if first is None:  # pragma: no cover - the row's owner cannot have vanished
                raise
            return Replay(_checked_record(first, model)), False
        token = _claimed.set(_claimed.get() | {(user.pk, key)})
        try:
            result = create()
        finally:
            _claimed.reset(token)
        record = _record_in(result)
        if record is not None:
            from django.contrib.contenttypes.models import ContentType

            claim.content_type = ContentType.objects.get_for_model(record)
            claim.object_id = str(record.pk)
            claim.save(update_fields=["content_type", "object_id"])
        return result, True


def idempotent(model: type[models.Model]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """For a create service that declares `idempotency_key: str | None = None`: a repeat
    of the same actor's key returns the record the first call created and creates
    nothing. The service takes its user as `actor` (or `user`); the key never reaches
    its body."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = kwargs.pop("idempotency_key", None)
            user = kwargs.get("actor", kwargs.get("user"))
            result, created = run_once(user, key, lambda: service(*args, **kwargs), model=model)
            if created:
                return cast(R, result)
            record = cast(Replay, result).record
            if record is None:
                raise ValidationError({FORM_FIELD: "该提交编号已使用，原记录已不存在。"})
            return cast(R, record)

        return wrapper

    return decorate


def _record_in(result: Any) -> models.Model | None:
    if isinstance(result, models.Model) and result.pk is not None:
        return result
    if isinstance(result, tuple | list) and result and isinstance(result[0], models.Model):
        return result[0]  # (record, created) or the first of several made at once
    return None


def _record_of_claim(claim: Any) -> models.Model | None:
    if claim.content_type_id is None:
        return None
    try:
        record: models.Model = claim.content_type.get_object_for_this_type(pk=claim.object_id)
        return record
    except ObjectDoesNotExist:
        return None


def _checked_record(claim: Any, model: type[models.Model] | None) -> models.Model | None:
    record = _record_of_claim(claim)
    if model is not None and record is not None and not isinstance(record, model):
        raise ValidationError({FORM_FIELD: "该提交编号已用于其他记录。"})
    return record


def _api_header() -> Any:
    from typing import Annotated

    from ninja import Header

    return Annotated[
        str | None,
        Header(  # type: ignore[type-arg]
            None,
            alias=HEADER,
            description=(
                "幂等键：客户端为每次创建生成的唯一字符串（如 UUID，≤100个ASCII字符）。"
                "同一用户以同一键重复请求（双击、超时重试）不会重复创建，返回首次创建的记录。"
            ),
        ),
    ]


#: Declare on every create endpoint: `idempotency_key: IdempotencyKeyHeader = None`.
IdempotencyKeyHeader = _api_header()


#: A retry comes within minutes; a key is kept long enough for a phone that was offline.
KEEP_DAYS = 30


def purge(days: int = KEEP_DAYS) -> int:
    """Forget keys older than `days`; returns how many. (`anjian idempotency-keys`)"""
    from datetime import timedelta

    from django.utils import timezone

    from anjian.core.models import IdempotencyKey

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
