from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from anjian.core.audit import history_for
from anjian.core.forms import apply_service_errors, form_page, post_action
from anjian.core.listing import Column, ListPage, detail_fields
from anjian.orgs import permissions, selectors, services
from anjian.orgs.forms import (
    OrganisationFilterForm,
    OrganisationForm,
    ReasonForm,
    SetPasswordForm,
    StyledPasswordChangeForm,
    TokenForm,
    UserForm,
)


class OrganisationList(ListPage):
    title = "单位"
    export_name = "单位清单"
    filter_form_class = OrganisationFilterForm
    default_sort = "region_id"
    create_label = "登记单位"
    columns = [
        Column("单位名称", lambda o: o.name, sort="name", link=True),
        Column("单位类型", lambda o: o.get_kind_display(), sort="kind"),
        Column("所在区划", lambda o: o.region.full_name, sort="region_id", phone=False),
        Column("所属行业", lambda o: o.industry.name if o.industry else None, sort="industry_id"),
        Column("统一社会信用代码", lambda o: o.credit_code or None, phone=False),
        Column("联系电话", lambda o: o.phone or None, phone=False),
        Column("状态", lambda o: "启用" if o.is_active else "已停用", sort="is_active"),
    ]

    def queryset(self, request):
        return selectors.organisations_for(request.user)

    def filter(self, qs, data):
        region = data.get("region")
        industry = data.get("industry")
        active = {"1": True, "0": False}.get(data.get("active") or "")
        return selectors.filter_organisations(
            qs,
            q=data.get("q"),
            kind=data.get("kind"),
            region=region.code if region else None,
            industry=industry.code if industry else None,
            is_active=active,
        )

    def can_create(self, request):
        return permissions.can_manage_organisations(request.user)

    @property
    def create_url(self):
        return reverse("orgs:organisation_create")


def organisation_detail(request, pk):
    organisation = selectors.organisation_get(request.user, pk)
    context = {
        "title": organisation.name,
        "object": organisation,
        "back_url": reverse("orgs:organisation_list"),
        "back_label": "单位",
        "fields": detail_fields(
            organisation,
            [
                "kind",
                "region",
                "parent",
                "industry",
                "supervised_industries",
                "grid",
                "credit_code",
                "address",
                "phone",
                "is_active",
            ],
        ),
        "history": history_for(organisation)[:100],
        "can_manage": permissions.can_manage_organisations(request.user),
        "can_manage_users": permissions.can_manage_users_of(request.user, organisation),
        "reason_form": ReasonForm(),
    }
    return render(request, "orgs/organisation_detail.html", context)


def _organisation_data(cleaned):
    return {k: v for k, v in cleaned.items() if k not in {"supervised_industries", "reason"}}


