"""The write path for organisations, users and API tokens: atomic, checked, audited."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anjian.core import audit, copies
from anjian.core.access import scope_for
from anjian.core.idempotency import idempotent
from anjian.core.models import AuditEntry
from anjian.orgs import permissions
from anjian.orgs.models import ApiToken, Industry, Organisation, User, default_token_expiry

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "region",
    "parent",
    "industry",
    "grid",
    "credit_code",
    "address",
    "phone",
)
USER_FIELDS = ("full_name", "phone", "email", "role", "is_org_admin", "grid")


def _check_kind(organisation: Organisation, original_kind: str | None = None) -> None:
    """Enterprises are registered, and their kind changed, only through the register,
    which keeps each one's register profile (anjian.enterprises)."""
    enterprise = Organisation.Kind.ENTERPRISE
    if organisation.kind == enterprise and original_kind != enterprise:
        raise ValidationError({"kind": "生产经营单位请在“企业台账”中登记。"})
    if original_kind == enterprise and organisation.kind != enterprise:
        raise ValidationError({"kind": "不能把生产经营单位改为其他类型。"})


def _check_region_in_scope(actor: User, organisation: Organisation) -> None:
    if not scope_for(actor).covers_region(organisation.region_id):
        raise ValidationError({"region": "只能在本辖区内登记单位。"})


@idempotent(Organisation)
@transaction.atomic
def organisation_create(
    *,
    actor: User,
    data: dict[str, Any],
    supervised_industries: list[Industry] | None = None,
    idempotency_key: str | None = None,
) -> Organisation:
    if not permissions.can_manage_organisations(actor):
        raise PermissionDenied("无权登记单位。")
    organisation = Organisation(**{k: v for k, v in data.items() if k in ORGANISATION_FIELDS})
    _check_kind(organisation)
    _check_region_in_scope(actor, organisation)
    organisation.full_clean()
    organisation.save()
    if supervised_industries is not None:
        organisation.supervised_industries.set(supervised_industries)
    audit.record(actor=actor, instance=organisation, action=AuditEntry.Action.CREATE, before={})
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    supervised_industries: list[Industry] | None = None,
    reason: str = "",
) -> Organisation:
    if not permissions.can_manage_organisations(actor):
        raise PermissionDenied("无权修改单位信息。")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    original_kind = organisation.kind

    def check(changed: Organisation) -> None:
        _check_kind(changed, original_kind)
        _check_region_in_scope(actor, changed)

    changes = audit.save_with_audit(
        actor=actor,
        instance=organisation,
        values={k: v for k, v in data.items() if k in ORGANISATION_FIELDS},
        m2m=None
        if supervised_industries is None
        else {"supervised_industries": supervised_industries},
        check=check,
        reason=reason,
    )
    if changes:
        # Records that copy an enterprise's region, industry or grid follow it here too.
        copies.follow(Organisation, [organisation.pk], changed=changes)
    return organisation


@transaction.atomic
def organisation_set_active(
    *, actor: User, organisation: Organisation, active: bool, reason: str
) -> Organisation:
    if not permissions.can_manage_organisations(actor):
        raise PermissionDenied("无权停用或启用单位。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写原因。"})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    audit.save_with_audit(
        actor=actor,
        instance=organisation,
        values={"is_active": active},
        action=AuditEntry.Action.ACTIVATE if active else AuditEntry.Action.DEACTIVATE,
        reason=reason,
    )
    return organisation


@idempotent(User)
@transaction.atomic
def user_create(
    *,
    actor: User,
    organisation: Organisation,
    username: str,
    password: str,
    data: dict[str, Any],
    idempotency_key: str | None = None,
) -> User:
    if not permissions.can_manage_users_of(actor, organisation):
        raise PermissionDenied("无权为该单位添加用户。")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用。"})
    user = User(
        username=username,
        organisation=organisation,
        **{k: v for k, v in data.items() if k in USER_FIELDS},
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor=actor, instance=user, action=AuditEntry.Action.CREATE, before={})
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, data: dict[str, Any], reason: str = "") -> User:
    if not permissions.can_manage_users_of(actor, user.organisation):
        raise PermissionDenied("无权修改该用户。")
    demoting_self = user.pk == actor.pk and data.get("is_org_admin") is False
    if demoting_self and not actor.is_superuser:
        raise ValidationError({"is_org_admin": "不能取消自己的单位管理员权限。"})
    user = User.objects.select_for_update().get(pk=user.pk)
    audit.save_with_audit(
        actor=actor,
        instance=user,
        values={k: v for k, v in data.items() if k in USER_FIELDS},
        reason=reason,
    )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, reason: str) -> User:
    if not permissions.can_manage_users_of(actor, user.organisation):
        raise PermissionDenied("无权停用或启用该用户。")
    if user.pk == actor.pk:
        raise ValidationError({"reason": "不能停用自己的账号。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写原因。"})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    values: dict[str, Any] = {"is_active": active}
    if active:
        values.update(failed_logins=0, locked_until=None)
    audit.save_with_audit(
        actor=actor,
        instance=user,
        values=values,
        action=AuditEntry.Action.ACTIVATE if active else AuditEntry.Action.DEACTIVATE,
        reason=reason,
    )
    if not active:
        revoke_all_tokens(actor=actor, user=user, reason=f"停用账号：{reason}")
    return user


