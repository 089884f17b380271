"""The hazard closed loop (隐患排查治理): register → rectify → verify → close.

A hazard copies its enterprise's region code, industry and grid when it is
registered, so that scoped lists and statistics over millions of hazards filter
one indexed table instead of joining through the register. The copies follow the
enterprise when it moves (declared in apps.py, see anjian.core.copies).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anjian.core.access import ScopePaths
from anjian.core.fields import LONG_TEXT_LENGTH, NOTE_LENGTH, TEXT_LENGTH, BoundedTextField
from anjian.core.files import ServerNamedFileField
from anjian.core.models import TimeStampedModel
from anjian.rules.hazards import MAJOR_HAZARD_PLAN_PARTS, HazardLevel
from anjian.rules.risk import HAZARD_FACTOR_CLASSES


class HazardDomain(models.Model):
    """Hazard domains (data-driven): the nine key domains of the speeches plus 特种设备, 工贸, 其他."""

    code = models.CharField("代码", max_length=20, primary_key=True)
    name = models.CharField("名称", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "隐患领域"
        verbose_name_plural = "隐患领域"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    GENERAL = "general", HazardLevel.GENERAL.label
    MAJOR = "major", HazardLevel.MAJOR.label


class Source(models.TextChoices):
    SELF = "self", "企业自查"
    DEPARTMENT = "department", "部门检查"
    TOWNSHIP = "township", "乡镇检查"
    JOINT = "joint", "联合执法"
    CAMPAIGN = "campaign", "专项整治"
    GRID = "grid", "网格巡查"
    PUBLIC = "public", "群众举报"
    PEER = "peer", "企业互查"


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    RECTIFYING = "rectifying", "整改中"
    PENDING = "pending", "待验收"
    CLOSED = "closed", "已销号"


FACTOR_CLASS_CHOICES = [(name, name) for name in HAZARD_FACTOR_CLASSES]


#: Statuses in which the deadline runs: once the rectification is submitted it no longer can be late.
RUNNING_STATUSES = (Status.REGISTERED, Status.RECTIFYING)


#: Sources where the enterprise itself found the hazard; every other source is a
#: regulator's finding, which must come with a 责令限期整改 deadline.
SELF_FOUND_SOURCES = (Source.SELF, Source.PEER)


def overdue_q(now: datetime | None = None) -> Q:
    """Not rectified by the deadline: derived at query time, never a stored flag."""
    return Q(status__in=RUNNING_STATUSES) & Q(deadline__lt=now or timezone.now())


def stalled_since(now: datetime | None = None) -> datetime:
    """Hazards found at or before this time and still without a plan are 未制定方案."""
    return (now or timezone.now()) - timedelta(days=settings.ANJIAN_HAZARD_PLAN_DAYS)


def stalled_q(now: datetime | None = None) -> Q:
    """未制定方案: no accepted plan ANJIAN_HAZARD_PLAN_DAYS days after registration (a
    plan moves the hazard out of 已登记, so the status says whether one exists)."""
    return Q(status=Status.REGISTERED) & Q(found_at__lte=stalled_since(now))


def needs_action_q(now: datetime | None = None) -> Q:
    """What the overdue figures count: past the deadline, or stalled without a plan."""
    now = now or timezone.now()
    return overdue_q(now) | stalled_q(now)


def default_deadline(level: str, found_at: datetime) -> datetime:
    """The rectification deadline of a self-found hazard registered without one."""
    return found_at + timedelta(days=settings.ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS[level])


class HazardQuerySet(models.QuerySet["Hazard"]):
    def overdue(self, now: datetime | None = None) -> HazardQuerySet:
        return self.filter(overdue_q(now))

    def stalled(self, now: datetime | None = None) -> HazardQuerySet:
        return self.filter(stalled_q(now))

    def open(self) -> HazardQuerySet:
        return self.exclude(status=Status.CLOSED)


#: The columns statistics group and filter by, carried in the hazard indexes.
STATS_COLUMNS = ["region_code", "industry_code", "domain", "level", "source", "status", "funds"]


class Hazard(TimeStampedModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="hazards",
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
        editable=False,
    )
    place = models.CharField("部位/设备", max_length=200)
    domain = models.ForeignKey(
        HazardDomain, verbose_name="领域", on_delete=models.PROTECT, related_name="+"
    )
    factor_class = models.CharField("因素类别", max_length=10, choices=FACTOR_CLASS_CHOICES)
    level = models.CharField("隐患等级", max_length=10, choices=Level.choices, db_index=True)
    description = BoundedTextField("隐患描述", max_length=TEXT_LENGTH)
    source = models.CharField("来源", max_length=20, choices=Source.choices, db_index=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发现人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    found_by_name = models.CharField("发现人姓名", max_length=60)
    found_at = models.DateTimeField("发现时间")
    legal_basis = BoundedTextField("依据", max_length=TEXT_LENGTH, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    deadline = models.DateTimeField("整改期限", null=True, blank=True, db_index=True)
    immediate = models.BooleanField("立即整改", default=False)
    is_repeat = models.BooleanField("重复隐患", default=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name="重复自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="整改提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification_note = BoundedTextField("整改情况", max_length=TEXT_LENGTH, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    # The accepted plan's funds, copied when the plan is accepted (a plan's funds never
    # change afterwards) so statistics sum one table; the plan stays the record.
    funds = models.DecimalField(
        "整改资金（元）", max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )

    objects = HazardQuerySet.as_manager()

    scope_paths = ScopePaths(
        region="region_code", industry="industry_code", enterprise="enterprise_id", grid="grid_id"
    )

    class Meta:
        verbose_name = "隐患"
        verbose_name_plural = "隐患"
        ordering = ["-found_at", "-id"]
        # The INCLUDE columns let PostgreSQL count and group from the index alone
        # (index-only scans): statistics and capped list counts over millions of rows.
        indexes = [
            models.Index(fields=["region_code", "status"], name="hazards_region_status_idx"),
            models.Index(fields=["enterprise", "domain", "status"], name="hazards_repeat_idx"),
            models.Index(fields=["found_at"], include=STATS_COLUMNS, name="hazards_found_idx"),
            # A department's hazards: its industries, newest first.
            models.Index(
                fields=["industry_code", "found_at"],
                include=[c for c in STATS_COLUMNS if c != "industry_code"],
                name="hazards_industry_found_idx",
            ),
            # The overdue view and the overdue counts: only hazards whose deadline still runs.
            models.Index(
                fields=["found_at"],
                condition=Q(status__in=["registered", "rectifying"]),
                include=[*STATS_COLUMNS, "deadline"],
                name="hazards_running_found_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="hazards_closed_has_time",
                violation_error_message="已销号的隐患须有销号时间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place}：{self.description[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:detail", args=[self.pk])

    def is_overdue(self, now: datetime | None = None) -> bool:
        return (
            self.status in RUNNING_STATUSES
            and self.deadline is not None
            and self.deadline < (now or timezone.now())
        )

    def is_stalled(self, now: datetime | None = None) -> bool:
        """未制定方案 (`stalled_q`)."""
        return self.status == Status.REGISTERED and self.found_at <= stalled_since(now)


class RectificationPlan(TimeStampedModel):
    """五落实 (R-HAZ-2); for a 重大 hazard also the six parts of the 治理方案 (R-HAZ-3)."""

    hazard = models.OneToOneField(
        Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="plan"
    )
    measures = BoundedTextField("整改措施", max_length=TEXT_LENGTH)
    responsible_person = models.CharField("整改责任人", max_length=60)
    responsible_phone = models.CharField("责任人电话", max_length=20, blank=True)
    funds = models.DecimalField("整改资金（元）", max_digits=14, decimal_places=2)
    deadline = models.DateTimeField("整改时限")
    contingency = BoundedTextField("应急预案/防范措施", max_length=TEXT_LENGTH)
    goals = BoundedTextField(MAJOR_HAZARD_PLAN_PARTS[0], max_length=LONG_TEXT_LENGTH, blank=True)
    methods = BoundedTextField(MAJOR_HAZARD_PLAN_PARTS[1], max_length=LONG_TEXT_LENGTH, blank=True)
    funds_and_materials = BoundedTextField(
        MAJOR_HAZARD_PLAN_PARTS[2], max_length=LONG_TEXT_LENGTH, blank=True
    )
    organisation_and_people = BoundedTextField(
        MAJOR_HAZARD_PLAN_PARTS[3], max_length=LONG_TEXT_LENGTH, blank=True
    )
    time_and_requirements = BoundedTextField(
        MAJOR_HAZARD_PLAN_PARTS[4], max_length=LONG_TEXT_LENGTH, blank=True
    )
    safety_and_contingency = BoundedTextField(
        MAJOR_HAZARD_PLAN_PARTS[5], max_length=LONG_TEXT_LENGTH, blank=True
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )

    MAJOR_FIELDS = (
        "goals",
        "methods",
        "funds_and_materials",
        "organisation_and_people",
        "time_and_requirements",
        "safety_and_contingency",
    )

    class Meta:
        verbose_name = "整改方案"
        verbose_name_plural = "整改方案"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hazard} 的整改方案"


class HazardEvent(models.Model):
    """The hazard's timeline: every step with who, when, and what it changed."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "登记"
        PLAN = "plan", "确定整改方案"
        SUBMITTED = "submitted", "提交整改"
        REJECTED = "rejected", "验收不通过"
        CLOSED = "closed", "验收销号"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENSION_APPROVED = "extension_approved", "同意延期"
        EXTENSION_REFUSED = "extension_refused", "不同意延期"
        LISTED = "listed", "挂牌督办"
        PROGRESS = "progress", "督办进展报告"

    hazard = models.ForeignKey(
        Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("环节", max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("办理人姓名", max_length=60)
    at = models.DateTimeField("时间", default=timezone.now)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices, blank=True)
    note = BoundedTextField("说明", max_length=NOTE_LENGTH, blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)

    class Meta:
        verbose_name = "隐患办理记录"
        verbose_name_plural = "隐患办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(TimeStampedModel):
    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "不同意"

    hazard = models.ForeignKey(
        Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    original_deadline = models.DateTimeField("原整改期限")
    new_deadline = models.DateTimeField("申请延至")
    reason = BoundedTextField("延期理由", max_length=NOTE_LENGTH)
    decision = models.CharField(
        "审批结果", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(decision="pending"),
                name="hazards_one_pending_extension",
                violation_error_message="已有待审批的延期申请。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard} 延期至 {self.new_deadline:%Y-%m-%d}"


class Listing(TimeStampedModel):
    """挂牌督办: a 重大 hazard listed for supervision at a government level (R-HAZ-5).

    Its closing needs the supervising organisation's verification; the enterprise
    reports progress every `report_every_days` days.
    """

    class Level(models.TextChoices):
        COUNTY = "county", "县级"
        CITY = "city", "市级"
        PROVINCE = "province", "省级"

    hazard = models.OneToOneField(
        Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="listing"
    )
    level = models.CharField("督办层级", max_length=10, choices=Level.choices)
    supervising_org = models.ForeignKey(
        "orgs.Organisation", verbose_name="督办单位", on_delete=models.PROTECT, related_name="+"
    )
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="挂牌人", on_delete=models.PROTECT, related_name="+"
    )
    listed_at = models.DateTimeField("挂牌时间", default=timezone.now)
    report_every_days = models.PositiveSmallIntegerField("进展报告周期（天）", default=15)
    note = BoundedTextField("督办要求", max_length=NOTE_LENGTH, blank=True)

    class Meta:
        verbose_name = "挂牌督办"
        verbose_name_plural = "挂牌督办"
        ordering = ["-listed_at"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}挂牌督办：{self.hazard}"

    def next_report_due(self) -> datetime:
        last = self.hazard.progress_reports.order_by("-at").values_list("at", flat=True).first()
        return (last or self.listed_at) + timezone.timedelta(days=self.report_every_days)


class ProgressReport(models.Model):
    hazard = models.ForeignKey(
        Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="progress_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("报告时间", default=timezone.now)
    text = BoundedTextField("治理进展", max_length=TEXT_LENGTH)

    class Meta:
        verbose_name = "督办进展报告"
        verbose_name_plural = "督办进展报告"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.hazard} 进展 {self.at:%Y-%m-%d}"


def photo_path(instance: HazardPhoto, filename: str) -> str:
    """Kept for the migrations that name it; photos are now server-named (core.files)."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"hazards/{timezone.now():%Y/%m}/{instance.hazard_id}-{instance.stage}-{timezone.now():%H%M%S%f}.{suffix}"


class HazardPhoto(models.Model):
    class Stage(models.TextChoices):
        BEFORE = "before", "整改前"
        AFTER = "after", "整改后"

    hazard = models.ForeignKey(
        Hazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices)
    image = ServerNamedFileField("照片", upload_to="hazards/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "隐患照片"
        verbose_name_plural = "隐患照片"
        ordering = ["stage", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}照片"


class StatisticsFiling(TimeStampedModel):
    """An enterprise's quarterly or yearly hazard statistics, filed and signed by its
    主要负责人 (R-HAZ-4). quarter 1–4, or 0 for the year."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="hazard_filings",
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度（0为全年）")
    signed_by = models.CharField("签字（主要负责人）", max_length=60)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("报送期限")
    figures = models.JSONField("统计数据", default=dict)
    note = BoundedTextField("分析说明", max_length=NOTE_LENGTH, blank=True)

    class Meta:
        verbose_name = "隐患统计报送"
        verbose_name_plural = "隐患统计报送"
        ordering = ["-year", "-quarter", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "quarter"], name="hazards_one_filing_per_period"
            ),
            models.CheckConstraint(
                condition=Q(quarter__lte=4),
                name="hazards_filing_quarter_range",
                violation_error_message="季度须为 0（全年）或 1 至 4。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年{'全年' if self.quarter == 0 else f'第{self.quarter}季度'}"

    @property
    def late(self) -> bool:
        return timezone.localdate(self.created_at) > self.due_on


class HazardMonth(models.Model):
    """Monthly counts of hazards by township, domain, level and source (the statistics'
    rollup): maintained by the hazard services, rebuilt from the hazards by
    `anjian hazards rollup`. Carries no industry, so a department's scope cannot be
    expressed on it and `scoped` yields nothing for departments (they are counted live)."""

    month = models.DateField("月份")  # the first day of the month in which hazards were found
    # The township (9 digits) or above; db_index gives PostgreSQL its pattern-ops twin for subtrees.
    region_code = models.CharField("区划代码", max_length=12, db_index=True)
    domain_id = models.CharField("领域", max_length=20)
    level = models.CharField("隐患等级", max_length=10)
    source = models.CharField("来源", max_length=20)
    found = models.PositiveIntegerField("排查", default=0)
    closed = models.PositiveIntegerField("销号", default=0)
    funds = models.DecimalField("整改资金（元）", max_digits=16, decimal_places=2, default=0)

    scope_paths = ScopePaths(region="region_code")

    class Meta:
        verbose_name = "隐患月度汇总"
        verbose_name_plural = "隐患月度汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region_code", "domain_id", "level", "source"],
                name="hazards_month_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_code} {self.domain_id}: {self.found}"
