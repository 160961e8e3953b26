"""The Secretariat's side of commitments: the review queues (new commitments and edits of
published ones, oldest first, with their SMART score and the edits' differences), every
commitment with its history, and the moderation of progress updates.

Content is written by partners through the services; the admin shows it read-only and takes
decisions through the same services (publish, return, complete, withdraw, hide, validate).
"""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from coalition.admin_tools import AgeFilter, decision_action
from commitments import selectors, services
from commitments.content import content_diff, content_of
from commitments.models import (
    Commitment,
    CommitmentRevision,
    CommitmentSubmission,
    CommitmentVersion,
    CoPartnership,
    Deliverable,
    EditSubmission,
    EvidenceFile,
    ProgressUpdate,
)
from commitments.smart import smart_score

CONTENT_RELATIONS = ("thematic_areas", "priorities", "sdgs", "regions", "deliverables")


class SubmittedAgeFilter(AgeFilter):
    field_name = "submitted_at"


def _smart_cell(score) -> str:
    if not score.unmet:
        return format_html("<strong>{}</strong>", score)
    return format_html(
        "<strong>{}</strong> · {} {}",
        score,
        _("not:"),
        ", ".join(str(criterion.label) for criterion in score.unmet),
    )


def _smart_detail(score) -> str:
    return render_to_string("commitments/admin/smart.html", {"score": score})


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliverableInline(ReadOnlyInline):
    model = Deliverable
    fields = ["title", "indicator", "baseline", "target", "due_date", "status"]


class CoPartnershipInline(ReadOnlyInline):
    model = CoPartnership
    fields = ["organization", "status", "responded_at"]


class VersionInline(ReadOnlyInline):
    model = CommitmentVersion
    fields = ["number", "published_at", "published_by", "reason"]


COMMITMENT_FIELDS = [
    "lead_organization",
    "status",
    "status_reason",
    "title",
    "summary",
    "description",
    "thematic_areas",
    "priorities",
    "sdgs",
    "level",
    "regions",
    "countries",
    "start_date",
    "end_date",
    "resource_types",
    "resources_description",
    "resources_amount",
    "resources_currency",
    "expected_results",
    "language",
    "links",
    "submitted_at",
    "submitted_by",
    "first_published_at",
    "published_at",
    "created_by",
    "last_edited_by",
    "last_edited_at",
    "created_at",
    "updated_at",
]


class CommitmentDecisionsMixin:
    """Read-only content, the SMART score, and the publish and return decisions."""

    readonly_fields = ["smart_score_detail", *COMMITMENT_FIELDS]
    fields = readonly_fields
    inlines = [DeliverableInline, CoPartnershipInline, VersionInline]
    search_fields = ["title", "summary", "lead_organization__name", "lead_organization__acronym"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("lead_organization").prefetch_for_content()
        )

    def has_add_permission(self, request):
        return False  # partners write commitments

    def has_delete_permission(self, request, obj=None):
        return False  # decisions and versions are kept

    @admin.display(description=_("SMART"))
    def smart(self, obj):
        return _smart_cell(smart_score(content_of(obj)))

    @admin.display(description=_("SMART score"))
    def smart_score_detail(self, obj):
        return _smart_detail(smart_score(content_of(obj)))

    @admin.display(description=_("waiting"), ordering="submitted_at")
    def waiting(self, obj):
        return timesince(obj.submitted_at, timezone.now()) if obj.submitted_at else "—"


PUBLISH = decision_action(
    service=services.commitment_publish,
    description=_("Publish the selected commitments"),
    reason_required=False,
    object_arg="commitment",
)
RETURN = decision_action(
    service=services.commitment_return,
    description=_("Return the selected commitments to their partners (a reason is required)"),
    reason_required=True,
    object_arg="commitment",
)


@admin.register(CommitmentSubmission)
class CommitmentSubmissionAdmin(CommitmentDecisionsMixin, admin.ModelAdmin):
    """New commitments waiting for review, oldest first."""

    list_display = ["title", "lead_organization", "submitted_at", "waiting", "smart"]
    list_filter = [
        SubmittedAgeFilter,
        "level",
        "thematic_areas",
        "lead_organization__constituency",
    ]
    ordering = ["submitted_at", "pk"]
    actions = [PUBLISH, RETURN]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Commitment.Status.SUBMITTED)


