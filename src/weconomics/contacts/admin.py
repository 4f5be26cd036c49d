from django.contrib import admin

from weconomics.contacts.models import Organisation, OrganisationMembership


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    raw_id_fields = ["account"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
