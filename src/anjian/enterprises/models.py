"""The register of 生产经营单位 (企业台账).

An Enterprise is the register's profile of an Organisation of kind ENTERPRISE and
shares its primary key: name, credit code, region, industry, grid, address,
phone and the active flag live on the organisation (one source of truth); the
register's own facts live here. Because the keys are equal, every later record
that points at an enterprise is scoped by `enterprise_id` exactly like the
enterprise users' scope (their organisation's id).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse

from anjian.core.access import ScopePaths
from anjian.core.files import ServerNamedFileField
from anjian.core.models import TimeStampedModel
from anjian.orgs.models import Organisation


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", "在营"
    SUSPENDED = "suspended", "停产整顿"
    CLOSED = "closed", "关闭"
    DEREGISTERED = "deregistered", "注销"


class MajorHazardGrade(models.TextChoices):
    GRADE_1 = "1", "一级"
    GRADE_2 = "2", "二级"
    GRADE_3 = "3", "三级"
    GRADE_4 = "4", "四级"


#: Key-industry flags that rules depend on (R-EMG-2 high-risk units, 工贸 key areas),
#: as (field name, label). The order is the order of the form and the import template.
KEY_FLAGS: tuple[tuple[str, str], ...] = (
    ("is_mine", "矿山"),
    ("is_hazardous_chemicals", "危险化学品"),
    ("is_fireworks", "烟花爆竹"),
    ("is_metal_smelting", "金属冶炼"),
    ("is_construction", "建筑施工"),
    ("is_crowded_place", "人员密集场所"),
    ("is_urban_rail", "城市轨道交通"),
    ("is_flammable_explosive", "易燃易爆物品"),
    ("is_dust_explosion", "粉尘涉爆"),
    ("is_ammonia_refrigeration", "涉氨制冷"),
    ("is_confined_space", "有限空间作业"),
)


class Enterprise(TimeStampedModel):
    organisation = models.OneToOneField(
        Organisation,
        verbose_name="单位",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="enterprise",
    )
    legal_representative = models.CharField("法定代表人", max_length=60, blank=True)
    principal_name = models.CharField("主要负责人", max_length=60, blank=True)
    principal_phone = models.CharField("主要负责人电话", max_length=20, blank=True)
    safety_officer_name = models.CharField("安全管理人员", max_length=60, blank=True)
    safety_officer_phone = models.CharField("安全管理人员电话", max_length=20, blank=True)
    village = models.CharField("村（社区）", max_length=60, blank=True)
    longitude = models.DecimalField(
        "经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("73")), MaxValueValidator(Decimal("136"))],
    )
    latitude = models.DecimalField(
        "纬度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("54"))],
    )
    employees = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    above_scale = models.BooleanField("规模以上", default=False)
    is_mine = models.BooleanField("矿山", default=False)
    is_hazardous_chemicals = models.BooleanField("危险化学品", default=False)
    is_fireworks = models.BooleanField("烟花爆竹", default=False)
    is_metal_smelting = models.BooleanField("金属冶炼", default=False)
    is_construction = models.BooleanField("建筑施工", default=False)
    is_crowded_place = models.BooleanField("人员密集场所", default=False)
    is_urban_rail = models.BooleanField("城市轨道交通", default=False)
    is_flammable_explosive = models.BooleanField("易燃易爆物品", default=False)
    is_dust_explosion = models.BooleanField("粉尘涉爆", default=False)
    is_ammonia_refrigeration = models.BooleanField("涉氨制冷", default=False)
    is_confined_space = models.BooleanField("有限空间作业", default=False)
    has_major_hazard = models.BooleanField("重大危险源", default=False)
    major_hazard_grade = models.CharField(
        "重大危险源等级", max_length=1, choices=MajorHazardGrade.choices, blank=True
    )
    status = models.CharField(
        "经营状态",
        max_length=20,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
        db_index=True,
    )

    scope_paths = ScopePaths(
        region="organisation__region__code",
        industry="organisation__industry_id",
        enterprise="organisation_id",
        grid="organisation__grid_id",
    )

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["-organisation_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_major_hazard=True) | Q(major_hazard_grade=""),
                name="enterprises_grade_needs_major_hazard",
                violation_error_message="未构成重大危险源的企业不能填写重大危险源等级。",
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])

    def clean(self) -> None:
        if self.has_major_hazard and not self.major_hazard_grade:
            raise ValidationError({"major_hazard_grade": "有重大危险源的，须填写等级。"})
        if not self.has_major_hazard and self.major_hazard_grade:
            raise ValidationError({"major_hazard_grade": "没有重大危险源，不应填写等级。"})
        if (self.longitude is None) != (self.latitude is None):
            raise ValidationError({"latitude": "经度和纬度须同时填写。"})

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def township_code(self) -> str:
        return self.organisation.region_id[:9]

    def key_flags(self) -> list[str]:
        return [label for name, label in KEY_FLAGS if getattr(self, name)]

    def is_high_risk(self) -> bool:
        """Whether the unit drills every half year (R-EMG-2), via anjian.rules."""
        from anjian.rules.emergency import is_high_risk_unit

        return is_high_risk_unit(
            hazardous_chemicals=self.is_hazardous_chemicals,
            flammable_explosive=self.is_flammable_explosive,
            mine=self.is_mine,
            metal_smelting=self.is_metal_smelting,
            urban_rail=self.is_urban_rail,
            construction=self.is_construction,
            crowded_place=self.is_crowded_place,
        )


@receiver(pre_delete, sender=Enterprise, dispatch_uid="enterprises_keep_profile")
def _refuse_profile_delete(
    sender: type[Enterprise], instance: Enterprise, **kwargs: object
) -> None:
    """A profile goes only with its organisation, and organisations are deactivated,
    not deleted: an organisation of kind ENTERPRISE without its profile breaks every
    list that covers it. Migration 0002 refuses the same in PostgreSQL itself."""
    raise models.ProtectedError(
        "企业台账记录不能删除，请停用单位或把经营状态改为“注销”。", {instance}
    )


class ChangeRequest(TimeStampedModel):
    """A change of key fields (name, credit code, industry, region) asked for by the
    enterprise itself; the township or the bureau approves or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="change_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    #: {field: {"label", "from", "to", "value"}}: readable before/after, and the raw new value.
    changes = models.JSONField("变更内容")
    reason = models.CharField("申请理由", max_length=500, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=500, blank=True)

    scope_paths = ScopePaths(
        region="enterprise__organisation__region__code",
        industry="enterprise__organisation__industry_id",
        enterprise="enterprise_id",
        grid="enterprise__organisation__grid_id",
    )

    class Meta:
        verbose_name = "关键信息变更申请"
        verbose_name_plural = "关键信息变更申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status="pending"),
                name="enterprises_one_pending_change_request",
                violation_error_message="已有一份待审核的变更申请，请等待审核或先撤回。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} 变更申请（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return self.enterprise.get_absolute_url()


class ImportJob(TimeStampedModel):
    """One Excel import: uploaded, checked row by row, then applied in the background."""

    class Status(models.TextChoices):
        CHECKING = "checking", "校验中"
        CHECKED = "checked", "校验完成"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已取消"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", "全部有效才导入"
        VALID_ONLY = "valid", "只导入有效行"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    file = ServerNamedFileField("文件", upload_to="imports/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=255)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.CHECKING
    )
    mode = models.CharField("导入方式", max_length=10, choices=Mode.choices, blank=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    valid_rows = models.PositiveIntegerField("有效行数", default=0)
    error_rows = models.PositiveIntegerField("错误行数", default=0)
    #: [{"row", "column", "value", "message"}], at most ERROR_LIMIT entries.
    errors = models.JSONField("校验错误", default=list, blank=True)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变化", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:import_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.CHECKING, self.Status.IMPORTING) else 100
        return min(100, round(self.processed_rows * 100 / self.total_rows))

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)
