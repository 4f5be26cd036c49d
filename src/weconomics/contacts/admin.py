"""The contacts in Django's admin, for platform administrators and moderators.

People and network roles are shown, not edited here: changes go through the services,
which check the rules and write the audit record. Reports are handled with an action
that records who handled them.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from weconomics.contacts import services
from weconomics.contacts.errors import ContactError
from weconomics.contacts.models import (
    NetworkRole,
    Organisation,
    OrganisationMembership,
    Person,
    Report,
)


class MembershipInline(admin.TabularInline):
    """Members are shown, not changed here: the services keep the last owner and the audit."""

    model = OrganisationMembership
    fields = ["account", "role", "created_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to administrators; written only through the services (and their audit)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject_name", "context", "reason", "status", "reporter",
                    "handled_at"]
    list_filter = ["status", "reason"]
    search_fields = ["subject_name", "details"]
    list_select_related = ["reporter"]
    date_hierarchy = "created_at"
    actions = ["mark_handled"]
    fields = ["created_at", "reporter", "person", "organisation", "subject_name", "context",
              "reason", "details", "status", "handled_at"]
    readonly_fields = fields

    @admin.action(description=_("Mark the selected reports handled"), permissions=["view"])
    def mark_handled(self, request, queryset):
        try:
            count = services.close_reports(actor=request.user,
                                           report_ids=queryset.values_list("pk", flat=True),
                                           request=request)
        except ContactError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, ngettext("%(count)d report marked handled.",
                                            "%(count)d reports marked handled.", count)
                          % {"count": count}, messages.SUCCESS)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "handle", "region", "profile_visibility", "created_at"]
    list_filter = ["profile_visibility"]
    search_fields = ["display_name", "handle", "account__email"]
    list_select_related = ["account"]
    exclude = ["search_name", "region_key"]
    actions = ["grant_supervisor"]

    @admin.action(description=_("Make the selected people supervisors"), permissions=["view"])
    def grant_supervisor(self, request, queryset):
        try:
            for person in queryset.select_related("account"):
                services.grant_supervisor(actor=request.user, person=person, request=request)
        except ContactError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("The supervisor role is granted."), messages.SUCCESS)


@admin.register(NetworkRole)
class NetworkRoleAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "role", "specialty", "granted_by", "created_at"]
    list_filter = ["role"]
    search_fields = ["person__display_name", "person__handle", "organisation__name"]
    list_select_related = ["person", "organisation", "granted_by"]
    actions = ["revoke_supervisor"]

    @admin.action(description=_("Take the supervisor role away from the selected people"),
                  permissions=["view"])
    def revoke_supervisor(self, request, queryset):
        roles = queryset.filter(role=NetworkRole.Role.SUPERVISOR, person__isnull=False)
        try:
            for role in roles.select_related("person__account"):
                services.revoke_supervisor(actor=request.user, person=role.person,
                                           request=request)
        except ContactError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("The supervisor role is taken away."), messages.SUCCESS)