@transaction.atomic
def user_set_password(
    *, actor: User, user: User, password: str, old_password: str | None = None
) -> User:
    """Change a password: one's own (with the old one) or, for an org admin, a member's."""
    if user.pk == actor.pk:
        if old_password is None or not user.check_password(old_password):
            raise ValidationError({"old_password": "原密码不正确。"})
    elif not permissions.can_manage_users_of(actor, user.organisation):
        raise PermissionDenied("无权重置该用户的密码。")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(password)
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["password", "failed_logins", "locked_until"])
    how = "本人修改" if user.pk == actor.pk else "管理员重置"
    audit.record(
        actor=actor, instance=user, action=AuditEntry.Action.PASSWORD, changes={}, reason=how
    )
    # A token made with the old password must not outlive it (sessions die with the
    # password hash by Django's own check; tokens need this).
    revoke_all_tokens(actor=actor, user=user, reason=f"修改密码（{how}）")
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User, reason: str) -> int:
    """Lift every login limit on `user`'s account (from every source) at once, for the
    administrators who manage the user. Returns how many limits were in force."""
    from anjian.orgs import throttle

    if not permissions.can_manage_users_of(actor, user.organisation):
        raise PermissionDenied("无权解除该用户的登录限制。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写原因。"})
    user = User.objects.select_for_update().get(pk=user.pk)
    was_locked_until = user.locked_until
    lifted = throttle.clear_account(user.username)
    if not lifted and not user.is_locked:
        raise ValidationError({"reason": "该账号当前没有登录限制。"})
    user.failed_logins, user.locked_until = 0, None
    user.save(update_fields=["failed_logins", "locked_until"])
    audit.record(
        actor=actor,
        instance=user,
        action=AuditEntry.Action.UPDATE,
        changes={
            "login_throttle": {
                "label": "登录限制",
                "from": f"{lifted}项限制"
                + (f"，锁定至 {was_locked_until.isoformat()}" if was_locked_until else ""),
                "to": "已解除",
            }
        },
        reason=reason,
    )
    return lifted


def revoke_all_tokens(*, actor: User, user: User, reason: str) -> int:
    """Revoke every live token of `user` in the caller's transaction, one audit row."""
    live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    if not live:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )
    audit.record(
        actor=actor,
        instance=user,
        action=AuditEntry.Action.TOKEN_REVOKED,
        changes={
            "api_token": {
                "label": "API令牌",
                "from": "、".join(str(t) for t in live),
                "to": "已吊销",
            }
        },
        reason=reason,
    )
    return len(live)


@transaction.atomic
def api_token_create(
    *, user: User, name: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the token (shown only once).

    It expires at `expires_at`, never later than ANJIAN_API_TOKEN_DAYS from now."""
    key = "aj_" + secrets.token_urlsafe(32)
    latest = default_token_expiry()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=min(expires_at, latest) if expires_at else latest,
    )
    audit.record(
        actor=user,
        instance=user,
        action=AuditEntry.Action.TOKEN_CREATED,
        changes={"api_token": {"label": "API令牌", "from": None, "to": str(token)}},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("只能吊销自己的令牌。")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=actor,
            instance=token.user,
            action=AuditEntry.Action.TOKEN_REVOKED,
            changes={"api_token": {"label": "API令牌", "from": str(token), "to": "已吊销"}},
        )
    return token


def api_token_user(key: str) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or expired one."""
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # At most one write a minute per token, even with concurrent requests.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(seconds=60))
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token.user
