from django.contrib import admin

from weconomics.communities.models import (
    Alliance,
    Community,
    CommunityDomain,
    DomainKind,
    Membership,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["account"]
    extra = 0


class DomainInline(admin.TabularInline):
    model = CommunityDomain
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "visibility", "join_policy", "host", "created_at"]
    list_filter = ["kind", "visibility", "join_policy"]
    search_fields = ["name", "slug", "host"]
    raw_id_fields = ["created_by"]
    inlines = [DomainInline, MembershipInline]


@admin.register(DomainKind)
class DomainKindAdmin(admin.ModelAdmin):
    """Platform administrators add the kinds of domain communities can open."""

    list_display = ["slug", "name_nl", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["slug", "name_nl", "name_en"]


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    list_display = ["proposer", "partner", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["proposer", "partner", "proposed_by", "decided_by", "ended_by"]
