import uuid

from django import forms
from django.utils import timezone

from anjian.core.forms import StyledFormMixin
from anjian.inspections import permissions
from anjian.inspections.models import Campaign, Kind
from anjian.orgs.models import Organisation


class InspectionForm(StyledFormMixin, forms.Form):
    """The fixed part of an inspection; the items' answers are read beside it."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
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
