from django.contrib import admin

from anjian.core.admin_base import ReadOnlyAdmin
from anjian.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: audit entries cannot be added, changed or deleted from any page."""

    list_display = ["created_at", "actor_name", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_name", "object_id"]
    date_hierarchy = "created_at"
