from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from coalition.admin_tools import AgeFilter, decision_action
from coalition.errors import ApplicationError
from forum import services
from forum.models import ForumEdition, Post, PostReport, Registration, Session, Speaker, Thread


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["title", "thematic_area", "starts_at", "ends_at", "room"]
    show_change_link = True


@admin.register(ForumEdition)
class ForumEditionAdmin(SimpleHistoryAdmin):
    list_display = [
        "year",
        "theme",
        "starts_on",
        "ends_on",
        "in_person",
        "online",
        "in_person_capacity",
        "registered",
        "waitlisted",
        "is_published",
    ]
    list_filter = ["is_published", "in_person", "online"]
    search_fields = ["theme", "place"]
    readonly_fields = ["created_at", "updated_at", "ever_published"]
    inlines = [SessionInline]
    fieldsets = [
        (None, {"fields": ["year", "theme", "description", "is_published", "ever_published"]}),
        (_("When and where"), {"fields": ["starts_on", "ends_on", "time_zone", "place"]}),
        (
            _("Attendance and registration"),
            {
                "fields": [
                    "in_person",
                    "in_person_capacity",
                    "online",
                    "online_capacity",
                    "registration_opens_at",
                    "registration_closes_at",
                ],
                "description": _(
                    "Participants pay their own travel and stay; there are no fees. When seats are "
                    "added, people on the waitlist get them in turn (and an email) on saving."
                ),
            },
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
    actions = [
        "fill_from_waitlist",
        decision_action(
            service=services.edition_publish,
            description=_("Publish the selected editions and their programme"),
            reason_required=False,
            object_arg="edition",
        ),
        decision_action(
            service=services.edition_unpublish,
            description=_("Unpublish the selected editions and their programme"),
            reason_required=False,
            object_arg="edition",
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                registered_count=Count(
                    "registrations", filter=Q(registrations__status="registered")
                ),
                waitlisted_count=Count(
                    "registrations", filter=Q(registrations__status="waitlisted")
                ),
            )
        )

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # simple-history then calls select_related() with no field for a model without foreign
        # keys, which Django 6.1 deprecates; an edition has none, so only its author is joined.
        return history_manager.filter(**{pk_name: object_id}).select_related("history_user")

    @admin.display(description=_("registered"), ordering="registered_count")
    def registered(self, obj):
        return obj.registered_count

    @admin.display(description=_("on the waitlist"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return obj.waitlisted_count

    def save_model(self, request, obj, form, change):
        # Publishing goes through its service (the mark a sync relies on, the sessions' change
        # time): the rest of the form is saved with the edition as it was.
        publishing = "is_published" in form.changed_data
        published = obj.is_published
        if publishing:
            obj.is_published = not published
        super().save_model(request, obj, form, change)
        if publishing:
            try:
                service = services.edition_publish if published else services.edition_unpublish
                service(edition=obj, actor=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                obj.refresh_from_db()
        capacity_fields = {"in_person_capacity", "online_capacity", "in_person", "online"}
        if change and capacity_fields & set(form.changed_data):
            self._fill(request, obj)

    def _fill(self, request, edition):
        try:
            promoted = services.edition_fill_from_waitlist(edition=edition, actor=request.user)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person on the waitlist got a seat and is told by email.",
                    "%(count)d people on the waitlist got a seat and are told by email.",
                    promoted,
                )
                % {"count": promoted},
                messages.SUCCESS,
            )

    @admin.action(description=_("Give free seats to the people on the waitlist"))
    def fill_from_waitlist(self, request, queryset):
        for edition in queryset:
            self._fill(request, edition)


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    autocomplete_fields = ["user", "organization"]
    fields = ["position", "role", "user", "organization", "name", "affiliation"]


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "edition", "thematic_area", "starts_at", "ends_at", "room"]
    list_filter = ["edition", "thematic_area"]
    search_fields = ["title", "description", "speakers__name"]
    list_select_related = ["edition", "thematic_area"]
    date_hierarchy = "starts_at"
    inlines = [SpeakerInline]


class HasNeedsFilter(admin.SimpleListFilter):
    title = _("accessibility needs")
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        return [("yes", _("Has needs")), ("no", _("None given"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(accessibility_needs="")
        if self.value() == "no":
            return queryset.filter(accessibility_needs="")
        return queryset


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    """Registrations, with the accessibility needs that only the Secretariat sees."""

    list_display = [
        "user",
        "organization",
        "edition",
        "attendance_mode",
        "status",
        "waitlisted_at",
        "has_needs",
        "listed",
        "created_at",
    ]
    list_filter = ["edition", "status", "attendance_mode", HasNeedsFilter, "listed"]
    search_fields = ["user__email", "user__full_name", "organization__name"]
    list_select_related = ["user", "organization", "edition"]
    ordering = ["edition", "status", "waitlisted_at", "created_at"]
    readonly_fields = [
        "edition",
        "user",
        "organization",
        "attendance_mode",
        "status",
        "registered_at",
        "waitlisted_at",
        "promoted_at",
        "cancelled_at",
        "cancelled_by",
        "accessibility_needs",
        "listed",
        "created_at",
    ]
    fields = readonly_fields
    actions = [
        decision_action(
            service=services.registration_cancel,
            description=_("Cancel the selected registrations (a reason is required)"),
            reason_required=True,
            object_arg="registration",
        )
    ]

    @admin.display(description=_("needs"), boolean=True)
    def has_needs(self, obj):
        return bool(obj.accessibility_needs)

    def has_add_permission(self, request):
        return False  # people register themselves, for an approved partner

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled, never deleted: seats and the waitlist depend on the record


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    fields = ["author", "organization", "created_at", "hidden_at", "body"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(SimpleHistoryAdmin):
    list_display = ["title", "thematic_area", "author", "organization", "last_posted_at", "hidden"]
    list_filter = ["thematic_area", ("hidden_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "author__email", "organization__name"]
    list_select_related = ["thematic_area", "author", "organization"]
    readonly_fields = [
        "author",
        "organization",
        "last_posted_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "created_at",
    ]
    fields = ["thematic_area", "title", *readonly_fields]
    inlines = [PostInline]
    actions = [
        decision_action(
            service=services.thread_hide,
            description=_("Hide the selected discussions (a reason is required)"),
            reason_required=True,
            object_arg="thread",
        ),
        decision_action(
            service=services.thread_unhide,
            description=_("Show the selected discussions again"),
            reason_required=False,
            object_arg="thread",
        ),
    ]

    @admin.display(description=_("hidden"), boolean=True)
    def hidden(self, obj):
        return obj.is_hidden

    def has_add_permission(self, request):
        return False  # discussions are opened by members, on the site


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "author", "organization", "created_at", "edited_at", "hidden"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter), "thread__thematic_area"]
    search_fields = ["body", "author__email", "thread__title"]
    list_select_related = ["thread", "author", "organization"]
    readonly_fields = [
        "thread",
        "author",
        "organization",
        "body",
        "created_at",
        "edited_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    fields = readonly_fields
    actions = [
        decision_action(
            service=services.post_hide,
            description=_("Hide the selected posts (a reason is required)"),
            reason_required=True,
            object_arg="post",
        ),
        decision_action(
            service=services.post_unhide,
            description=_("Show the selected posts again"),
            reason_required=False,
            object_arg="post",
        ),
    ]

    @admin.display(description=_("hidden"), boolean=True)
    def hidden(self, obj):
        return obj.is_hidden

    def has_add_permission(self, request):
        return False  # members post on the site


@admin.register(PostReport)
class PostReportAdmin(SimpleHistoryAdmin):
    """Reported posts, oldest first: the Secretariat hides the post or dismisses the report."""

    list_display = ["post", "reporter", "created_at", "status", "resolved_by"]
    list_filter = ["status", AgeFilter]
    search_fields = ["reason", "post__body", "reporter__email"]
    list_select_related = ["post__thread", "post__author", "reporter", "resolved_by"]
    ordering = ["created_at"]
    readonly_fields = [
        "post",
        "post_text",
        "reporter",
        "reason",
        "created_at",
        "status",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]
    fields = readonly_fields
    actions = [
        decision_action(
            service=services.report_uphold,
            description=_("Hide the reported posts (a reason is required)"),
            reason_required=True,
            object_arg="report",
        ),
        decision_action(
            service=services.report_dismiss,
            description=_("Dismiss the selected reports: the posts stay"),
            reason_required=False,
            object_arg="report",
        ),
    ]

    @admin.display(description=_("text of the post"))
    def post_text(self, obj):
        return obj.post.body

    def has_add_permission(self, request):
        return False  # reports come from the site

    def has_delete_permission(self, request, obj=None):
        return False  # decisions are kept
