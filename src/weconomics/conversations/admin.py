"""Messages in Django's admin, read-only: moderators look up a reported message by its id.

A report of a message carries the context "message <id>"; nothing here changes a message.
"""

from django.contrib import admin

from weconomics.conversations.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "sender", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=id", "=conversation__id"]
    readonly_fields = ["conversation", "sender", "kind", "body", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
