"""Accident reports (事故快报), their reporting chain, supplements, investigation,
control targets and the consequences a 较大 accident has for the year's assessment.

The figures an accident shows are those of its latest `AccidentVersion`; versions
are never changed, so every 续报/补报 stays on record. The level is computed by
`anjian.rules.accidents.accident_level`, never typed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from anjian.core.access import ScopePaths
from anjian.core.fields import LONG_TEXT_LENGTH, NOTE_LENGTH, TEXT_LENGTH, BoundedTextField
from anjian.core.files import ServerNamedFileField
from anjian.core.models import TimeStampedModel
from anjian.rules.accidents import (
    FOUR_NOT_LET_GO,
    AccidentLevel,
    AuthorityLevel,
    InvestigationBasis,
    investigation_deadline,
    supplement_deadline,
)

LEVEL_CHOICES = [(level.value, level.label) for level in AccidentLevel]
AUTHORITY_CHOICES = [(a.value, a.label) for a in AuthorityLevel]


class AccidentCategory(models.Model):
    """Accident categories (GB 6441-1986, 20 kinds; data-driven so GB 6441-2025 can be loaded)."""

    code = models.CharField("代码", max_length=10, primary_key=True)
    name = models.CharField("名称", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事故类别"
        verbose_name_plural = "事故类别"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Domain(models.TextChoices):
    """The field an accident belongs to, as the statistics reports split them."""

    INDUSTRY_TRADE = "industry_trade", "工矿商贸"
    ROAD = "road", "道路交通"
    FIRE = "fire", "火灾"
    WATER = "water", "水上交通"
    RAIL = "rail", "铁路交通"
    FARM_MACHINERY = "farm_machinery", "农业机械"
    FISHING = "fishing", "渔业船舶"
    OTHER = "other", "其他"


class Concealment(models.TextChoices):
    NONE = "", "无"
    CONCEALED = "concealed", "瞒报"
    OMITTED = "omitted", "漏报"


#: GB/T 4754 大类 of coal mining (煤炭开采和洗选业), for the 百万吨死亡率.
COAL_MINING = "06"


class Accident(TimeStampedModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="事故单位（台账企业）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    unit_name = models.CharField("事故单位", max_length=200)
    unit_overview = BoundedTextField("单位概况", max_length=TEXT_LENGTH, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="发生地区划", on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "orgs.Industry",
        verbose_name="行业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey(
        "orgs.Grid",
        verbose_name="网格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    domain = models.CharField("领域", max_length=20, choices=Domain.choices)
    category = models.ForeignKey(
        AccidentCategory, verbose_name="事故类别", on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField("发生时间", db_index=True)
    learnt_at = models.DateTimeField("单位获知时间")
    place = models.CharField("发生地点", max_length=200)
    course = BoundedTextField("简要经过", max_length=LONG_TEXT_LENGTH)
    measures = BoundedTextField("已采取的措施", max_length=TEXT_LENGTH)
    other = BoundedTextField("其他情况", max_length=TEXT_LENGTH, blank=True)
    # The latest version's figures (see AccidentVersion).
    deaths = models.PositiveIntegerField("死亡", default=0)
    missing = models.PositiveIntegerField("下落不明", default=0)
    serious_injuries = models.PositiveIntegerField("重伤（含急性工业中毒）", default=0)
    minor_injuries = models.PositiveIntegerField("轻伤", default=0)
    direct_loss = models.DecimalField("直接经济损失（元）", max_digits=16, decimal_places=2)
    level = models.PositiveSmallIntegerField("事故等级", choices=LEVEL_CHOICES, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    reported_at = models.DateTimeField("县级接报时间")
    concealment = models.CharField(
        "瞒报/漏报", max_length=10, choices=Concealment.choices, blank=True, default=""
    )
    concealment_channel = models.CharField("获知渠道", max_length=100, blank=True)
    concealment_known_at = models.DateTimeField("其他渠道获知时间", null=True, blank=True)
    concealment_evidence = BoundedTextField("证据", max_length=TEXT_LENGTH, blank=True)

    scope_paths = ScopePaths(
        region="region__code", industry="industry_id", enterprise="enterprise_id", grid="grid_id"
    )

    class Meta:
        verbose_name = "事故"
        verbose_name_plural = "事故"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["region", "occurred_at"], name="accidents_region_time_idx")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d} {self.unit_name}{self.category}"

    def get_absolute_url(self) -> str:
        return reverse("accidents:detail", args=[self.pk])

    @property
    def level_enum(self) -> AccidentLevel:
        return AccidentLevel(self.level)

    @property
    def direct_loss_10k(self) -> float:
        return round(float(self.direct_loss) / 10_000, 2)

    @property
    def injuries(self) -> int:
        return self.serious_injuries + self.minor_injuries

    def supplement_deadline(self) -> datetime:
        """R-ACC-3: road traffic and fire accidents 7 days, others 30."""
        kind = (
            self.get_domain_display()
            if self.domain in (Domain.ROAD, Domain.FIRE)
            else self.category.name
        )
        return supplement_deadline(self.occurred_at, kind)

    def report_delay(self) -> timedelta | None:
        """How late the unit's report reached the county (None: on time).

        Lists read the county step's times from the row itself (annotated by
        `selectors.accidents_for`), not with one query per accident."""
        if hasattr(self, "county_due_at"):
            if self.county_due_at is None:
                return None
            step = ReportStep(due_at=self.county_due_at, received_at=self.county_received_at)
        else:
            step = self.steps.filter(authority=AuthorityLevel.COUNTY).first()
        return step.delay() if step else None


class AccidentVersion(models.Model):
    """One report of the accident's figures: 快报, then 续报/补报. Never changed."""

    class Kind(models.TextChoices):
        FIRST = "first", "快报"
        FOLLOW_UP = "follow_up", "续报"
        SUPPLEMENT = "supplement", "补报"

    accident = models.ForeignKey(
        Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField("次序")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    deaths = models.PositiveIntegerField("死亡")
    missing = models.PositiveIntegerField("下落不明")
    serious_injuries = models.PositiveIntegerField("重伤")
    minor_injuries = models.PositiveIntegerField("轻伤")
    direct_loss = models.DecimalField("直接经济损失（元）", max_digits=16, decimal_places=2)
    level = models.PositiveSmallIntegerField("事故等级", choices=LEVEL_CHOICES)
    note = BoundedTextField("情况说明", max_length=NOTE_LENGTH, blank=True)
    reason = BoundedTextField("超出补报时限的原因", max_length=NOTE_LENGTH, blank=True)
    after_window = models.BooleanField("超出补报时限", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("报告时间")

    class Meta:
        verbose_name = "事故报告版本"
        verbose_name_plural = "事故报告版本"
        ordering = ["accident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["accident", "number"], name="accidents_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.accident_id} 第{self.number}次 {self.get_kind_display()}"

    @property
    def direct_loss_10k(self) -> float:
        return round(float(self.direct_loss) / 10_000, 2)


class ReportStep(models.Model):
    """One report the chain requires (R-ACC-2): to which level, due when, received when."""

    accident = models.ForeignKey(
        Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="steps"
    )
    authority = models.CharField("报告层级", max_length=10, choices=AUTHORITY_CHOICES)
    order = models.PositiveSmallIntegerField("顺序")
    due_at = models.DateTimeField("应报时间")
    received_at = models.DateTimeField("接报时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接报登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    added_on_upgrade = models.BooleanField("等级上升后增加", default=False)

    class Meta:
        verbose_name = "报告环节"
        verbose_name_plural = "报告环节"
        ordering = ["accident", "order"]
        constraints = [
            models.UniqueConstraint(fields=["accident", "authority"], name="accidents_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_authority_display()} {self.due_at:%Y-%m-%d %H:%M}"

    def delay(self, now: datetime | None = None) -> timedelta | None:
        """How far past the due time the report came (or, unreceived, is by now)."""
        moment = self.received_at or now or timezone.now()
        if self.received_at is None and moment <= self.due_at:
            return None
        late = moment - self.due_at
        return late if late > timedelta(0) else None

    @property
    def is_late(self) -> bool:
        """迟报: received after the due time."""
        return self.received_at is not None and self.received_at > self.due_at


class Investigation(TimeStampedModel):
    """事故调查 (R-ACC-5): authority by level, team, deadline, report, cause, findings, 四不放过."""

    accident = models.OneToOneField(
        Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="investigation"
    )
    authority = models.CharField("调查主体", max_length=100)
    basis = models.CharField(
        "时限依据",
        max_length=20,
        choices=[(b.value, b.value) for b in InvestigationBasis],
        default=InvestigationBasis.RULE_2013.value,
    )
    team = BoundedTextField("调查组", max_length=TEXT_LENGTH, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长天数", default=0)
    extension_reason = BoundedTextField("延期理由", max_length=NOTE_LENGTH, blank=True)
    report = ServerNamedFileField("调查报告", upload_to="accidents/reports/%Y/", blank=True)
    report_submitted_at = models.DateTimeField("报告提交时间", null=True, blank=True)
    cause = BoundedTextField("事故原因", max_length=LONG_TEXT_LENGTH, blank=True)
    cause_found = models.BooleanField(FOUR_NOT_LET_GO[0], default=False)
    responsible_handled = models.BooleanField(FOUR_NOT_LET_GO[1], default=False)
    measures_taken = models.BooleanField(FOUR_NOT_LET_GO[2], default=False)
    people_educated = models.BooleanField(FOUR_NOT_LET_GO[3], default=False)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结案人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    FOUR_FIELDS = ("cause_found", "responsible_handled", "measures_taken", "people_educated")

    class Meta:
        verbose_name = "事故调查"
        verbose_name_plural = "事故调查"

    def __str__(self) -> str:
        return f"{self.accident} 调查"

    def deadline(self) -> datetime:
        return investigation_deadline(
            self.accident.level_enum,
            self.accident.occurred_at,
            basis=InvestigationBasis(self.basis),
            extension_days=self.extension_days,
        )

    def open_items(self) -> list[str]:
        """The 四不放过 items still open."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.FOUR_FIELDS
            if not getattr(self, name)
        ]


class Finding(models.Model):
    """A responsibility finding: a person or a unit, its responsibility and handling."""

    class Kind(models.TextChoices):
        PERSON = "person", "个人"
        UNIT = "unit", "单位"

    investigation = models.ForeignKey(
        Investigation, verbose_name="事故调查", on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    name = models.CharField("姓名/单位", max_length=200)
    position = models.CharField("职务/身份", max_length=100, blank=True)
    responsibility = models.CharField("责任认定", max_length=100)
    handling = BoundedTextField("处理意见", max_length=LONG_TEXT_LENGTH)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "责任认定"
        verbose_name_plural = "责任认定"
        ordering = ["investigation", "id"]

    def __str__(self) -> str:
        return f"{self.name}：{self.responsibility}"


class ControlTarget(TimeStampedModel):
    """A region's death-control target (控制指标) and the rates' denominators for a year."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    death_target = models.PositiveIntegerField("死亡控制指标（人）")
    gdp_100m = models.DecimalField(
        "地区生产总值（亿元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    employed_persons = models.PositiveIntegerField("工矿商贸就业人员（人）", null=True, blank=True)
    motor_vehicles = models.PositiveIntegerField("机动车保有量（辆）", null=True, blank=True)
    coal_output_mt = models.DecimalField(
        "原煤产量（百万吨）", max_digits=10, decimal_places=3, null=True, blank=True
    )

    scope_paths = ScopePaths(region="region__code")

    class Meta:
        verbose_name = "控制指标"
        verbose_name_plural = "控制指标"
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="accidents_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}年 {self.death_target}人"


class VetoFact(models.Model):
    """一票否决: a 较大 or higher accident marks its unit and region for the year's
    assessment. Stored as a fact the assessment module reads; never computed there."""

    accident = models.OneToOneField(
        Accident, verbose_name="事故", on_delete=models.PROTECT, related_name="veto"
    )
    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_name = models.CharField("事故单位", max_length=200)
    level = models.PositiveSmallIntegerField("事故等级", choices=LEVEL_CHOICES)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_paths = ScopePaths(region="region__code", enterprise="enterprise_id")

    class Meta:
        verbose_name = "一票否决事项"
        verbose_name_plural = "一票否决事项"

    def __str__(self) -> str:
        return f"{self.year} {self.unit_name}（{self.get_level_display()}）"


class WatchEntry(models.Model):
    """An enterprise on the watch list (重点关注) because of an accident."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="watch_entries",
    )
    accident = models.ForeignKey(
        Accident, verbose_name="事故", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("原因", max_length=200)
    added_at = models.DateTimeField("列入时间", auto_now_add=True)
    lifted_at = models.DateTimeField("移出时间", null=True, blank=True)

    class Meta:
        verbose_name = "重点关注企业"
        verbose_name_plural = "重点关注企业"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "accident"], name="accidents_watch_once")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}：{self.reason}"
