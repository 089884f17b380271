from django import forms
from django.conf import settings
from django.utils import timezone

from anjian.core.forms import StyledFormMixin
from anjian.hazards.models import (
    SELF_FOUND_SOURCES,
    Hazard,
    HazardDomain,
    Level,
    Listing,
    RectificationPlan,
    Source,
    Status,
)
from anjian.orgs.models import Organisation
from anjian.regions.widgets import RegionField

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (the phone's camera or gallery)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(PhotosField, self).clean(f, initial) for f in files]


class HazardForm(StyledFormMixin, forms.ModelForm):
    photos = PhotosField(label="现场照片（整改前；立即整改的为整改后）", required=False)
    immediate = forms.BooleanField(
        label="立即整改（现场已整改完毕，登记即销号；仅限一般隐患）", required=False
    )
    rectification_note = forms.CharField(
        label="整改情况（立即整改时填写）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Hazard
        fields = [
            "place",
            "domain",
            "factor_class",
            "level",
            "source",
            "description",
            "found_at",
            "found_by_name",
            "legal_basis",
            "deadline",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "found_at": DATETIME,
            "deadline": DATETIME,
        }
        labels = {"deadline": "整改期限（责令限期整改）"}

    def __init__(self, *args, enterprise_user=False, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("found_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        super().__init__(*args, **kwargs)
        self.fields["found_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["found_by_name"].required = False
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M"]
        days = settings.ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS
        self.fields["deadline"].help_text = (
            "检查发现的隐患必填；企业自查、互查的不填则按默认期限"
            f"（一般隐患{days[Level.GENERAL]}天，重大隐患{days[Level.MAJOR]}天）。立即整改的不填。"
        )
        if enterprise_user:
            self.fields["source"].choices = [(Source.SELF, Source.SELF.label)]
            self.fields["source"].initial = Source.SELF

    def clean(self):
        data = super().clean()
        # The service decides too; checking here keeps the other fields' errors beside it.
        if (
            not data.get("immediate")
            and not data.get("deadline")
            and data.get("source")
            and data["source"] not in SELF_FOUND_SOURCES
            and "deadline" not in self.errors
        ):
            self.add_error("deadline", "检查发现的隐患须责令限期整改：请填写整改期限。")
        return data


class PlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RectificationPlan
        fields = [
            "measures",
            "responsible_person",
            "responsible_phone",
            "funds",
            "deadline",
            "contingency",
            *RectificationPlan.MAJOR_FIELDS,
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 2})
            for f in ["measures", "contingency", *RectificationPlan.MAJOR_FIELDS]
        }
        widgets["deadline"] = DATETIME

    def __init__(self, *args, major=False, limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M"]
        if limit is not None:
            self.fields["deadline"].help_text = (
                f"不能晚于责令整改期限 {timezone.localtime(limit):%Y-%m-%d %H:%M}；"
                "确需更长时间的，请先在隐患页面申请延期。"
            )
        for field in RectificationPlan.MAJOR_FIELDS:
            if major:
                self.fields[field].required = True
            else:
                del self.fields[field]


class SubmitForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label="整改完成情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label="整改后照片")


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label="说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(StyledFormMixin, forms.Form):
    new_deadline = forms.DateTimeField(
        label="申请延至", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    reason = forms.CharField(
        label="延期理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label="审批", choices=[("1", "同意"), ("0", "不同意")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="意见", max_length=500, required=False)


class HazardFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "企业名称、信用代码、部位或隐患描述"}),
    )
    department = forms.ModelChoiceField(
        label="监管部门", required=False, queryset=Organisation.objects.none(), empty_label="全部"
    )
    domain = forms.ModelChoiceField(
        label="领域", required=False, queryset=HazardDomain.objects.all(), empty_label="全部"
    )
    level = forms.ChoiceField(label="等级", required=False, choices=[("", "全部"), *Level.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *Status.choices]
    )
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部"), *Source.choices]
    )
    overdue = forms.BooleanField(label="只看逾期（含未制定方案）", required=False)
    stalled = forms.BooleanField(label="只看未制定方案", required=False)
    found_from = forms.DateField(
        label="发现日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    found_to = forms.DateField(
        label="到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionField(label="区划", required=False)

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and data.get("enterprise") and not data.get("q"):
            # links made before the one search box (?enterprise=<credit code>) still work
            data = data.copy()
            data["q"] = data["enterprise"]
        super().__init__(data, *args, **kwargs)
        self.fields["region"].limit_to_scope(request.user)
        from anjian.enterprises.forms import departments_visible_to

        self.fields["department"].queryset = departments_visible_to(request.user)

    def clean(self):
        data = super().clean()
        if (
            data.get("found_from")
            and data.get("found_to")
            and data["found_from"] > data["found_to"]
        ):
            self.add_error("found_to", "结束日期不能早于开始日期。")
        return data


class ListingForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(label="督办层级", choices=Listing.Level.choices)
    supervising_org = forms.ModelChoiceField(label="督办单位", queryset=Organisation.objects.none())
    report_every_days = forms.IntegerField(
        label="进展报告周期（天）", min_value=1, max_value=90, initial=15
    )
    note = forms.CharField(
        label="督办要求", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, hazard=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.rules.identifiers import region_ancestors

        if hazard is not None:
            self.fields["supervising_org"].queryset = Organisation.objects.filter(
                kind__in=[Organisation.Kind.GOVERNMENT, Organisation.Kind.SAFETY],
                region_id__in=region_ancestors(hazard.region_code[:6]),
                is_active=True,
            ).order_by("region_id", "kind", "name")


class ProgressForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label="治理进展", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatisticsForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label="发现日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
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


QUARTERS = [(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度"), (0, "全年")]


def last_ended_period() -> tuple[int, int]:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3  # the quarter before the current one
    return (today.year, quarter) if quarter else (today.year - 1, 4)


class FilingPeriodForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="统计期", choices=QUARTERS, coerce=int)
    missing = forms.BooleanField(label="只看未报送", required=False)

    def __init__(self, *args, request=None, **kwargs):
        year, quarter = last_ended_period()
        kwargs.setdefault("initial", {"year": year, "quarter": quarter})
        super().__init__(*args, **kwargs)

    def period(self) -> tuple[int, int, bool]:
        if self.is_bound and self.is_valid():
            return (
                self.cleaned_data["year"],
                self.cleaned_data["quarter"],
                self.cleaned_data["missing"],
            )
        year, quarter = last_ended_period()
        return year, quarter, False


class FilingForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="统计期", choices=QUARTERS, coerce=int)
    signed_by = forms.CharField(label="主要负责人签字", max_length=60)
    note = forms.CharField(
        label="分析说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
