"""Commitments: what partners promise, the deliverables that measure it, the progress they report,
and the published versions the public reads.

Once published, a commitment row is what the public sees. A partner's later edits wait in a
CommitmentRevision until the Secretariat publishes them; each publication keeps a snapshot of the
content in a CommitmentVersion, so the page can show what changed from one version to the next.
"""

import json
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from coalition.models import (
    Priority,
    Region,
    SustainableDevelopmentGoal,
    ThematicArea,
    TimeStampedModel,
)
from coalition.vocabularies import COUNTRY_REGIONS, REGION_LINEAGE
from commitments.search import SearchVectorField
from partners.models import WORKING_LANGUAGES, Organization


class CodeArrayField(ArrayField):
    """A list of vocabulary codes kept on the row: a PostgreSQL array (GIN-indexed by the
    migrations), and JSON text on SQLite, where the demo runs (SQLite accepts any type name).
    Usable without `django.contrib.postgres` in INSTALLED_APPS, like commitments.search's field.
    """

    def _check_postgres_installed(self, *args):
        return []

    def db_type(self, connection):
        if connection.vendor != "postgresql":
            return "text"
        return super().db_type(connection)

    def cast_db_type(self, connection):
        if connection.vendor != "postgresql":
            return "text"
        return super().cast_db_type(connection)

    def get_placeholder_sql(self, value, compiler, connection):
        if connection.vendor != "postgresql":
            return compiler.compile(value) if hasattr(value, "as_sql") else ("%s", (value,))
        return super().get_placeholder_sql(value, compiler, connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql" and isinstance(value, list | tuple):
            return json.dumps(list(value))
        return super().get_db_prep_value(value, connection, prepared)

    def get_db_prep_save(self, value, connection):
        if connection.vendor != "postgresql" and isinstance(value, list | tuple):
            return json.dumps(list(value))
        return super().get_db_prep_save(value, connection)

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        if connection.vendor != "postgresql":
            converters.append(self.from_json)
        return converters

    @staticmethod
    def from_json(value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value


# Reporting status thresholds (DESIGN.md: the registry reminds gently, it never invents duties).
INACTIVE_AFTER = timedelta(days=365)
UPDATE_DUE_AFTER = timedelta(days=182)
DUE_SOON_WITHIN = timedelta(days=30)


def _history(**options):
    return HistoricalRecords(
        excluded_fields=["updated_at", *options.pop("excluded_fields", [])],
        history_change_reason_field=models.TextField(null=True),
        **options,
    )


class Level(models.TextChoices):
    GLOBAL = "global", _("Global")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


class ResourceType(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    IN_KIND = "in-kind", _("In kind")
    STAFF = "staff", _("Staff")


class ReportingStatus(models.TextChoices):
    """How a published commitment's reporting stands; computed by
    `CommitmentQuerySet.with_reporting_status`, the one place that decides it."""

    ON_TRACK = "on_track", _("On track")
    UPDATE_DUE = "update_due", _("Update due")
    OVERDUE = "overdue", _("Overdue")
    INACTIVE = "inactive", _("Inactive")


REPORTING_STATUS_HELP = {
    ReportingStatus.ON_TRACK: _("Progress is reported and no deliverable is late."),
    ReportingStatus.UPDATE_DUE: _(
        "A deliverable falls due within 30 days, or there was no progress update for 6 months."
    ),
    ReportingStatus.OVERDUE: _(
        "A deliverable's due date has passed without it being achieved or dropped, and without "
        "a progress update since."
    ),
    ReportingStatus.INACTIVE: _("No progress update for 12 months."),
}


# Each vocabulary relation of a commitment, the column of the vocabulary its array keeps, and
# that array's field. A goal's key is its number (also its primary key).
CODE_KEYS = {"thematic_areas": "code", "priorities": "code", "sdgs": "number", "regions": "m49"}
CODE_ARRAYS = {
    "thematic_areas": "theme_codes",
    "priorities": "priority_codes",
    "sdgs": "sdg_numbers",
    "regions": "region_codes",
}
# The prefix of each vocabulary's keys in `filter_keys`; "area" for the M49 areas a commitment
# is in (see filter_keys_of).
FILTER_KEY_PREFIXES = {"thematic_areas": "theme", "priorities": "priority", "sdgs": "sdg"}
AREA = "area"


def filter_key(prefix: str, code) -> str:
    return f"{prefix}:{code}"


def filter_keys_of(
    *, theme_codes, priority_codes, sdg_numbers, region_codes, country_codes
) -> list[str]:
    """The keys the API's vocabulary filters look up in one GIN index (`filter_keys @>`):
    "theme:employment", "priority:...", "sdg:8", and "area:<M49>" for every area the commitment
    is in, that is an area it aims at or one containing it, or an area containing one of its
    countries: `?region=002` (aimed at Africa or an area within it, or at one of its countries)
    is then the one key "area:002". One index scan with the three keys of a three-filter page
    reads ~130 entries, where a bitmap per array built ~50,000 (25 ms at 100k commitments)."""
    areas = set()
    for code in region_codes:
        areas.update(REGION_LINEAGE.get(code, [code]))
    for country in country_codes:
        areas.update(COUNTRY_REGIONS.get(country, []))
    keys = [filter_key(AREA, code) for code in areas]
    for relation, codes in (
        ("thematic_areas", theme_codes),
        ("priorities", priority_codes),
        ("sdgs", sdg_numbers),
    ):
        keys += [filter_key(FILTER_KEY_PREFIXES[relation], code) for code in codes]
    return sorted(keys)


class CommitmentQuerySet(models.QuerySet):
    def refresh_codes(self) -> int:
        """Copies each commitment's vocabulary codes and countries onto its arrays and filter
        keys (`Commitment.set_codes`), for rows whose relations were written without the
        services (an import, a test fixture): five queries, and an UPDATE per 500 rows.
        Returns the count."""
        commitments = list(self.prefetch_related(*CODE_ARRAYS))
        for commitment in commitments:
            commitment.set_codes(
                **{relation: getattr(commitment, relation).all() for relation in CODE_ARRAYS}
            )
        fields = [*CODE_ARRAYS.values(), "country_codes", "filter_keys"]
        Commitment.objects.bulk_update(commitments, fields, batch_size=500)
        return len(commitments)

    def public(self):
        """Everything the public may read at its address, withdrawn ones included."""
        return self.filter(status__in=Commitment.PUBLIC_STATUSES)

    def listed(self):
        """What the default listings show: withdrawn commitments leave them."""
        return self.filter(status__in=Commitment.LISTED_STATUSES)

    def involving(self, organization):
        """Led by the organization, or joined by it as a confirmed co-partner."""
        confirmed = CoPartnership.objects.filter(
            organization=organization, status=CoPartnership.Status.CONFIRMED
        ).values("commitment_id")
        return self.filter(Q(lead_organization=organization) | Q(pk__in=confirmed))

    def prefetch_for_content(self):
        """What `commitments.content.content_of` reads, in five queries for any number of rows."""
        return self.prefetch_related(
            "thematic_areas", "priorities", "sdgs", "regions", "deliverables"
        )

    def with_reporting_status(self, *, today=None):
        """Annotates `last_progress_on` and `reporting_status` (None unless published).

        - inactive: no progress update for 12 months (counted from publication before the first);
        - overdue: an open deliverable's due date passed with no progress update since;
        - update due: an open deliverable falls due within 30 days, or no update for 6 months;
        - on track: otherwise.
        """
        today = today or timezone.localdate()
        last_update = (
            ProgressUpdate.objects.filter(commitment=OuterRef("pk"), hidden=False)
            .order_by("-date")
            .values("date")[:1]
        )
        open_deliverables = Deliverable.objects.filter(
            commitment=OuterRef("pk"), status__in=Deliverable.OPEN_STATUSES
        )
        # Overdue: due before today, and no progress update on or after the due date.
        overdue = Exists(
            open_deliverables.filter(
                due_date__lt=today,
                due_date__gt=Coalesce(
                    OuterRef("last_progress_on"), Value(date.min), output_field=models.DateField()
                ),
            )
        )
        due_soon = Exists(
            open_deliverables.filter(due_date__gte=today, due_date__lte=today + DUE_SOON_WITHIN)
        )
        return self.annotate(
            last_progress_on=Subquery(last_update),
            last_activity_on=Coalesce(
                "last_progress_on", TruncDate("first_published_at"), output_field=models.DateField()
            ),
        ).annotate(
            reporting_status=Case(
                When(~Q(status=Commitment.Status.PUBLISHED), then=Value(None)),
                When(last_activity_on__lt=today - INACTIVE_AFTER, then=Value("inactive")),
                When(overdue, then=Value("overdue")),
                When(due_soon, then=Value("update_due")),
                When(last_activity_on__lt=today - UPDATE_DUE_AFTER, then=Value("update_due")),
                default=Value("on_track"),
                output_field=models.CharField(),
            )
        )


class Commitment(TimeStampedModel):
    """An action or initiative a partner commits to in order to advance social justice."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        PUBLISHED = "published", _("Published")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.COMPLETED, Status.WITHDRAWN)
    LISTED_STATUSES = (Status.PUBLISHED, Status.COMPLETED)

    lead_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("lead organization"),
    )
    co_partners = models.ManyToManyField(
        Organization,
        through="CoPartnership",
        related_name="joint_commitments",
        blank=True,
        verbose_name=_("co-partners"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    description = models.TextField(_("description"), blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, related_name="commitments", verbose_name=_("thematic areas")
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="commitments", verbose_name=_("initial priorities")
    )
    sdgs = models.ManyToManyField(
        SustainableDevelopmentGoal,
        blank=True,
        related_name="commitments",
        verbose_name=_("Sustainable Development Goals"),
    )
    level = models.CharField(_("level of action"), max_length=16, choices=Level.choices)
    regions = models.ManyToManyField(
        Region, blank=True, related_name="commitments", verbose_name=_("regions")
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    resource_types = models.JSONField(_("resources committed"), default=list, blank=True)
    resources_description = models.TextField(_("resources: description"), blank=True)
    resources_amount = models.DecimalField(
        _("resources: amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    resources_currency = models.CharField(_("resources: currency"), max_length=3, blank=True)
    expected_results = models.TextField(_("expected results"), blank=True)
    language = models.CharField(
        _("language of the text"), max_length=8, choices=WORKING_LANGUAGES, default="en"
    )
    links = models.JSONField(_("links"), default=list, blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_reason = models.TextField(
        _("reason of the last decision"),
        blank=True,
        help_text=_(
            "Why it was returned or withdrawn; shown to the partner (and the public "
            "for a withdrawal)."
        ),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    published_at = models.DateTimeField(_("last published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    last_edited_at = models.DateTimeField(_("last edited"), null=True, blank=True)
    # Optimistic locking: every saved edit (of the row or of its pending revision) adds one; a
    # save that started from an older number is refused instead of overwriting someone's work.
    lock_version = models.PositiveIntegerField(_("edit number"), default=1)
    search_vector = SearchVectorField(null=True, editable=False)
    # The codes of the vocabulary relations and of `countries`, kept on the row (sorted) so that
    # a list reads them without joins, and the keys its filters look up in one GIN index
    # (filter_keys_of): a page filtered by theme, SDG and region took 24 ms in SQL through the
    # many-to-many tables at 100k commitments (bench/report.md). Written with the relations by
    # the services (`set_codes`); `CommitmentQuerySet.refresh_codes` for rows written otherwise.
    theme_codes = CodeArrayField(models.CharField(max_length=64), default=list, editable=False)
    priority_codes = CodeArrayField(models.CharField(max_length=64), default=list, editable=False)
    sdg_numbers = CodeArrayField(models.PositiveSmallIntegerField(), default=list, editable=False)
    region_codes = CodeArrayField(models.CharField(max_length=3), default=list, editable=False)
    country_codes = CodeArrayField(models.CharField(max_length=2), default=list, editable=False)
    filter_keys = CodeArrayField(models.CharField(max_length=80), default=list, editable=False)

    history = _history(
        excluded_fields=["search_vector", "country_codes", "filter_keys", *CODE_ARRAYS.values()]
    )
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="commitment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["returned", "withdrawn"]) | ~Q(status_reason=""),
                name="commitment_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(resources_amount__isnull=True) | Q(resources_amount__gte=0),
                name="commitment_resources_not_negative",
            ),
        ]
        indexes = [
            # The Secretariat's queue: status = 'submitted' ORDER BY submitted_at.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="submitted"),
                name="commitment_queue_idx",
            ),
            # The browser's default listing: status IN (published, completed) ORDER BY
            # published_at DESC.
            models.Index(fields=["status", "-published_at"], name="commitment_listing_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commitments:detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_editable_in_place(self) -> bool:
        """Drafts and returned commitments are edited directly; published ones by revision."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def reporting_status_label(self) -> str:
        status = getattr(self, "reporting_status", None)
        return ReportingStatus(status).label if status else ""

    @property
    def reporting_status_help(self) -> str:
        status = getattr(self, "reporting_status", None)
        return REPORTING_STATUS_HELP[ReportingStatus(status)] if status else ""

    def set_codes(self, *, thematic_areas, priorities, sdgs, regions) -> None:
        """Keeps on the row the codes of the vocabulary rows its relations are being set to,
        and of its countries (saved with the row)."""
        self.theme_codes = sorted(area.code for area in thematic_areas)
        self.priority_codes = sorted(priority.code for priority in priorities)
        self.sdg_numbers = sorted(goal.number for goal in sdgs)
        self.region_codes = sorted(region.m49 for region in regions)
        self.country_codes = sorted({getattr(code, "code", code) for code in self.countries})
        self.filter_keys = filter_keys_of(
            theme_codes=self.theme_codes,
            priority_codes=self.priority_codes,
            sdg_numbers=self.sdg_numbers,
            region_codes=self.region_codes,
            country_codes=self.country_codes,
        )

    def get_resource_type_labels(self) -> list[str]:
        labels = dict(ResourceType.choices)
        return [str(labels[code]) for code in self.resource_types if code in labels]


class CoPartnership(TimeStampedModel):
    """Another partner joining a collective action; shown as such once it confirms."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="co_partnerships"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="co_partnerships",
        verbose_name=_("organization"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    history = _history()

    class Meta:
        verbose_name = _("co-partnership")
        verbose_name_plural = _("co-partnerships")
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "organization"], name="copartnership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.commitment}"


class Deliverable(TimeStampedModel):
    """A SMART result of a commitment: what, measured by which indicator, from which baseline to
    which target, by when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ON_TRACK = "on_track", _("On track")
        DELAYED = "delayed", _("Delayed")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    OPEN_STATUSES = (Status.PLANNED, Status.ON_TRACK, Status.DELAYED)

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="deliverables"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("what will be delivered"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=300)
    baseline = models.CharField(_("baseline"), max_length=200, blank=True)
    target = models.CharField(_("target"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    history = _history()

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["position", "pk"]
        indexes = [
            # The reporting status: open deliverables of a commitment by due date.
            models.Index(fields=["commitment", "status", "due_date"], name="deliverable_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CommitmentVersion(TimeStampedModel):
    """A published version: the content the public read from `published_at` until the next one,
    with the partner's stated reason for the changes since the previous version."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    reason = models.TextField(_("reason for the changes"), blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["commitment", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "number"], name="commitmentversion_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} – v{self.number}"


class CommitmentRevision(TimeStampedModel):
    """Edits of a published commitment, kept apart until the Secretariat publishes them; the
    public keeps seeing the published version meanwhile."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being edited")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="revisions")
    content = models.JSONField(_("proposed content"))
    base_version = models.PositiveIntegerField(_("changes version"))
    reason = models.TextField(_("reason for the changes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)

    history = _history()

    class Meta:
        verbose_name = _("edit of a published commitment")
        verbose_name_plural = _("edits of published commitments")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="revision_one_open_per_commitment",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(decision_reason=""),
                name="revision_return_has_reason",
            ),
        ]
        indexes = [
            # The Secretariat's queue of edits: status = 'submitted' ORDER BY submitted_at.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="submitted"),
                name="revision_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Edit of “%(title)s”") % {"title": self.commitment.title})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ProgressUpdate(TimeStampedModel):
    """What a partner reports on a published commitment: a narrative, deliverable status
    changes, evidence links and files. Reporting is voluntary; an update may only point to a
    report the partner already publishes."""

    class EvidenceLevel(models.TextChoices):
        SELF_REPORTED = "self_reported", _("Self-reported")
        EVIDENCE_ATTACHED = "evidence_attached", _("Evidence attached")
        VALIDATED = "validated", _("Validated by the Secretariat")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    date = models.DateField(_("date"))
    narrative = models.TextField(_("what happened"), blank=True)
    links = models.JSONField(_("evidence links"), default=list, blank=True)
    resources_mobilised = models.DecimalField(
        _("resources mobilised so far"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    evidence_level = models.CharField(
        _("evidence level"),
        max_length=24,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.SELF_REPORTED,
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden by the Secretariat"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)

    history = _history()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden=False) | ~Q(hidden_reason=""),
                name="progressupdate_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(resources_mobilised__isnull=True) | Q(resources_mobilised__gte=0),
                name="progressupdate_resources_not_negative",
            ),
        ]
        indexes = [
            # The reporting status: the latest visible update of a commitment.
            models.Index(fields=["commitment", "hidden", "-date"], name="progress_latest_idx"),
        ]

    def __str__(self) -> str:
        return str(
            _("Update of %(date)s on “%(title)s”")
            % {"date": self.date.isoformat(), "title": self.commitment.title}
        )


class DeliverableStatusChange(TimeStampedModel):
    """A deliverable's status as a progress update changed it."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="status_changes"
    )
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(max_length=16, choices=Deliverable.Status.choices)
    new_status = models.CharField(max_length=16, choices=Deliverable.Status.choices)

    class Meta:
        verbose_name = _("deliverable status change")
        verbose_name_plural = _("deliverable status changes")
        ordering = ["update", "deliverable__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "deliverable"], name="statuschange_once_per_update"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.old_status} → {self.new_status}"

    def get_old_status_display(self) -> str:
        return Deliverable.Status(self.old_status).label

    def get_new_status_display(self) -> str:
        return Deliverable.Status(self.new_status).label


def evidence_path(instance, filename: str) -> str:
    """A path nobody can guess: the file of a hidden update must not be reachable by its name
    where media files are served directly (the pages serve them through an access check)."""
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class EvidenceFile(TimeStampedModel):
    """A file attached to a progress update (PDF, image or office document, 10 MB at most)."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "commitments:evidence",
            kwargs={"pk": self.update.commitment_id, "file_pk": self.pk},
        )


class Autosave(TimeStampedModel):
    """What a person typed in a commitment form and has not saved yet: the form's script sends it
    every few seconds, and the next visit offers it back, so a closed tab loses nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="autosaves"
    )
    data = models.JSONField()

    class Meta:
        verbose_name = _("autosaved form")
        verbose_name_plural = _("autosaved forms")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "commitment"],
                condition=Q(commitment__isnull=False),
                name="autosave_one_per_commitment",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(commitment__isnull=True),
                name="autosave_one_new_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.commitment or self.organization}"


class CommitmentSubmission(Commitment):
    """The Secretariat's queue of new commitments waiting for review (an admin list)."""

    class Meta:
        proxy = True
        verbose_name = _("new commitment waiting for review")
        verbose_name_plural = _("review queue: new commitments")


class EditSubmission(CommitmentRevision):
    """The Secretariat's queue of edits of published commitments waiting for review."""

    class Meta:
        proxy = True
        verbose_name = _("edit waiting for review")
        verbose_name_plural = _("review queue: edits of published commitments")