@admin.register(Commitment)
class CommitmentAdmin(CommitmentDecisionsMixin, SimpleHistoryAdmin):
    """Every commitment, with its history of who changed what and why."""

    list_display = [
        "title",
        "lead_organization",
        "status",
        "level",
        "published_at",
        "reporting",
        "smart",
    ]
    list_filter = [
        "status",
        "level",
        "thematic_areas",
        "sdgs",
        "lead_organization__constituency",
        SubmittedAgeFilter,
    ]
    ordering = ["-updated_at"]
    actions = [
        PUBLISH,
        RETURN,
        decision_action(
            service=services.commitment_complete,
            description=_("Record the selected commitments as completed"),
            reason_required=False,
            object_arg="commitment",
        ),
        decision_action(
            service=services.commitment_withdraw,
            description=_("Withdraw the selected commitments (a reason is required)"),
            reason_required=True,
            object_arg="commitment",
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_reporting_status()

    @admin.display(description=_("reporting"))
    def reporting(self, obj):
        return obj.reporting_status_label or "—"


class RevisionDecisionsMixin:
    readonly_fields = [
        "commitment",
        "status",
        "base_version",
        "reason",
        "differences",
        "smart_score_detail",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    ]
    fields = readonly_fields
    search_fields = ["commitment__title", "commitment__lead_organization__name", "reason"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("commitment__lead_organization")
            .prefetch_related(
                *(f"commitment__{name}" for name in CONTENT_RELATIONS),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lead organization"))
    def lead_organization(self, obj):
        return obj.commitment.lead_organization

    @admin.display(description=_("SMART"))
    def smart(self, obj):
        return _smart_cell(smart_score(obj.content))

    @admin.display(description=_("SMART score of the edited commitment"))
    def smart_score_detail(self, obj):
        return _smart_detail(smart_score(obj.content))

    @admin.display(description=_("changes against the published version"))
    def differences(self, obj):
        published = content_of(obj.commitment)
        changes = content_diff(published, obj.content, selectors.vocabulary())
        return render_to_string("commitments/admin/diff.html", {"changes": changes})

    @admin.display(description=_("waiting"), ordering="submitted_at")
    def waiting(self, obj):
        return timesince(obj.submitted_at, timezone.now()) if obj.submitted_at else "—"


REVISION_ACTIONS = [
    decision_action(
        service=services.revision_publish,
        description=_("Publish the selected edits"),
        reason_required=False,
        object_arg="revision",
    ),
    decision_action(
        service=services.revision_return,
        description=_("Return the selected edits to their partners (a reason is required)"),
        reason_required=True,
        object_arg="revision",
    ),
]


@admin.register(EditSubmission)
class EditSubmissionAdmin(RevisionDecisionsMixin, admin.ModelAdmin):
    """Edits of published commitments waiting for review, oldest first, with their diff."""

    list_display = ["commitment", "lead_organization", "submitted_at", "waiting", "reason", "smart"]
    list_filter = [SubmittedAgeFilter, "commitment__lead_organization__constituency"]
    ordering = ["submitted_at", "pk"]
    actions = REVISION_ACTIONS

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=CommitmentRevision.Status.SUBMITTED)


@admin.register(CommitmentRevision)
class CommitmentRevisionAdmin(RevisionDecisionsMixin, SimpleHistoryAdmin):
    """Every edit of a published commitment, whatever became of it."""

    list_display = ["commitment", "lead_organization", "status", "submitted_at", "decided_at"]
    list_filter = ["status", SubmittedAgeFilter]
    ordering = ["-updated_at"]
    actions = REVISION_ACTIONS


class EvidenceFileInline(ReadOnlyInline):
    model = EvidenceFile
    fields = ["download", "content_type", "size"]
    readonly_fields = ["download"]

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.name)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    """Progress reported by partners: validate its evidence, or hide it with a reason."""

    list_display = ["commitment", "date", "evidence_level", "hidden", "author", "created_at"]
    list_filter = ["evidence_level", "hidden", AgeFilter]
    search_fields = ["narrative", "commitment__title", "commitment__lead_organization__name"]
    list_select_related = ["commitment", "author"]
    ordering = ["-created_at"]
    readonly_fields = [
        "commitment",
        "author",
        "date",
        "narrative",
        "links",
        "resources_mobilised",
        "evidence_level",
        "validated_by",
        "validated_at",
        "hidden",
        "hidden_reason",
        "hidden_by",
        "hidden_at",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [EvidenceFileInline]
    actions = [
        decision_action(
            service=services.progress_update_hide,
            description=_("Hide the selected progress updates (a reason is required)"),
            reason_required=True,
            object_arg="update",
        ),
        decision_action(
            service=services.progress_update_validate,
            description=_("Validate the evidence of the selected progress updates"),
            reason_required=False,
            object_arg="update",
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
