"""Webhooks in the admin (imported by secretariat/admin.py): every hook, its state and history,
and the log of deliveries, read-only, with the receivers' answers. The Secretariat may disable
or enable a hook and send failed deliveries again; each goes through
secretariat.webhook_services, as on the owner's page."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from coalition.errors import ApplicationError
from secretariat import webhook_services
from secretariat.models import (
    WEBHOOK_SUBSCRIPTION_CHOICES,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)


class EventFilter(admin.SimpleListFilter):
    """Hooks subscribed to an event."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return WEBHOOK_SUBSCRIPTION_CHOICES

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.subscribed_to(self.value())


def _run(model_admin, request, queryset, service, done_message, *, argument: str = "hook"):
    done = 0
    for obj in queryset:
        try:
            service(actor=request.user, **{argument: obj})
        except ApplicationError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, done_message(done), messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "owner",
        "events_display",
        "active",
        "consecutive_failures",
        "disabled_at",
        "created_at",
    ]
    list_filter = ["active", "disabled_reason", EventFilter, "created_at"]
    search_fields = ["name", "url", "owner__email"]
    list_select_related = ["owner"]
    ordering = ["-created_at", "-pk"]
    actions = ["disable", "enable"]
    fields = [
        "owner",
        "name",
        "description",
        "url",
        "events_display",
        "active",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "secret_hint",
        "created_at",
        "updated_at",
        "deliveries_link",
    ]
    readonly_fields = fields

    @admin.display(description=_("events"))
    def events_display(self, obj):
        return ", ".join(obj.events)

    @admin.display(description=_("secret begins with"))
    def secret_hint(self, obj):
        return obj.secret_hint

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, obj):
        url = reverse("admin:secretariat_webhookdelivery_changelist")
        url = f"{url}?hook__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Deliveries of this webhook"))

    def has_add_permission(self, request):
        return False  # registered by their owners, on their account page or through the API

    def has_change_permission(self, request, obj=None):
        return False  # owners change their hooks; the Secretariat disables or enables

    def has_delete_permission(self, request, obj=None):
        return False  # disabling stops it; its owner decides to delete it

    @admin.action(description=_("Disable the selected webhooks"), permissions=["view"])
    def disable(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            webhook_services.webhook_disable,
            lambda n: ngettext("%(n)d webhook disabled.", "%(n)d webhooks disabled.", n) % {"n": n},
        )

    @admin.action(description=_("Enable the selected webhooks"), permissions=["view"])
    def enable(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            webhook_services.webhook_enable,
            lambda n: ngettext("%(n)d webhook enabled.", "%(n)d webhooks enabled.", n) % {"n": n},
        )


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["attempted_at", "ok", "response_status", "error", "duration_ms", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The outbox of webhooks: every event sent to every hook, with each attempt."""

    list_display = [
        "created_at",
        "event",
        "hook",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "created_at"]
    search_fields = ["uuid", "hook__url", "hook__name", "hook__owner__email"]
    list_select_related = ["hook"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["retry"]
    inlines = [AttemptInline]
    fields = [
        "hook",
        "event",
        "uuid",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "response_status",
        "response_excerpt",
        "last_error",
        "body",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is a record

    def has_retry_permission(self, request):
        return request.user.has_perm("secretariat.view_webhookdelivery")

    @admin.action(description=_("Send the selected failed deliveries again"), permissions=["retry"])
    def retry(self, request, queryset):
        _run(
            self,
            request,
            queryset.select_related("hook"),
            webhook_services.webhook_delivery_retry,
            lambda n: (
                ngettext(
                    "%(n)d delivery will be sent again.", "%(n)d deliveries will be sent again.", n
                )
                % {"n": n}
            ),
            argument="delivery",
        )
