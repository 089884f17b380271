from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from anjian.orgs.models import ApiToken, Grid, Industry, Organisation, User


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "section"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Operators only. Day-to-day changes go through the pages, which write the audit trail."""

    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region", "parent", "grid"]
    filter_horizontal = ["supervised_industries"]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    raw_id_fields = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "user", "created_at", "last_used_at"]
