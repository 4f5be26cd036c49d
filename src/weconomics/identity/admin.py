from allauth.idp.oidc.admin import ClientAdmin as AllauthClientAdmin
from allauth.idp.oidc.models import Client
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from weconomics.audit.services import record
from weconomics.identity.models import Account, PersonalAccessToken

admin.site.unregister(Client)


@admin.register(Client)
class ClientAdmin(AllauthClientAdmin):
    """allauth's client admin (it shows the new secret once), with an audit record."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record("identity.oidc_client_changed" if change else "identity.oidc_client_registered",
               actor=request.user, target=obj, request=request,
               data={"name": obj.name, "via": "admin"})


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
