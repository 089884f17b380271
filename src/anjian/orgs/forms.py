from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from anjian.core.access import scope_for, scoped
from anjian.core.forms import StyledFormMixin
from anjian.orgs.models import Grid, Industry, Organisation, Role
from anjian.regions.widgets import RegionField

ACTIVE_CHOICES = [("", "全部"), ("1", "启用"), ("0", "已停用")]


class OrganisationFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="单位类型", required=False, choices=[("", "全部"), *Organisation.Kind.choices]
    )
    industry = forms.ModelChoiceField(
        label="行业",
        required=False,
        queryset=Industry.objects.all(),
        empty_label="全部",
        to_field_name="code",
    )
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)
    region = RegionField(label="区划", required=False)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None:
            self.fields["region"].limit_to_scope(request.user)


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    region = RegionField(label="所在区划", max_level=4)
    supervised_industries = forms.ModelMultipleChoiceField(
        label="监管行业（行业主管部门填写）",
        required=False,
        queryset=Industry.objects.all(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    reason = forms.CharField(label="修改原因", required=False, max_length=500)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "region",
            "parent",
            "industry",
            "grid",
            "credit_code",
            "address",
            "phone",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        if not scope.everything:
            self.fields["region"].set_root(scope.region_prefix)
            from anjian.orgs.selectors import organisations_for

            visible = organisations_for(user)
            self.fields["parent"].queryset = visible.exclude(kind=Organisation.Kind.ENTERPRISE)
            self.fields["grid"].queryset = scoped(Grid.objects.all(), user)
        self.fields["industry"].queryset = Industry.objects.filter(kind=Industry.Kind.DIVISION)
        enterprise = Organisation.Kind.ENTERPRISE
        if self.instance.pk and self.instance.kind == enterprise:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "生产经营单位的信息请在“企业台账”中维护。"
        else:
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != enterprise
            ]
        if self.instance.pk:
            self.fields["supervised_industries"].initial = list(
                self.instance.supervised_industries.all()
            )
        else:
            del self.fields["reason"]


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class UserForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 @/./+/-/_ 字符。"},
    )
    full_name = forms.CharField(label="姓名", max_length=60)
    phone = forms.RegexField(
        label="手机号",
        required=False,
        regex=r"^1\d{10}$",
        error_messages={"invalid": "请输入11位手机号。"},
    )
    email = forms.EmailField(label="电子邮箱", required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    grid = forms.ModelChoiceField(
        label="负责网格（网格员）", required=False, queryset=Grid.objects.none()
    )
    is_org_admin = forms.BooleanField(label="单位管理员（可管理本单位用户）", required=False)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(render_value=False), min_length=8
    )

    def __init__(self, *args, organisation=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        from anjian.orgs.models import ROLE_ORG_KINDS

        if organisation is not None:
            self.fields["role"].choices = [
                (value, label)
                for value, label in Role.choices
                if organisation.kind in ROLE_ORG_KINDS[value]
            ]
            self.fields["grid"].queryset = Grid.objects.filter(
                region__code__startswith=organisation.region_id
            )
        if editing:
            del self.fields["username"]
            del self.fields["password"]
            self.fields["reason"] = forms.CharField(
                label="修改原因", required=False, max_length=500
            )
            self.fields["reason"].widget.attrs["class"] = "form-control"


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class SetPasswordForm(StyledFormMixin, forms.Form):
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput, min_length=8)
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的密码不一致。")
        return data


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="令牌名称（用途）", max_length=100, required=False)
