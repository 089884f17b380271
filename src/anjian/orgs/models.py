"""Organisations, industries, grids, users and API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from anjian.core.access import ScopePaths
from anjian.core.models import TimeStampedModel
from anjian.rules.identifiers import credit_code_is_valid


class Industry(models.Model):
    """GB/T 4754-2017 国民经济行业分类: 门类 (letter) and 大类 (two digits) (R-ID-4)."""

    class Kind(models.TextChoices):
        SECTION = "section", "门类"
        DIVISION = "division", "大类"

    code = models.CharField("代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("层级", max_length=10, choices=Kind.choices)
    section = models.ForeignKey(
        "self",
        verbose_name="门类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="divisions",
    )

    class Meta:
        verbose_name = "行业"
        verbose_name_plural = "行业"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Organisation(TimeStampedModel):
    """A body that users belong to: a government, a department, an enterprise …

    For an enterprise this is the hook the enterprise register attaches to: its
    users' scope is this organisation's id (`scope_paths.enterprise`).
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府/街道办事处"
        SAFETY = "safety", "应急管理部门/安委办"
        DEPARTMENT = "department", "行业主管部门"
        ENTERPRISE = "enterprise", "生产经营单位"
        OTHER = "other", "其他单位"

    name = models.CharField("单位名称", max_length=200)
    kind = models.CharField("单位类型", max_length=20, choices=Kind.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    supervised_industries = models.ManyToManyField(
        Industry,
        verbose_name="监管行业",
        blank=True,
        related_name="supervising_departments",
        help_text="行业主管部门按“三管三必须”监管的门类或大类。",
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name="所属行业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Industry.Kind.DIVISION},
        help_text="生产经营单位所属的国民经济行业大类。",
    )
    grid = models.ForeignKey(
        "orgs.Grid",
        verbose_name="所属网格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    scope_paths = ScopePaths(
        region="region__code", industry="industry_id", enterprise="id", grid="grid_id"
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["region_id", "kind", "name"]
        indexes = [models.Index(fields=["name", "id"], name="orgs_org_name_id_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="orgs_organisation_credit_code_unique",
                violation_error_message="统一社会信用代码已存在。",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(
                fields=["region", "name"], name="orgs_organisation_region_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:organisation_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
            if not credit_code_is_valid(self.credit_code):
                errors["credit_code"] = "统一社会信用代码格式或校验位不正确。"
        if self.kind == self.Kind.ENTERPRISE and not self.industry_id:
            errors["industry"] = "生产经营单位须填写所属行业。"
        if self.kind != self.Kind.ENTERPRISE and self.industry_id:
            errors["industry"] = "只有生产经营单位填写所属行业。"
        if (
            self.grid_id
            and self.region_id
            and self.grid
            and not self.region_id.startswith(self.grid.region_id[:9])
        ):
            errors["grid"] = "网格须在单位所在的乡镇/街道内。"
        if errors:
            raise ValidationError(errors)

    def supervised_division_codes(self) -> frozenset[str]:
        """The 大类 codes this department supervises (a 门类 counts as all its 大类)."""
        codes: set[str] = set()
        for industry in self.supervised_industries.all():
            if industry.kind == Industry.Kind.SECTION:
                codes.update(industry.divisions.values_list("code", flat=True))
            else:
                codes.add(industry.code)
        return frozenset(codes)


class SupervisionOverride(TimeStampedModel):
    """A per-enterprise exception to the industry → department mapping (三管三必须).

    ADD puts an enterprise under a department whatever its industry; REMOVE takes
    it out although its industry would put it in.
    """

    class Mode(models.TextChoices):
        ADD = "add", "增加监管"
        REMOVE = "remove", "排除监管"

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name="企业",
        on_delete=models.CASCADE,
        related_name="supervision_overrides",
        limit_choices_to={"kind": Organisation.Kind.ENTERPRISE},
    )
    department = models.ForeignKey(
        Organisation,
        verbose_name="行业主管部门",
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    mode = models.CharField("方式", max_length=10, choices=Mode.choices)
    reason = models.CharField("原因", max_length=255, blank=True)

    class Meta:
        verbose_name = "监管部门调整"
        verbose_name_plural = "监管部门调整"
        ordering = ["enterprise_id", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "department"], name="orgs_supervision_override_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.get_mode_display()} {self.enterprise}"


class Grid(TimeStampedModel):
    """A grid (网格) inside a township, looked after by grid workers (网格员)."""

    name = models.CharField("网格名称", max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )

    scope_paths = ScopePaths(region="region__code", grid="id")

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="orgs_grid_region_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """User roles of DESIGN §2. Which organisation kinds each role fits: ROLE_ORG_KINDS."""

    LEADER = "leader", "政府领导"
    SAFETY = "safety", "应急管理/安委办"
    DEPARTMENT = "department", "行业部门"
    TOWNSHIP = "township", "乡镇/街道"
    GRID = "grid", "网格员"
    ENTERPRISE = "enterprise", "企业"
    EXPERT = "expert", "专家"


ROLE_ORG_KINDS: dict[str, set[str]] = {
    Role.LEADER: {Organisation.Kind.GOVERNMENT},
    Role.SAFETY: {Organisation.Kind.SAFETY},
    Role.DEPARTMENT: {Organisation.Kind.DEPARTMENT},
    Role.TOWNSHIP: {Organisation.Kind.GOVERNMENT},
    Role.GRID: {Organisation.Kind.GOVERNMENT},
    Role.ENTERPRISE: {Organisation.Kind.ENTERPRISE},
    Role.EXPERT: {Organisation.Kind.OTHER, Organisation.Kind.SAFETY},
}


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=60)
    phone = models.CharField("手机号", max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    is_org_admin = models.BooleanField(
        "单位管理员", default=False, help_text="可以管理本单位的用户。"
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name="负责网格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = UserManager()

    scope_paths = ScopePaths(
        region="organisation__region__code",
        industry="organisation__industry_id",
        enterprise="organisation_id",
        grid="organisation__grid_id",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["organisation_id", "username"]
        constraints = [
            # Logins are told apart without regard to case (the login throttle folds
            # case too): "ZhangSan" and "zhangsan" cannot both exist.
            models.UniqueConstraint(
                Lower("username"),
                name="orgs_user_username_ci_unique",
                violation_error_message="用户名已存在（不区分大小写）。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    def get_absolute_url(self) -> str:
        return reverse("orgs:user_detail", args=[self.pk])

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.is_superuser:
            return
        errors: dict[str, str] = {}
        if not self.organisation_id:
            errors["organisation"] = "请选择所属单位。"
        if not self.role:
            errors["role"] = "请选择角色。"
        elif self.organisation_id and self.organisation.kind not in ROLE_ORG_KINDS[self.role]:
            errors["role"] = (
                f"“{self.get_role_display()}”角色不适用于{self.organisation.get_kind_display()}。"
            )
        if self.role == Role.GRID:
            if not self.grid_id:
                errors["grid"] = "网格员须指定负责网格。"
            elif self.organisation_id and not self.grid.region_id.startswith(
                self.organisation.region_id
            ):
                errors["grid"] = "网格须在所属单位的辖区内。"
        elif self.grid_id:
            errors["grid"] = "只有网格员需要指定负责网格。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


def default_token_expiry() -> datetime:
    """When a token made now stops working: ANJIAN_API_TOKEN_DAYS from now."""
    return timezone.now() + timedelta(days=settings.ANJIAN_API_TOKEN_DAYS)


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 is stored; the token is shown once.

    Every token expires; it is revoked when its user's password changes or the
    account is disabled (anjian.orgs.services).
    """

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", default=default_token_expiry)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.name or '未命名'}）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and self.expires_at > now


class LoginThrottle(TimeStampedModel):
    """Failed sign-ins counted for one key, and until when that key is refused.

    Three keys per failure (anjian.orgs.throttle): the account from this source
    address, the account from anywhere (a much higher limit) and the source on any
    account. Usernames are counted whether or not they exist, so the answers never
    tell which exist. Kept in the database, which every process shares.
    """

    class Scope(models.TextChoices):
        ACCOUNT_SOURCE = "account_source", "账号+来源地址"
        ACCOUNT = "account", "账号"
        SOURCE = "source", "来源地址"

    scope = models.CharField("范围", max_length=20, choices=Scope.choices)
    username = models.CharField("用户名", max_length=150, blank=True)
    source = models.CharField("来源地址", max_length=45, blank=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    window_started_at = models.DateTimeField("计数起始", default=timezone.now)
    blocked_until = models.DateTimeField("限制至", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "登录限制"
        verbose_name_plural = "登录限制"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "username", "source"], name="orgs_login_throttle_key_unique"
            )
        ]
        indexes = [models.Index(fields=["username", "scope"], name="orgs_login_throttle_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.username} {self.source}".strip()
