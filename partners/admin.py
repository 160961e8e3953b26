from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from coalition.admin_tools import AgeFilter, decision_action
from coalition.models import Region
from coalition.vocabularies import REGION_SUBTREE
from partners import services
from partners.models import Application, Invitation, Membership, Organization
from partners.selectors import organizations_in_region


class RegionFilter(admin.SimpleListFilter):
    title = _("region")
    parameter_name = "region"
    organization_path = ""

    def lookups(self, request, model_admin):
        return [(r.m49, r.name) for r in Region.objects.exclude(kind=Region.Kind.INTERMEDIATE)]

    def queryset(self, request, queryset):
        if self.value() not in REGION_SUBTREE:
            return queryset
        in_region = organizations_in_region(Organization.objects.all(), self.value())
        return queryset.filter(**{f"{self.organization_path}pk__in": in_region.values("pk")})


class ApplicationRegionFilter(RegionFilter):
    organization_path = "organization__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


def _set_status(status):
    def change(*, organization, actor, reason):
        return services.organization_set_status(
            organization=organization, status=status, actor=actor, reason=reason
        )

    change.__name__ = f"make_{status}"
    return change


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    """The Secretariat's list of requests to join, oldest first."""

    list_display = [
        "organization",
        "constituency",
        "country",
        "applicant",
        "created_at",
        "decision",
        "reviewer",
    ]
    list_filter = [
        "decision",
        "organization__constituency",
        ApplicationRegionFilter,
        "organization__country",
        AgeFilter,
    ]
    search_fields = ["organization__name", "organization__acronym", "applicant__email"]
    ordering = ["created_at"]
    list_select_related = ["organization__constituency", "applicant", "reviewer"]
    readonly_fields = [
        "organization",
        "applicant",
        "principles_version",
        "endorsed_at",
        "motivation",
        "decision",
        "decided_at",
        "reviewer",
        "reason",
        "created_at",
    ]
    fields = readonly_fields
    actions = [
        decision_action(
            service=services.application_approve,
            description=_("Approve the selected applications"),
            reason_required=False,
            object_arg="application",
        ),
        decision_action(
            service=services.application_reject,
            description=_("Reject the selected applications (a reason is required)"),
            reason_required=True,
            object_arg="application",
        ),
    ]

    @admin.display(description=_("constituency"), ordering="organization__constituency")
    def constituency(self, obj):
        return obj.organization.constituency

    @admin.display(description=_("country"), ordering="organization__country")
    def country(self, obj):
        return obj.organization.country.name

    def has_add_permission(self, request):
        return False  # applications come from the join form

    def has_delete_permission(self, request, obj=None):
        return False  # decisions are kept


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "constituency", "country", "status", "created_at"]
    list_filter = ["status", "constituency", RegionFilter, "country", AgeFilter]
    search_fields = ["name", "acronym", "website", "description"]
    list_select_related = ["constituency"]
    readonly_fields = ["status", "status_changed_at", "approved_at", "created_at", "updated_at"]
    filter_horizontal = ["regions"]
    inlines = [MembershipInline]
    actions = [
        decision_action(
            service=_set_status(Organization.Status.SUSPENDED),
            description=_("Suspend the selected partners (a reason is required)"),
            reason_required=True,
            object_arg="organization",
        ),
        decision_action(
            service=_set_status(Organization.Status.APPROVED),
            description=_("Reinstate the selected suspended partners"),
            reason_required=False,
            object_arg="organization",
        ),
        decision_action(
            service=_set_status(Organization.Status.WITHDRAWN),
            description=_("Record the withdrawal of the selected partners (a reason is required)"),
            reason_required=True,
            object_arg="organization",
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "invited_by", "expires_at", "accepted_at"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization", "invited_by"]
    readonly_fields = ["accepted_at", "accepted_by"]
    exclude = ["token"]
