from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from weconomics.identity.models import Account, PersonalAccessToken


@admin.register(Account)
class AccountAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined", "last_login"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["name", "language"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["email", "name", "password1", "password2"]})]


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "scope", "hint", "created_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "account__email"]
    readonly_fields = ["account", "token_hash", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
