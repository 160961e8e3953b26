from django.apps import apps
from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from coalition.admin_tools import AgeFilter, decision_action
from coalition.errors import ApplicationError
from coalition.history import record_change
from commitments.admin import CommitmentAdmin
from commitments.models import Commitment
from partners.admin import OrganizationAdmin
from partners.models import Organization
from secretariat import services
from secretariat.models import (
    Announcement,
    CoordinatingGroupMembership,
    EmailDelivery,
    GoodPractice,
    GoodPracticeAttachment,
    NotificationPreference,
    kind_label,
)
from secretariat.resources import CommitmentResource, OrganizationResource
from secretariat.search import refresh_search_vector


class KindFilter(admin.SimpleListFilter):
    """Every kind found in the log, the other apps' own kinds included."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = EmailDelivery.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(kind, kind_label(kind)) for kind in kinds]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every email, its key, what became of it. Read-only; a failed email
    can be sent again (same message, same Message-ID)."""

    list_display = ["created_at", "kind_display", "to_email", "subject", "status", "attempts"]
    list_filter = ["status", KindFilter, "language", "created_at", "sent_at"]
    search_fields = ["to_email", "subject", "message_id", "period"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    show_full_result_count = False  # COUNT(*) over a large log on every page is wasted
    actions = ["resend"]
    fieldsets = [
        (None, {"fields": ["kind_display", "recipient", "to_email", "language", "subject"]}),
        (_("Idempotency key"), {"fields": ["about", "period"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "last_error",
                    "created_at",
                    "last_attempt_at",
                    "sent_at",
                    "message_id",
                ]
            },
        ),
        (_("Message"), {"fields": ["headers", "body_text", "body_html"]}),
    ]
    readonly_fields = [
        "kind_display",
        "recipient",
        "to_email",
        "language",
        "subject",
        "about",
        "period",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
        "message_id",
        "headers",
        "body_text",
        "body_html",
    ]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("about"))
    def about(self, obj):
        if not obj.object_type:
            return "—"
        label = f"{obj.object_type} #{obj.object_id}"
        try:
            model = apps.get_model(obj.object_type)
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.object_id])
        except (LookupError, NoReverseMatch):
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    def has_add_permission(self, request):
        return False  # emails are recorded by the jobs and the apps

    def has_change_permission(self, request, obj=None):
        return False  # the log is a record; re-sending is an action

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a row would free its key and let the email go out again

    def has_resend_permission(self, request):
        return request.user.has_perm("secretariat.change_emaildelivery")

    @admin.action(description=_("Send the selected failed emails again"), permissions=["resend"])
    def resend(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                services.delivery_requeue(delivery=delivery, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{delivery}: {error.message}", messages.ERROR)
            else:
                self.log_change(request, delivery, "Sent again")
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email is queued to be sent again.",
                    "%(count)d emails are queued to be sent again.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_frequency", "digest_sent_until", "updated_at"]
    list_filter = [
        "digest_frequency",
        "remind_deliverable_due",
        "remind_deliverable_overdue",
        "remind_no_commitment",
        "remind_draft_idle",
        "remind_review_waiting",
        "moderation_digest",
    ]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["thematic_areas"]
    readonly_fields = ["digest_sent_until", "created_at", "updated_at"]


# --- Good practices, the Coordinating Group, announcements -------------------------------------


class SubmittedAgeFilter(AgeFilter):
    field_name = "submitted_at"


class AttachmentInline(admin.TabularInline):
    model = GoodPracticeAttachment
    extra = 0
    fields = ["name", "content_type", "size", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # partners attach files, with their type and size checked


@admin.register(GoodPractice)
class GoodPracticeAdmin(SimpleHistoryAdmin):
    """Good practices, oldest submission first: the Secretariat publishes them or returns them
    with a reason; the organization is emailed either way."""

    list_display = ["title", "organization", "status", "submitted_at", "published_at"]
    list_filter = ["status", "thematic_areas", "sdgs", SubmittedAgeFilter]
    search_fields = ["title", "summary", "organization__name"]
    list_select_related = ["organization"]
    ordering = ["status", "submitted_at", "-pk"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["thematic_areas", "sdgs", "commitments"]
    readonly_fields = [
        "status",
        "status_reason",
        "status_changed_at",
        "submitted_at",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [AttachmentInline]
    actions = [
        decision_action(
            service=services.good_practice_publish,
            description=_("Publish the selected good practices"),
            reason_required=False,
            object_arg="practice",
        ),
        decision_action(
            service=services.good_practice_return,
            description=_("Return the selected good practices for changes (a reason is required)"),
            reason_required=True,
            object_arg="practice",
        ),
    ]

    def has_add_permission(self, request):
        return False  # partners share practices; the Secretariat curates them

    def save_model(self, request, obj, form, change):
        record_change(obj, actor=request.user, reason="Edited by the Secretariat")
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search_vector(form.instance)


@admin.register(CoordinatingGroupMembership)
class CoordinatingGroupMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "role", "term_start", "term_end"]
    list_filter = ["role", "term_start", "term_end"]
    search_fields = ["organization__name", "organization__acronym"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]

    def save_model(self, request, obj, form, change):
        record_change(obj, actor=request.user, reason="Changed" if change else "Added")
        super().save_model(request, obj, form, change)


@admin.register(Announcement)
class AnnouncementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "language", "published_at", "created_by"]
    list_filter = ["language", "published_at"]
    search_fields = ["title", "body"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "published_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        record_change(obj, actor=request.user, reason="Changed" if change else "Written")
        super().save_model(request, obj, form, change)


# --- Import and export of partners and commitments (CSV, XLSX) ---------------------------------
# The partners' and commitments' admins stay theirs; the Secretariat adds the import and export
# buttons on top (this app loads last, see INSTALLED_APPS).

SPREADSHEET_FORMATS = [base_formats.CSV, base_formats.XLSX]


class OrganizationImportExportAdmin(ImportExportMixin, OrganizationAdmin):
    resource_classes = [OrganizationResource]
    formats = SPREADSHEET_FORMATS


class CommitmentImportExportAdmin(ImportExportMixin, CommitmentAdmin):
    resource_classes = [CommitmentResource]
    formats = SPREADSHEET_FORMATS


for _model, _admin_class in [
    (Organization, OrganizationImportExportAdmin),
    (Commitment, CommitmentImportExportAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)

# Webhooks and their deliveries have their own module; importing it registers them.
from secretariat import webhook_admin  # noqa: E402, F401
