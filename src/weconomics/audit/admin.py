from django.contrib import admin

from weconomics.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor_id", "subject_id", "target_type",
                    "target_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["action", "target_id", "ip_address"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
