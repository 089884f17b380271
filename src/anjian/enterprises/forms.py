from django import forms

from anjian.core.access import scope_for, scoped
from anjian.core.forms import StyledFormMixin, style_fields
from anjian.enterprises.models import (
    KEY_FLAGS,
    Enterprise,
    EnterpriseStatus,
    ImportJob,
)
from anjian.orgs.models import Grid, Industry, Organisation
from anjian.regions.widgets import RegionField

FLAG_CHOICES = [*KEY_FLAGS, ("has_major_hazard", "重大危险源"), ("above_scale", "规模以上")]


def departments_visible_to(user):
    """Departments a filter may name: those in the user's region and above it."""
    from anjian.rules.identifiers import region_ancestors

    scope = scope_for(user)
    departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True)
    if not scope.everything and scope.region_prefix:
        within = Organisation.objects.filter(region__code__startswith=scope.region_prefix)
        above = Organisation.objects.filter(region_id__in=region_ancestors(scope.region_prefix))
        departments = departments.filter(pk__in=(within | above).values("pk"))
    return departments.order_by("region_id", "name")


class EnterpriseFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False, max_length=100)
    industry = forms.ModelChoiceField(
        label="行业",
        required=False,
        queryset=Industry.objects.all(),
        to_field_name="code",
        empty_label="全部",
    )
    department = forms.ModelChoiceField(
        label="监管部门", required=False, queryset=Organisation.objects.none(), empty_label="全部"
    )
    status = forms.ChoiceField(
        label="经营状态", required=False, choices=[("", "全部"), *EnterpriseStatus.choices]
    )
    flag = forms.ChoiceField(
        label="重点行业领域", required=False, choices=[("", "全部"), *FLAG_CHOICES]
    )
    region = RegionField(label="区划", required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = request.user
        self.fields["region"].limit_to_scope(user)
        self.fields["department"].queryset = departments_visible_to(user)


class EnterpriseForm(StyledFormMixin, forms.Form):
    """One form over the organisation's fields and the register profile."""

    name = forms.CharField(label="单位名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    region = RegionField(label="所在乡镇（街道）", max_level=4, min_level=4)
    industry = forms.ModelChoiceField(label="所属行业（大类）", queryset=Industry.objects.none())
    grid = forms.ModelChoiceField(label="所属网格", required=False, queryset=Grid.objects.none())
    address = forms.CharField(label="地址", max_length=255, required=False)
    phone = forms.CharField(label="单位电话", max_length=40, required=False)

    def __init__(
        self,
        *args,
        user=None,
        instance: Enterprise | None = None,
        locked_fields=(),
        **kwargs,
    ):
        if instance is not None and "initial" not in kwargs:
            org = instance.organisation
            initial = {k: getattr(org, k) for k in ("name", "credit_code", "address", "phone")}
            initial |= {"region": org.region_id, "industry": org.industry_id, "grid": org.grid_id}
            initial |= {f: getattr(instance, f) for f in PROFILE_FORM_FIELDS}
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for name, field in profile_fields().items():
            self.fields[name] = field
        scope = scope_for(user)
        industries = Industry.objects.filter(kind=Industry.Kind.DIVISION)
        if scope.industry_codes is not None:
            industries = industries.filter(code__in=scope.industry_codes)
        self.fields["industry"].queryset = industries
        self.fields["grid"].queryset = (
            scoped(Grid.objects.all(), user) if not scope.everything else Grid.objects.all()
        )
        if not scope.everything:
            self.fields["region"].set_root(scope.region_prefix)
        for key in locked_fields:
            # Shown, never taken from the post: the view drops them and the service
            # refuses a change (anjian.enterprises.services.locked_fields).
            self.fields[key].disabled = True
            self.fields[key].help_text = (
                "由乡镇（街道）或应急管理部门划定。"
                if key == "grid"
                else "关键信息，修改须提交审核（见下方“申请变更关键信息”）。"
            )
        if "grid" in locked_fields and instance is not None:
            # The current grid must be a valid choice of the disabled field, though the
            # user's scope may list no grids (an enterprise's, a department's).
            self.fields["grid"].queryset = Grid.objects.filter(pk=instance.organisation.grid_id)
        style_fields(self)  # the profile fields were added after the mixin styled the form

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self):
        data = super().clean()
        lon, lat = data.get("longitude"), data.get("latitude")
        if (lon is None) != (lat is None):
            self.add_error("latitude", "经度和纬度须同时填写。")
        if data.get("has_major_hazard") and not data.get("major_hazard_grade"):
            self.add_error("major_hazard_grade", "有重大危险源的，须填写等级。")
        if not data.get("has_major_hazard") and data.get("major_hazard_grade"):
            self.add_error("major_hazard_grade", "没有重大危险源，不应填写等级。")
        return data


PROFILE_FORM_FIELDS = (
    "legal_representative",
    "principal_name",
    "principal_phone",
    "safety_officer_name",
    "safety_officer_phone",
    "village",
    "longitude",
    "latitude",
    "employees",
    "above_scale",
    *(n for n, _ in KEY_FLAGS),
    "has_major_hazard",
    "major_hazard_grade",
)


def profile_fields() -> dict[str, forms.Field]:
    return {name: Enterprise._meta.get_field(name).formfield() for name in PROFILE_FORM_FIELDS}


class KeyChangeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="新单位名称", max_length=200, required=False)
    credit_code = forms.CharField(label="新统一社会信用代码", max_length=18, required=False)
    region = RegionField(label="新所在乡镇（街道）", required=False, max_level=4, min_level=4)
    industry = forms.ModelChoiceField(
        label="新所属行业",
        required=False,
        queryset=Industry.objects.filter(kind=Industry.Kind.DIVISION),
    )
    reason = forms.CharField(
        label="变更理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].set_root(enterprise.organisation.region_id[:6])

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason" and v not in (None, "")}


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label="新状态", choices=EnterpriseStatus.choices)
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label="审核结果", choices=[("1", "通过"), ("0", "驳回")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="审核意见", max_length=500, required=False)


class SupervisionForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(label="行业主管部门", queryset=Organisation.objects.none())
    mode = forms.ChoiceField(
        label="调整方式",
        choices=[("add", "增加监管"), ("remove", "排除监管"), ("", "恢复按行业确定")],
        required=False,
    )
    reason = forms.CharField(label="原因", max_length=255)

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.rules.identifiers import region_ancestors

        self.fields["department"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT,
            is_active=True,
            region_id__in=region_ancestors(enterprise.organisation.region_id),
        ).order_by("region_id", "name")


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="Excel文件（.xlsx）")


class ImportConfirmForm(StyledFormMixin, forms.Form):
    mode = forms.ChoiceField(
        label="导入方式", choices=ImportJob.Mode.choices, widget=forms.RadioSelect
    )
