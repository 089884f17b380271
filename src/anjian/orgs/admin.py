"""Operators' pages for organisations and accounts.

Organisations, industries and the register change through their pages and services,
so they are read-only here. Accounts, permission groups and grids are managed here,
and every change is audited (anjian.core.admin_base). API tokens can only be revoked.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from anjian.core.admin_base import ADMIN_REASON, AuditedAdmin, ReadOnlyAdmin
from anjian.core.audit import record
from anjian.core.models import AuditEntry
from anjian.orgs import services
from anjian.orgs.models import ApiToken, Grid, Industry, Organisation, User


@admin.register(Industry)
class IndustryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "section"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Changed on the organisation pages (and the register for enterprises), which
    check the rules and write the audit trail."""

    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]


@admin.register(Grid)
class GridAdmin(AuditedAdmin):
    list_display = ["name", "region"]
    raw_id_fields = ["region"]

    def has_delete_permission(self, request, obj=None):
        # Organisations and grid workers point at grids: rename one, never remove it.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Moving a grid would leave its organisations and workers outside their township.
        return ["region"] if obj is not None else []


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "organisation", "role", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "phone"]
    raw_id_fields = ["organisation", "grid"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        ("单位与角色", {"fields": ("organisation", "role", "is_org_admin", "grid")}),
        (
            "状态",
            {"fields": ("is_active", "is_staff", "is_superuser", "failed_logins", "locked_until")},
        ),
        ("权限", {"fields": ("groups", "user_permissions")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                # The organisation and role are part of the account (User.clean needs them).
                "fields": (
                    "username",
                    "full_name",
                    "organisation",
                    "role",
                    "is_org_admin",
                    "grid",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never removed: the trail names them as actors.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and not obj.is_active:
            # As the service does when an account is disabled.
            services.revoke_all_tokens(actor=request.user, user=obj, reason="账号停用")

    def user_change_password(self, request, id, form_url=""):
        """Django's password form, with an audit entry when the password changed."""
        with transaction.atomic():
            stored = User.objects.select_for_update().filter(pk=unquote(id)).first()
            response = super().user_change_password(request, id, form_url)
            if stored is not None:
                now = User.objects.values_list("password", flat=True).get(pk=stored.pk)
                if now != stored.password:
                    services.revoke_all_tokens(actor=request.user, user=stored, reason="密码已修改")
                    record(
                        actor=request.user,
                        instance=stored,
                        action=AuditEntry.Action.PASSWORD,
                        changes={},
                        reason=ADMIN_REASON,
                    )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are looked at and revoked (through the service, audited); a revoked token
    stays revoked."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "user__username", "name"]
    actions = ["revoke_tokens"]

    @admin.action(description="吊销所选API令牌")
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.api_token_revoke(actor=request.user, token=token)
            except PermissionDenied:
                self.message_user(request, "只有超级管理员可以吊销他人的令牌。", messages.ERROR)
                return
            revoked += 1
        self.message_user(request, f"已吊销 {revoked} 个令牌。", messages.SUCCESS)
