"""Checklists (versioned), inspections done on a phone, QR inspection points, plans and
campaigns (专项整治).

A checklist version is never changed: editing a checklist creates the next version,
and an inspection keeps the version it was done with. An inspection copies its
enterprise's region, industry and grid, like a hazard, so scoped lists hit one table;
they follow the enterprise when it moves (declared in apps.py, see anjian.core.copies).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from anjian.core.access import ScopePaths
from anjian.core.fields import NOTE_LENGTH, TEXT_LENGTH, BoundedTextField
from anjian.core.files import ServerNamedFileField
from anjian.core.models import TimeStampedModel
from anjian.hazards.models import FACTOR_CLASS_CHOICES, Source


class ChecklistTemplate(TimeStampedModel):
    """One version of a checklist (检查表). `family` ties the versions together."""

    family = models.UUIDField("检查表编号", default=uuid.uuid4, db_index=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_current = models.BooleanField("现行版本", default=True)
    name = models.CharField("名称", max_length=100)
    domain = models.ForeignKey(
        "hazards.HazardDomain", verbose_name="领域", on_delete=models.PROTECT, related_name="+"
    )
    industry_codes = models.CharField(
        "适用行业（GB/T 4754，逗号分隔，空为不限）", max_length=200, blank=True
    )
    basis = models.CharField("依据", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "检查表"
        verbose_name_plural = "检查表"
        ordering = ["domain__order", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="inspections_version_once"),
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(is_current=True),
                name="inspections_one_current_version",
                violation_error_message="一个检查表只能有一个现行版本。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("inspections:template", args=[self.pk])

    def items(self) -> models.QuerySet[ChecklistItem]:
        return ChecklistItem.objects.filter(section__template=self).order_by(
            "section__order", "order"
        )


class ChecklistSection(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField("分组", max_length=100)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "检查表分组"
        verbose_name_plural = "检查表分组"
        ordering = ["template", "order"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One criterion: the question, how to check it, its legal basis, and whether
    failing it is a 重大事故隐患."""

    section = models.ForeignKey(
        ChecklistSection, verbose_name="检查表分组", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    question = models.CharField("检查内容", max_length=300)
    how_to_check = models.CharField("检查方法", max_length=300, blank=True)
    legal_basis = models.CharField("依据", max_length=300, blank=True)
    major = models.BooleanField("不合格即重大事故隐患", default=False)
    factor_class = models.CharField(
        "因素类别", max_length=10, choices=FACTOR_CLASS_CHOICES, default="管理因素"
    )

    class Meta:
        verbose_name = "检查项"
        verbose_name_plural = "检查项"
        ordering = ["section", "order"]

    def __str__(self) -> str:
        return self.question


class Kind(models.TextChoices):
    SELF = "self", "企业自查"
    DEPARTMENT = "department", "部门检查"
    TOWNSHIP = "township", "乡镇检查"
    JOINT = "joint", "联合执法"
    PEER = "peer", "企业互查"
    UNANNOUNCED = "unannounced", "暗访"


#: Where the hazards an inspection finds come from (隐患来源).
HAZARD_SOURCE = {
    Kind.SELF: Source.SELF,
    Kind.DEPARTMENT: Source.DEPARTMENT,
    Kind.TOWNSHIP: Source.TOWNSHIP,
    Kind.JOINT: Source.JOINT,
    Kind.PEER: Source.PEER,
    Kind.UNANNOUNCED: Source.DEPARTMENT,
}


class Campaign(TimeStampedModel):
    """专项整治: a period, domains, target enterprises by filter, lead and cooperating
    departments."""

    name = models.CharField("名称", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    domains = models.ManyToManyField("hazards.HazardDomain", verbose_name="领域", related_name="+")
    region = models.ForeignKey(
        "regions.Region", verbose_name="范围（区划）", on_delete=models.PROTECT, related_name="+"
    )
    industry_codes = models.CharField(
        "目标行业（GB/T 4754 门类/大类，逗号分隔，空为不限）", max_length=200, blank=True
    )
    flag = models.CharField("目标企业类型（重点行业领域标记，空为不限）", max_length=40, blank=True)
    lead = models.ForeignKey(
        "orgs.Organisation", verbose_name="牵头部门", on_delete=models.PROTECT, related_name="+"
    )
    cooperating = models.ManyToManyField(
        "orgs.Organisation", verbose_name="配合部门", blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )

    scope_paths = ScopePaths(region="region__code")

    class Meta:
        verbose_name = "专项整治"
        verbose_name_plural = "专项整治"
        ordering = ["-start", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:campaign", args=[self.pk])


class Inspection(TimeStampedModel):
    """One inspection of one enterprise with one checklist version."""

    client_id = models.UUIDField("提交编号", unique=True, default=uuid.uuid4)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="被检查企业",
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    region_code = models.CharField("区划代码", max_length=12, db_index=True, editable=False)
    industry_code = models.CharField("行业代码", max_length=4, editable=False)
    grid = models.ForeignKey(
        "orgs.Grid",
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("检查类型", max_length=20, choices=Kind.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspector_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="检查单位",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    participants = models.ManyToManyField(
        "orgs.Organisation", verbose_name="参加部门", blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="专项整治",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    plan = models.ForeignKey(
        "InspectionPlan",
        verbose_name="检查计划",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    point = models.ForeignKey(
        "InspectionPoint",
        verbose_name="巡检点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    place = models.CharField("检查地点", max_length=200)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间（服务器）", db_index=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    signed_by = models.CharField("检查人签名", max_length=60)
    enterprise_signed_by = models.CharField("企业负责人签名", max_length=60, blank=True)
    # Handwritten signatures drawn on the phone (PNG), beside the typed names.
    signature = ServerNamedFileField(
        "检查人手写签名", upload_to="inspections/signatures/%Y/", blank=True
    )
    enterprise_signature = ServerNamedFileField(
        "企业负责人手写签名", upload_to="inspections/signatures/%Y/", blank=True
    )
    summary = BoundedTextField("检查情况", max_length=TEXT_LENGTH, blank=True)
    report = ServerNamedFileField(
        "检查记录（PDF）", upload_to="inspections/reports/%Y/", blank=True
    )
    report_docx = ServerNamedFileField(
        "检查记录（Word）", upload_to="inspections/reports/%Y/", blank=True
    )

    scope_paths = ScopePaths(
        region="region_code", industry="industry_code", enterprise="enterprise_id", grid="grid_id"
    )

    class Meta:
        verbose_name = "检查"
        verbose_name_plural = "检查"
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.finished_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.pk])


class Answer(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"
        NA = "na", "不适用"

    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name="检查项", on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("结果", max_length=10, choices=Result.choices)
    note = BoundedTextField("说明", max_length=NOTE_LENGTH, blank=True)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name="隐患",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_answer",
    )

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        ordering = ["inspection", "item__section__order", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspections_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.item}：{self.get_result_display()}"


class AnswerPhoto(models.Model):
    answer = models.ForeignKey(
        Answer, verbose_name="检查结果", on_delete=models.CASCADE, related_name="photos"
    )
    image = ServerNamedFileField("照片", upload_to="inspections/photos/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = "检查照片"
        verbose_name_plural = "检查照片"

    def __str__(self) -> str:
        return self.image.name


class InspectionPoint(TimeStampedModel):
    """A place an enterprise must patrol (扫码巡检), with its printed QR code."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业",
        on_delete=models.CASCADE,
        related_name="inspection_points",
    )
    name = models.CharField("巡检点", max_length=100)
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField("允许偏差（米）", default=100)
    region_code = models.CharField("区划代码", max_length=12, editable=False)
    industry_code = models.CharField("行业代码", max_length=4, editable=False)

    scope_paths = ScopePaths(
        region="region_code", industry="industry_code", enterprise="enterprise_id"
    )

    class Meta:
        verbose_name = "巡检点"
        verbose_name_plural = "巡检点"
        ordering = ["enterprise", "name"]

    def __str__(self) -> str:
        return self.name


class PointScan(models.Model):
    """A scan of a point: the server's time, the phone's position, and the flags."""

    point = models.ForeignKey(
        InspectionPoint, verbose_name="巡检点", on_delete=models.CASCADE, related_name="scans"
    )
    inspection = models.OneToOneField(
        Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="scan"
    )
    scanned_at = models.DateTimeField("扫码时间（服务器）")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    distance_m = models.PositiveIntegerField("距巡检点（米）", null=True, blank=True)
    too_far = models.BooleanField("位置偏离", default=False)
    no_position = models.BooleanField("未获取位置", default=False)
    reused_photo = models.BooleanField("照片重复使用", default=False)

    class Meta:
        verbose_name = "扫码记录"
        verbose_name_plural = "扫码记录"
        ordering = ["-scanned_at"]

    def __str__(self) -> str:
        return f"{self.point} {self.scanned_at:%Y-%m-%d %H:%M}"


class InspectionPlan(TimeStampedModel):
    """Who inspects which enterprises with which checklist, how often."""

    class Frequency(models.TextChoices):
        ONCE = "once", "一次"
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        HALF_YEARLY = "half_yearly", "每半年"
        YEARLY = "yearly", "每年"

    name = models.CharField("名称", max_length=100)
    owner = models.ForeignKey(
        "orgs.Organisation", verbose_name="制定单位", on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查人", on_delete=models.PROTECT, related_name="+"
    )
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("检查类型", max_length=20, choices=Kind.choices)
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name="检查对象", related_name="+"
    )
    frequency = models.CharField("频次", max_length=20, choices=Frequency.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="专项整治",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )

    scope_paths = ScopePaths(region="owner__region__code")

    class Meta:
        verbose_name = "检查计划"
        verbose_name_plural = "检查计划"
        ordering = ["-start", "name"]

    def __str__(self) -> str:
        return self.name
