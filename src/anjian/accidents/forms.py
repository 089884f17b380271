from decimal import Decimal

from django import forms
from django.utils import timezone

from anjian.accidents.models import (
    LEVEL_CHOICES,
    Accident,
    AccidentCategory,
    Concealment,
    ControlTarget,
    Domain,
    Finding,
    Investigation,
)
from anjian.accidents.services import REPORT_FIELDS
from anjian.core.access import scope_for
from anjian.core.forms import StyledFormMixin, style_fields
from anjian.enterprises.widgets import Unit, UnitField
from anjian.orgs.models import Industry
from anjian.regions.widgets import RegionField

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_field(label, required=True, **kwargs):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        **kwargs,
    )


def _root_at_scope(field, request):
    scope = scope_for(request.user)
    if not scope.everything and scope.region_prefix:
        field.set_root(scope.region_prefix)


class FiguresMixin(forms.Form):
    """Casualties and loss; the loss is entered in 万元 as reports quote it (and every
    page of the module shows it in 万元)."""

    deaths = forms.IntegerField(label="死亡（人）", min_value=0, initial=0)
    missing = forms.IntegerField(label="下落不明（人）", min_value=0, initial=0)
    serious_injuries = forms.IntegerField(
        label="重伤（含急性工业中毒，人）", min_value=0, initial=0
    )
    minor_injuries = forms.IntegerField(label="轻伤（人）", min_value=0, initial=0)
    direct_loss_10k = forms.DecimalField(
        label="直接经济损失（万元，初步估计）",
        min_value=0,
        max_digits=12,
        decimal_places=4,
        initial=0,
    )

    def figures(self):
        d = self.cleaned_data
        return {
            "deaths": d["deaths"],
            "missing": d["missing"],
            "serious_injuries": d["serious_injuries"],
            "minor_injuries": d["minor_injuries"],
            "direct_loss": (d["direct_loss_10k"] * 10_000).quantize(Decimal("0.01")),
        }


class AccidentForm(StyledFormMixin, FiguresMixin, forms.ModelForm):
    unit_name = UnitField(
        label="事故单位",
        help_text="从企业台账中搜索选择；台账中没有的单位直接填写全称（与台账名称完全相同的会关联到该企业）。",
    )
    region = RegionField(label="发生地区划", required=False)
    industry = forms.ModelChoiceField(
        label="行业（GB/T 4754）", queryset=Industry.objects.all(), required=False
    )
    received_at = datetime_field(
        "县级接报时间（电话报告的，填接到电话的时间；默认为现在）", required=False
    )

    class Meta:
        model = Accident
        fields = list(REPORT_FIELDS)
        widgets = {
            "unit_overview": forms.Textarea(attrs={"rows": 2}),
            "course": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 2}),
            "other": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, request=None, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        self.unit = Unit(enterprise, enterprise.organisation.name if enterprise else "")
        for name in ("occurred_at", "learnt_at"):
            self.fields[name] = datetime_field(Accident._meta.get_field(name).verbose_name)
        self.fields["unit_name"].limit_to(request.user)
        self.fields[
            "learnt_at"
        ].help_text = "单位负责人接到现场报告的时间；1小时内须报县级应急管理部门。"
        self.fields["category"].queryset = AccidentCategory.objects.all()
        _root_at_scope(self.fields["region"], request)
        self.fields["region"].help_text = "选择了台账企业的，默认为企业所在地"
        if enterprise is not None:
            for name in ("unit_name", "industry"):
                del self.fields[name]
            self.fields[
                "region"
            ].help_text = f"默认为企业所在地（{enterprise.organisation.region}）"
        if request.user.role == "enterprise" and not request.user.is_superuser:
            del self.fields["received_at"]
        style_fields(self)  # the fields replaced above are styled like the rest
        # the fields the order of a 快报 follows (R-ACC-4)
        self.order_fields(
            [
                "unit_name",
                "unit_overview",
                "industry",
                "occurred_at",
                "learnt_at",
                "region",
                "place",
                "domain",
                "category",
                "course",
                "deaths",
                "missing",
                "serious_injuries",
                "minor_injuries",
                "direct_loss_10k",
                "measures",
                "other",
                "received_at",
            ]
        )

    def clean(self):
        data = super().clean()
        if isinstance(data.get("unit_name"), Unit):
            self.unit = data["unit_name"]
            data["unit_name"] = self.unit.name
        linked, region = self.linked_enterprise(), data.get("region")
        if linked is None and not region:
            self.add_error("region", "请选择事故发生地。")
        elif (
            linked is not None and region and linked.organisation.region_id.startswith(region.code)
        ):
            # a region that only contains the unit's own says less than the unit's region
            data["region"] = None
        return data

    def linked_enterprise(self):
        """The register entry the accident's unit is: the page's enterprise, or the one
        picked (or named exactly) in the unit box."""
        return self.enterprise or self.unit.enterprise

    def report_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        if data.get("region") is None:
            data.pop("region", None)
        return data


