from allauth.idp.oidc.adapter import get_adapter as get_oidc_adapter
from allauth.idp.oidc.admin import ClientAdmin as AllauthClientAdmin
from allauth.idp.oidc.models import Client
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.identity.models import Account, PersonalAccessToken

admin.site.unregister(Client)


@admin.register(Client)
class ClientAdmin(AllauthClientAdmin):
    """allauth's client admin with an audit record; a new client's secret is shown once.

    allauth shows the new secret in a flash message, which this site's message storage
    keeps in a (signed, not encrypted) cookie: the secret would travel back to the browser
    in a Cookie header and sit in proxies' logs. The answer to the add form shows it
    instead, on a page kept out of every cache.
    """

    def save_model(self, request, obj, form, change):
        if not change:
            secret = get_oidc_adapter().generate_client_secret()
            obj.set_secret(secret)
            request.weconomics_new_client_secret = secret
        admin.ModelAdmin.save_model(self, request, obj, form, change)  # not allauth's message
        record("identity.oidc_client_changed" if change else "identity.oidc_client_registered",
               actor=request.user, target=obj, request=request,
               data={"name": obj.name, "via": "admin"})

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "weconomics_new_client_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        response = TemplateResponse(request, "identity/admin/client_secret.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "client": obj,
            "secret": secret, "title": _("The new client's secret"),
        })
        add_never_cache_headers(response)
        return response


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
