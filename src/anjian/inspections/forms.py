import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone

from anjian.core.forms import StyledFormMixin
from anjian.enterprises.models import EnterpriseStatus
from anjian.enterprises.widgets import EnterpriseField, EnterpriseMultipleField
from anjian.inspections import permissions
from anjian.inspections.models import (
    Campaign,
    ChecklistTemplate,
    InspectionPlan,
    InspectionPoint,
    Kind,
)
from anjian.orgs.models import Industry, Organisation
from anjian.regions.widgets import RegionField


class InspectionForm(StyledFormMixin, forms.Form):
    """The fixed part of an inspection; the items' answers are read beside it."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    signature_data = forms.CharField(widget=forms.HiddenInput, required=False)
    enterprise_signature_data = forms.CharField(widget=forms.HiddenInput, required=False)
    started_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    latitude = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=8
    )
    longitude = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=8
    )
    kind = forms.ChoiceField(label="检查类型")
    place = forms.CharField(label="检查地点", max_length=200)
    participants = forms.ModelMultipleChoiceField(
        label="参加部门（联合执法）",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    campaign = forms.ModelChoiceField(
        label="专项整治", queryset=Campaign.objects.none(), required=False, empty_label="（无）"
    )
    summary = forms.CharField(
        label="检查意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signed_by = forms.CharField(label="检查人员签名", max_length=60)
    enterprise_signed_by = forms.CharField(
        label="被检查单位负责人签名", max_length=60, required=False
    )

    def __init__(self, *args, user=None, enterprise=None, campaigns=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", uuid.uuid4())
        kwargs["initial"].setdefault("started_at", timezone.now().isoformat())
        kwargs["initial"].setdefault("signed_by", user.get_full_name() if user else "")
        super().__init__(*args, **kwargs)
        kinds = permissions.kinds_for(user)
        self.fields["kind"].choices = [(k, label) for k, label in Kind.choices if k in kinds]
        if enterprise is not None:
            self.fields["place"].initial = (
                enterprise.organisation.address or enterprise.organisation.name
            )
        region = (user.organisation.region_id if user and user.organisation else "") or ""
        self.fields["participants"].queryset = Organisation.objects.filter(
            kind__in=["department", "safety", "government"], region__code__startswith=region[:6]
        ).order_by("kind", "name")
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns
        if Kind.JOINT not in kinds:
            del self.fields["participants"]


class CampaignForm(StyledFormMixin, forms.ModelForm):
    region = RegionField(label="范围（区划）")
    flag = forms.ChoiceField(label="目标企业类型", required=False)

    class Meta:
        model = Campaign
        fields = [
            "name",
            "start",
            "end",
            "domains",
            "region",
            "industry_codes",
            "flag",
            "lead",
            "cooperating",
        ]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "domains": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.core.access import scope_for
        from anjian.inspections.services import ENTERPRISE_FLAGS

        scope = scope_for(request.user)
        if scope.region_prefix and not scope.everything:
            self.fields["region"].set_root(scope.region_prefix)
        prefix = (request.user.organisation.region_id if request.user.organisation else "")[:6]
        departments = Organisation.objects.filter(
            kind__in=["department", "safety", "government"], region__code__startswith=prefix
        ).order_by("kind", "name")
        self.fields["lead"].queryset = departments
        self.fields["cooperating"].queryset = departments
        self.fields["flag"].choices = [("", "不限"), *ENTERPRISE_FLAGS.items()]

    def validate_unique(self):
        """The service validates and saves."""


class StartForm(StyledFormMixin, forms.Form):
    """Which enterprise to inspect, picked by name (the inspection list, 我的检查任务)."""

    enterprise = EnterpriseField(label="被检查单位", submit_on_pick=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].limit_to(user)


class PlanForm(StyledFormMixin, forms.ModelForm):
    """A plan's enterprises are picked by name, or added all at once by a filter
    (every enterprise of a township in an industry); both are limited to the scope."""

    enterprises = EnterpriseMultipleField(label="检查对象", required=False)
    add_matching = forms.BooleanField(
        label="按条件添加：下面所选区划和行业的全部在营企业", required=False
    )
    filter_region = RegionField(label="区划（乡镇/街道）", required=False)
    filter_industry = forms.ModelChoiceField(
        label="按条件添加：行业（GB/T 4754）",
        queryset=Industry.objects.all(),
        required=False,
        empty_label="全部行业",
    )

    class Meta:
        model = InspectionPlan
        fields = ["name", "inspector", "template", "kind", "frequency", "start", "end", "campaign"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, request=None, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.orgs.models import User

        org = request.user.organisation
        self.fields["inspector"].queryset = (
            User.objects.filter(is_active=True, organisation=org).order_by("username")
            if org
            else User.objects.none()
        )
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_current=True)
        self.fields["campaign"].queryset = (
            campaigns if campaigns is not None else Campaign.objects.none()
        )
        self.fields["campaign"].label = "专项整治"
        self.fields["enterprises"].limit_to(request.user)
        self.fields["filter_region"].limit_to_scope(request.user)
        self.user = request.user

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        chosen = {e.pk: e for e in data.get("enterprises") or []}
        region, industry = data.get("filter_region"), data.get("filter_industry")
        if data.get("add_matching"):
            matched = plan_filter_matches(self.user, region=region, industry=industry)
            if not matched:
                self.add_error("filter_region", "本辖区内没有符合该条件的企业。")
                return data
            for enterprise in matched:
                chosen.setdefault(enterprise.pk, enterprise)
        if not chosen:
            self.add_error("enterprises", "请选择检查对象，或按乡镇/街道和行业添加。")
        data["enterprises"] = list(chosen.values())
        return data


CLOSED_STATUSES = (EnterpriseStatus.CLOSED, EnterpriseStatus.DEREGISTERED)
#: A filter that adds more enterprises than this to one plan is a mistake, not a plan.
PLAN_FILTER_LIMIT = 2000


def plan_filter_matches(user, *, region=None, industry=None):
    """The scope's enterprises of a region (subtree) and an industry (门类 or 大类)."""
    from anjian.enterprises.selectors import filter_register, register_rows_for

    rows = filter_register(
        register_rows_for(user),
        region=region.code if region is not None else None,
        industry=industry.code if industry is not None else None,
    ).filter(~Q(enterprise__status__in=CLOSED_STATUSES), is_active=True)
    return list(rows.order_by("name", "id")[:PLAN_FILTER_LIMIT])


class PointForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = InspectionPoint
        fields = ["name", "template", "latitude", "longitude", "radius_m"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_current=True)


class ChecklistEditForm(StyledFormMixin, forms.Form):
    """A checklist as text: '## 分组' lines, then one item per line:
    检查内容 | 检查方法 | 依据 | 重大 (the last three optional; 重大 marks a 重大隐患 criterion)."""

    name = forms.CharField(label="名称", max_length=100)
    content = forms.CharField(
        label="检查内容（“## 分组”，每项一行：检查内容 | 检查方法 | 依据 | 重大）",
        widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
    )

    @staticmethod
    def as_text(sections):
        lines = []
        for title, items in sections:
            lines.append(f"## {title}")
            for item in items:
                parts = [
                    item["question"],
                    item.get("how_to_check", ""),
                    item.get("legal_basis", ""),
                ]
                if item.get("major"):
                    parts.append("重大")
                lines.append(" | ".join(parts).rstrip(" |"))
        return "\n".join(lines)

    def sections(self):
        sections = []
        for number, raw in enumerate(self.cleaned_data["content"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("##"):
                sections.append((line.lstrip("#").strip()[:100], []))
                continue
            if not sections:
                raise forms.ValidationError(f"第{number}行：请先写分组（## 分组名称）。")
            parts = [p.strip() for p in line.split("|")]
            major = len(parts) > 3 and parts[3] == "重大"
            if not parts[0] or len(parts[0]) > 300:
                raise forms.ValidationError(f"第{number}行：检查内容不能为空或超过300字。")
            sections[-1][1].append(
                {
                    "question": parts[0],
                    "how_to_check": (parts[1] if len(parts) > 1 else "")[:300],
                    "legal_basis": (parts[2] if len(parts) > 2 else "")[:300],
                    "major": major,
                }
            )
        return sections

    def clean(self):
        data = super().clean()
        if "content" in data:
            try:
                data["sections"] = self.sections()
            except forms.ValidationError as exc:
                self.add_error("content", exc)
        return data


class PeriodForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label="从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ChecklistCreateForm(ChecklistEditForm):
    domain = forms.ModelChoiceField(label="领域", queryset=None)
    industry_codes = forms.CharField(
        label="适用行业（GB/T 4754 门类/大类，逗号分隔，空为不限）", required=False, max_length=200
    )
    basis = forms.CharField(label="依据", required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.hazards.models import HazardDomain

        self.fields["domain"].queryset = HazardDomain.objects.all()
        self.order_fields(["name", "domain", "industry_codes", "basis", "content"])


class InspectionFilterForm(StyledFormMixin, forms.Form):
    enterprise = forms.CharField(label="被检查单位或信用代码", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="检查类型", required=False, choices=[("", "全部"), *Kind.choices]
    )
    campaign = forms.ModelChoiceField(
        label="专项整治", required=False, queryset=Campaign.objects.none(), empty_label="全部"
    )
    failed = forms.BooleanField(label="只看有不合格项", required=False)
    finished_from = forms.DateField(
        label="检查日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    finished_to = forms.DateField(
        label="到", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.inspections.selectors import campaigns_for

        self.fields["campaign"].queryset = campaigns_for(request.user)

    def clean(self):
        data = super().clean()
        start, end = data.get("finished_from"), data.get("finished_to")
        if start and end and start > end:
            self.add_error("finished_to", "结束日期不能早于开始日期。")
        return data


def png_from_data_url(value: str) -> bytes | None:
    """The bytes of a `data:image/png;base64,…` URL from a signature pad (None: empty)."""
    import base64
    import binascii

    prefix = "data:image/png;base64,"
    if not value:
        return None
    if not value.startswith(prefix):
        return b"invalid"
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return b"invalid"
