from django.contrib import admin

from anjian.core.admin_base import ReadOnlyAdmin
from anjian.enterprises.models import ChangeRequest, Enterprise, ImportJob


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "status", "has_major_hazard", "employees"]
    list_filter = ["status", "has_major_hazard"]
    search_fields = ["organisation__name", "organisation__credit_code"]
    raw_id_fields = ["organisation"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "status", "requested_by", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["enterprise", "requested_by", "decided_by"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "created_by",
        "status",
        "total_rows",
        "created_count",
        "created_at",
    ]
    list_filter = ["status"]