class SupplementForm(StyledFormMixin, FiguresMixin):
    note = forms.CharField(
        label="续报情况（救援、伤亡核实、善后等）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="超过补报时限时，伤亡变化的原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReceiveForm(StyledFormMixin, forms.Form):
    authority = forms.ChoiceField(label="接报层级")
    received_at = datetime_field("接报时间")
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, accident=None, **kwargs):
        super().__init__(*args, **kwargs)
        pending = accident.steps.filter(received_at__isnull=True) if accident else []
        self.fields["authority"].choices = [
            (s.authority, s.get_authority_display()) for s in pending
        ]
        self.fields["received_at"].initial = timezone.localtime().strftime(DATETIME_FORMAT)


class ConcealmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="认定", choices=[("", "请选择"), *[c for c in Concealment.choices if c[0]]]
    )
    channel = forms.CharField(
        label="获知渠道", max_length=100, help_text="如：新闻媒体、医院、群众举报"
    )
    known_at = datetime_field("从其他渠道获知的时间")
    evidence = forms.CharField(label="证据", widget=forms.Textarea(attrs={"rows": 3}))


class InvestigationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Investigation
        fields = ["authority", "basis", "team", "cause", *Investigation.FOUR_FIELDS]
        widgets = {
            "team": forms.Textarea(attrs={"rows": 2}),
            "cause": forms.Textarea(attrs={"rows": 3}),
        }


class ExtendForm(StyledFormMixin, forms.Form):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=60)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class ReportUploadForm(StyledFormMixin, forms.Form):
    report = forms.FileField(label="调查报告（PDF、Word）")

    def clean_report(self):
        from anjian.core.files import kind_of

        report = self.cleaned_data["report"]
        # the content decides, not the name: it is stored under its detected type
        if kind_of(report) not in {"pdf", "doc", "docx", "ofd"}:
            raise forms.ValidationError("请上传PDF、Word或OFD格式的调查报告。")
        if report.size > 50 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过50MB。")
        return report


class FindingForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["kind", "name", "position", "responsibility", "handling"]
        widgets = {"handling": forms.Textarea(attrs={"rows": 2})}


class AccidentFilterForm(StyledFormMixin, forms.Form):
    unit = forms.CharField(label="事故单位", required=False, max_length=100)
    level = forms.TypedChoiceField(
        label="等级", required=False, coerce=int, choices=[("", "全部"), *LEVEL_CHOICES]
    )
    domain = forms.ChoiceField(
        label="领域", required=False, choices=[("", "全部"), *Domain.choices]
    )
    category = forms.ModelChoiceField(
        label="类别", required=False, queryset=AccidentCategory.objects.all(), empty_label="全部"
    )
    concealment = forms.ChoiceField(
        label="瞒报/漏报",
        required=False,
        choices=[("", "全部"), ("any", "瞒报或漏报"), *[c for c in Concealment.choices if c[0]]],
    )
    occurred_from = forms.DateField(
        label="发生日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        label="到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionField(label="区划", required=False)
    investigation_open = forms.BooleanField(label="只看调查未结案", required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].limit_to_scope(request.user)

    def clean(self):
        data = super().clean()
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start and end and start > end:
            self.add_error("occurred_to", "结束日期不能早于开始日期。")
        return data


class StatisticsForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label="发生日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionField(label="区划", required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].limit_to_scope(request.user)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class MonthlyForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="月", min_value=1, max_value=12)
    region = RegionField(label="区划", required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].limit_to_scope(request.user)


class TargetForm(StyledFormMixin, forms.ModelForm):
    region = RegionField(label="区划")

    class Meta:
        model = ControlTarget
        fields = [
            "region",
            "year",
            "death_target",
            "gdp_100m",
            "employed_persons",
            "motor_vehicles",
            "coal_output_mt",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        _root_at_scope(self.fields["region"], request)
        self.fields["year"].initial = timezone.localdate().year

    def validate_unique(self):
        """One row per region and year is kept by the service (it updates the existing one)."""
