from django.contrib import admin

from weconomics.communities.models import Community, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["account"]
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "visibility", "created_at"]
    list_filter = ["kind", "visibility"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
