"""Base model and the audit trail every domain record writes to."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from anjian.core.fields import LONG_TEXT_LENGTH, TEXT_LENGTH, BoundedTextField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录不可修改")

    def delete(self):
        raise PermissionError("审计记录不可删除")


class AuditEntry(models.Model):
    """One change of one record: who, when, what (before → after) and why.

    Append-only: the model refuses updates and deletes, and database triggers
    (migration 0003) refuse UPDATE everywhere and DELETE on PostgreSQL; the database
    sets `created_at` (migration 0005). The application's PostgreSQL role may only
    SELECT and INSERT here (`anjian dbroles`).
    """

    class Action(models.TextChoices):
        CREATE = "create", "创建"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        TRANSITION = "transition", "状态变更"
        DEACTIVATE = "deactivate", "停用"
        ACTIVATE = "activate", "启用"
        PASSWORD = "password", "修改密码"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED = "locked", "账号锁定"
        TOKEN_CREATED = "token_created", "创建API令牌"
        TOKEN_REVOKED = "token_revoked", "吊销API令牌"

    #: Set by the database, never by the caller: a trigger overwrites whatever an INSERT
    #: brings on PostgreSQL and refuses a time not its own on SQLite (migration 0005).
    created_at = models.DateTimeField("时间", db_default=Now(), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name="记录类型", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField("记录ID", max_length=64)
    object_repr = models.CharField("记录", max_length=255)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    reason = BoundedTextField("原因", max_length=TEXT_LENGTH, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="core_audit_object_idx"
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录不可删除")


class Notification(TimeStampedModel):
    """One message in a user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类别", max_length=40, blank=True)
    title = models.CharField("标题", max_length=200)
    body = BoundedTextField("内容", max_length=LONG_TEXT_LENGTH, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="core_notification_inbox_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="core_notification_dedupe",
                violation_error_message="该通知已发送过。",
            )
        ]

    def __str__(self) -> str:
        return self.title


class IdempotencyKey(models.Model):
    """A create a user has made with a key: a repeat with the same key gets this record.

    The unique (user, key) row is inserted in the same transaction as the record it
    names, so a second request with the key waits for the first and then finds it
    (see `anjian.core.idempotency`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("提交编号", max_length=100)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="记录类型",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.CharField("记录ID", max_length=64, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "提交编号"
        verbose_name_plural = "提交编号"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ScheduledJob(models.Model):
    """When a declared scheduled job (anjian.core.contributions.Job) is next due.

    A worker starts a due job by moving `next_run_at` forward in one conditional
    UPDATE: of several workers polling at the same moment exactly one changes the row,
    and only that one queues the job (see `anjian.core.schedule`)."""

    name = models.CharField("任务", max_length=100, unique=True)
    next_run_at = models.DateTimeField("下次运行")
    last_started_at = models.DateTimeField("上次启动", null=True, blank=True)
    last_task_id = models.CharField("上次后台任务", max_length=64, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