@require_http_methods(["GET", "POST"])
def organisation_create(request):
    if not permissions.can_manage_organisations(request.user):
        raise PermissionDenied("无权登记单位。")
    return form_page(
        request,
        OrganisationForm(request.POST or None, user=request.user),
        lambda d: services.organisation_create(
            actor=request.user,
            data=_organisation_data(d),
            supervised_industries=list(d["supervised_industries"]),
        ),
        success=lambda org: f"已登记单位“{org.name}”。",
        title="登记单位",
        back_url=reverse("orgs:organisation_list"),
        back_label="单位",
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = selectors.organisation_get(request.user, pk)
    if not permissions.can_manage_organisations(request.user):
        raise PermissionDenied("无权修改单位信息。")
    return form_page(
        request,
        OrganisationForm(request.POST or None, instance=organisation, user=request.user),
        lambda d: services.organisation_update(
            actor=request.user,
            organisation=organisation,
            data=_organisation_data(d),
            supervised_industries=list(d["supervised_industries"]),
            reason=d.get("reason", ""),
        ),
        success="已保存。",
        title=f"修改：{organisation.name}",
        back_url=organisation.get_absolute_url(),
        back_label=organisation.name,
    )


@require_POST
def organisation_set_active(request, pk):
    organisation = selectors.organisation_get(request.user, pk)
    active = request.POST.get("active") == "1"
    return post_action(
        request,
        ReasonForm(request.POST),
        lambda data: services.organisation_set_active(
            actor=request.user, organisation=organisation, active=active, reason=data["reason"]
        ),
        success="已启用。" if active else "已停用。",
        redirect_to=organisation,
    )


class UserList(ListPage):
    title = "用户管理"
    export_name = "用户清单"
    default_sort = "username"
    create_label = "添加用户"
    columns = [
        Column("用户名", lambda u: u.username, sort="username", link=True),
        Column("姓名", lambda u: u.full_name, sort="full_name"),
        Column(
            "所属单位",
            lambda u: u.organisation.name if u.organisation else "运维",
            sort="organisation__name",
            href=lambda u: u.organisation.get_absolute_url() if u.organisation_visible else None,
        ),
        Column(
            "角色",
            lambda u: u.get_role_display() or ("运维管理员" if u.is_superuser else None),
            sort="role",
        ),
        Column("单位管理员", lambda u: "是" if u.is_org_admin else "否", phone=False),
        Column("手机号", lambda u: u.phone or None, phone=False),
        Column(
            "状态",
            lambda u: "锁定" if u.is_locked else ("正常" if u.is_active else "已停用"),
            sort="is_active",
        ),
        Column("最近登录", lambda u: u.last_login, sort="last_login", phone=False),
    ]

    def get(self, request, *args, **kwargs):
        if not permissions.can_manage_any_users(request.user):
            raise PermissionDenied("只有单位管理员可以管理用户。")
        return super().get(request, *args, **kwargs)

    def queryset(self, request):
        return selectors.with_organisation_visible(
            selectors.users_manageable_by(request.user), request.user, path="organisation_id"
        )

    def can_create(self, request):
        return request.user.organisation_id is not None

    @property
    def create_url(self):
        return reverse("orgs:user_create", args=[self.request.user.organisation_id])


def user_detail(request, pk):
    member = selectors.user_get_manageable(request.user, pk)
    context = {
        "title": str(member),
        "object": member,
        "back_url": reverse("orgs:user_list"),
        "back_label": "用户管理",
        "fields": detail_fields(
            member,
            [
                "username",
                "full_name",
                "organisation",
                "role",
                "grid",
                "is_org_admin",
                "phone",
                "email",
                "is_active",
                "last_login",
            ],
        ),
        "history": history_for(member)[:100],
        "reason_form": ReasonForm(),
        "is_self": member.pk == request.user.pk,
        "login_limits": selectors.login_limits_of(member),
        "unlock_form": ReasonForm(auto_id="unlock_%s"),
    }
    return render(request, "orgs/user_detail.html", context)


@require_POST
def user_unlock(request, pk):
    member = selectors.user_get_manageable(request.user, pk)
    return post_action(
        request,
        ReasonForm(request.POST),
        lambda data: services.user_unlock(actor=request.user, user=member, reason=data["reason"]),
        success="已解除登录限制。",
        redirect_to=member,
    )


@require_http_methods(["GET", "POST"])
def user_create(request, org_pk):
    organisation = selectors.organisation_get(request.user, org_pk)
    if not permissions.can_manage_users_of(request.user, organisation):
        raise PermissionDenied("无权为该单位添加用户。")

    def create(data):
        data = dict(data)
        username, password = data.pop("username"), data.pop("password")
        return services.user_create(
            actor=request.user,
            organisation=organisation,
            username=username,
            password=password,
            data=data,
        )

    return form_page(
        request,
        UserForm(request.POST or None, organisation=organisation),
        create,
        success=lambda member: f"已添加用户 {member.username}。",
        title=f"添加用户：{organisation.name}",
        back_url=reverse("orgs:user_list"),
        back_label="用户管理",
    )


@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    member = selectors.user_get_manageable(request.user, pk)
    initial = {
        k: getattr(member, k)
        for k in ("full_name", "phone", "email", "role", "grid", "is_org_admin")
    }

    def update(data):
        data = dict(data)
        reason = data.pop("reason", "")
        return services.user_update(actor=request.user, user=member, data=data, reason=reason)

    return form_page(
        request,
        UserForm(
            request.POST or None, initial=initial, organisation=member.organisation, editing=True
        ),
        update,
        success="已保存。",
        title=f"修改用户：{member}",
        back_url=member.get_absolute_url(),
        back_label=str(member),
    )


@require_http_methods(["GET", "POST"])
def user_reset_password(request, pk):
    member = selectors.user_get_manageable(request.user, pk)
    return form_page(
        request,
        SetPasswordForm(request.POST or None),
        lambda d: services.user_set_password(
            actor=request.user, user=member, password=d["new_password1"], old_password=None
        ),
        success="已重置密码。",
        title=f"重置密码：{member}",
        back_url=member.get_absolute_url(),
        back_label=str(member),
    )


@require_POST
def user_set_active(request, pk):
    member = selectors.user_get_manageable(request.user, pk)
    active = request.POST.get("active") == "1"
    return post_action(
        request,
        ReasonForm(request.POST),
        lambda data: services.user_set_active(
            actor=request.user, user=member, active=active, reason=data["reason"]
        ),
        success="已启用。" if active else "已停用。",
        redirect_to=member,
    )


@require_http_methods(["GET", "POST"])
def password_change(request):
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["new_password1"],
                old_password=form.cleaned_data["old_password"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(
        request, "registration/password_change_form.html", {"form": form, "title": "修改密码"}
    )


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "orgs/token_list.html",
        {
            "title": "我的令牌",
            "form": form,
            "new_key": new_key,
            "tokens": selectors.tokens_of(request.user),
        },
    )


@require_POST
def token_revoke(request, pk):
    token = selectors.tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        from django.http import Http404

        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, "令牌已吊销。")
    return redirect("orgs:token_list")
