import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from coalition.models import ThematicArea, TimeStampedModel
from commitments.search import SearchVectorField


class NotificationKind(models.TextChoices):
    """Every kind of email the registry sends; the first of the idempotency key."""

    # Reminders and digests: each can be turned off on the preferences page.
    DIGEST = "digest", _("Digest of what is new")
    DELIVERABLE_DUE = "deliverable_due", _("Deliverable due within 14 days")
    DELIVERABLE_OVERDUE = "deliverable_overdue", _("Deliverable overdue without an update")
    NO_COMMITMENT = "no_commitment", _("No commitment published yet")
    DRAFT_IDLE = "draft_idle", _("Draft commitment left untouched")
    REVIEW_WAITING = "review_waiting", _("Item waiting for review (Secretariat)")
    MODERATION_DIGEST = "moderation_digest", _("Daily moderation digest (Secretariat)")
    FORUM_REGISTRATION_CLOSING = (
        "forum_registration_closing",
        _("Forum registration closing in 7 days"),
    )
    # Answers to something the person did or that concerns them directly: always sent.
    APPLICATION_DECISION = "application_decision", _("Decision on an application")
    INVITATION = "invitation", _("Invitation to an organization")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook disabled after repeated failures")


class DigestFrequency(models.TextChoices):
    OFF = "off", _("Never")
    WEEKLY = "weekly", _("Every week (on Mondays)")
    MONTHLY = "monthly", _("Every month (on the 1st)")


class NotificationPreference(TimeStampedModel):
    """What a person wants to hear about, and how often. A person without a row gets the
    defaults: every reminder on, a monthly digest of what they follow (nothing until they
    follow a thematic area or a country). Their language is `User.language`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("person"),
    )
    digest_frequency = models.CharField(
        _("digest"),
        max_length=16,
        choices=DigestFrequency.choices,
        default=DigestFrequency.MONTHLY,
    )
    thematic_areas = models.ManyToManyField(
        ThematicArea,
        blank=True,
        related_name="+",
        verbose_name=_("thematic areas followed"),
    )
    countries = CountryField(_("countries followed"), multiple=True, blank=True)
    remind_deliverable_due = models.BooleanField(
        _("a deliverable of my organization falls due within 14 days"), default=True
    )
    remind_deliverable_overdue = models.BooleanField(
        _("a deliverable is 7 days overdue and no progress was reported"), default=True
    )
    remind_no_commitment = models.BooleanField(
        _("my organization has published no commitment 30 days after joining"), default=True
    )
    remind_draft_idle = models.BooleanField(
        _("a draft commitment was left untouched for 30 days"), default=True
    )
    remind_review_waiting = models.BooleanField(
        _("an application or submission has waited more than 5 working days (Secretariat)"),
        default=True,
    )
    moderation_digest = models.BooleanField(
        _("the daily list of everything waiting for review (Secretariat)"), default=True
    )
    remind_forum_registration_closing = models.BooleanField(
        _("registration for the Forum closes in 7 days and I have not registered"), default=True
    )
    # End of the period the last digest covered: the next one starts there.
    digest_sent_until = models.DateTimeField(
        _("last digest covered until"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def follows_something(self) -> bool:
        return bool(self.countries) or bool(self.thematic_area_ids)

    @property
    def thematic_area_ids(self) -> set[int]:
        # Reads the prefetched areas when there are some, so a digest batch queries them once.
        return {area.pk for area in self.thematic_areas.all()}


# Which preference field turns each kind off. Kinds absent here can't be turned off: they
# answer the person's own request (an application) or someone's invitation.
PREFERENCE_FIELD_OF_KIND = {
    NotificationKind.DELIVERABLE_DUE: "remind_deliverable_due",
    NotificationKind.DELIVERABLE_OVERDUE: "remind_deliverable_overdue",
    NotificationKind.NO_COMMITMENT: "remind_no_commitment",
    NotificationKind.DRAFT_IDLE: "remind_draft_idle",
    NotificationKind.REVIEW_WAITING: "remind_review_waiting",
    NotificationKind.MODERATION_DIGEST: "moderation_digest",
    NotificationKind.FORUM_REGISTRATION_CLOSING: "remind_forum_registration_closing",
}
# What an unsubscribe link stops, as its page and the email footers say it. "all" stops every
# reminder and digest; it is offered by the emails that can't be turned off one by one.
UNSUBSCRIBE_ALL = "all"
UNSUBSCRIBE_PHRASES = {
    NotificationKind.DIGEST: _("the digest of what is new"),
    NotificationKind.DELIVERABLE_DUE: _("reminders of deliverables falling due"),
    NotificationKind.DELIVERABLE_OVERDUE: _("reminders of overdue deliverables"),
    NotificationKind.NO_COMMITMENT: _("reminders to publish a first commitment"),
    NotificationKind.DRAFT_IDLE: _("reminders of idle draft commitments"),
    NotificationKind.REVIEW_WAITING: _("reminders of items waiting for review"),
    NotificationKind.MODERATION_DIGEST: _("the daily moderation digest"),
    NotificationKind.FORUM_REGISTRATION_CLOSING: _("reminders that Forum registration closes"),
    UNSUBSCRIBE_ALL: _("all reminders and digests"),
}
# Kinds only the Secretariat receives; the preferences page shows their switches to staff only.
SECRETARIAT_KINDS = {NotificationKind.REVIEW_WAITING, NotificationKind.MODERATION_DIGEST}


class EmailDeliveryQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(status=EmailDelivery.Status.QUEUED)


class EmailDelivery(models.Model):
    """One email, recorded before it is sent: the outbox and the delivery log in one table.

    The idempotency key is (kind, recipient, subject object, period): a job run twice, a retried
    task or two workers racing all try to insert the same key, and the unique constraint lets
    one row through. A row is claimed with SELECT ... FOR UPDATE SKIP LOCKED while it is sent,
    then marked sent in the same transaction. The message is rendered when the row is created
    and kept, so a retry sends the very same message with the same Message-ID.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # Not limited to NotificationKind: an app that sends its own emails may name its kind.
    kind = models.CharField(_("kind"), max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_deliveries",
        verbose_name=_("recipient"),
        help_text=_("Empty when the address belongs to nobody registered (an invitation)."),
    )
    # The subject object ("partners.application", 12); empty type and 0 when there is none (a
    # digest). Kept as plain values, not a generic foreign key, so that the key has no NULLs.
    object_type = models.CharField(_("about (type)"), max_length=100, blank=True, default="")
    object_id = models.PositiveBigIntegerField(_("about (id)"), default=0)
    period = models.CharField(
        _("period"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("What makes a repeat of the same email a new one: a week, a day, a due date."),
    )
    to_email = models.EmailField(_("sent to"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = EmailDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The idempotency key. Two partial constraints rather than one because a NULL
            # recipient would make every row distinct: people with an account are keyed by
            # their account (an email address may change), the others by the address.
            models.UniqueConstraint(
                fields=["kind", "recipient", "object_type", "object_id", "period"],
                condition=Q(recipient__isnull=False),
                name="emaildelivery_key_unique",
            ),
            models.UniqueConstraint(
                F("kind"),
                Lower("to_email"),
                F("object_type"),
                F("object_id"),
                F("period"),
                condition=Q(recipient__isnull=True),
                name="emaildelivery_address_key_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="emaildelivery_sent_has_time",
            ),
        ]
        indexes = [
            # deliveries_retry_stale: status = 'queued' AND created_at < ... (the recovery sweep).
            models.Index(
                fields=["created_at"], condition=Q(status="queued"), name="emaildelivery_queued_idx"
            ),
            models.Index(fields=["status", "kind"], name="emaildelivery_status_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email}"

    def get_kind_display(self) -> str:
        return kind_label(self.kind)


def kind_label(kind: str) -> str:
    try:
        return str(NotificationKind(kind).label)
    except ValueError:
        return kind


# --- Good practices, the Coordinating Group and announcements ------------------------------------


def _history(**options):
    # Same shape as the other apps' histories: who, when, and the reason of each decision.
    return HistoricalRecords(
        excluded_fields=["updated_at", *options.pop("excluded_fields", [])],
        history_change_reason_field=models.TextField(null=True),
        **options,
    )


class GoodPracticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=GoodPractice.Status.PUBLISHED)


class GoodPractice(TimeStampedModel):
    """A practice a partner found worth sharing; the Secretariat curates and publishes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        PUBLISHED = "published", _("Published")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="good_practices",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    what_worked = models.TextField(_("what worked"))
    results = models.TextField(_("results"), blank=True)
    countries = CountryField(_("countries"), multiple=True, blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, related_name="good_practices", verbose_name=_("thematic areas")
    )
    sdgs = models.ManyToManyField(
        "coalition.SustainableDevelopmentGoal",
        blank=True,
        related_name="good_practices",
        verbose_name=_("Sustainable Development Goals"),
    )
    commitments = models.ManyToManyField(
        "commitments.Commitment",
        blank=True,
        related_name="good_practices",
        verbose_name=_("linked commitments"),
    )
    language = models.CharField(
        _("language of the text"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(
        _("reason of the last decision"),
        blank=True,
        help_text=_("Why it was returned; shown to the partner."),
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    search_vector = SearchVectorField(null=True, editable=False)

    history = _history(excluded_fields=["search_vector"])
    objects = GoodPracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(status_reason=""),
                name="goodpractice_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="goodpractice_published_has_time",
            ),
        ]
        indexes = [
            # The moderation desk: status = 'submitted' ORDER BY submitted_at.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status="submitted"),
                name="goodpractice_queue_idx",
            ),
            # The public list: status = 'published' ORDER BY published_at DESC.
            models.Index(fields=["status", "-published_at"], name="goodpractice_listing_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("good_practices:detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


def attachment_path(instance, filename: str) -> str:
    # Unguessable, like evidence files: a draft's file must not be reachable by its name.
    return f"good-practices/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class GoodPracticeAttachment(TimeStampedModel):
    """A file that documents a practice (PDF, image or office document, size-limited)."""

    practice = models.ForeignKey(
        GoodPractice,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("good practice"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "good_practices:attachment", kwargs={"pk": self.practice_id, "file_pk": self.pk}
        )


class CoordinatingGroupMembershipQuerySet(models.QuerySet):
    def current(self, *, today=None):
        today = today or timezone.now().date()
        return self.filter(term_start__lte=today).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=today)
        )


class CoordinatingGroupMembership(TimeStampedModel):
    """An organization's seat in the Coordinating Group of the Coalition, for one term."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        MEMBER = "member", _("Member")

    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="coordinating_group_memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    history = _history()
    objects = CoordinatingGroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("Coordinating Group membership")
        verbose_name_plural = _("Coordinating Group memberships")
        ordering = ["-term_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="cgmembership_term_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["organization", "term_start"], name="cgmembership_one_per_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class AnnouncementQuerySet(models.QuerySet):
    def published(self, *, now=None):
        return self.filter(published_at__isnull=False, published_at__lte=now or timezone.now())

    def for_language(self, language: str):
        # Language-neutral announcements are shown to everyone.
        return self.filter(Q(language="") | Q(language=language[:2]))


class Announcement(TimeStampedModel):
    """News from the Secretariat: on the home page, the announcements page and in digests."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: shown whatever the reader's language."),
    )
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Empty: a draft. A time in the future: published then."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = _history()
    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("secretariat:announcement", kwargs={"pk": self.pk})


class DashboardSummary(models.Model):
    """The dashboard's unfiltered figures, computed by a scheduled job and on changes, so that a
    page reads one row instead of aggregating every commitment."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    figures = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)
    # The names of the categories in each interface language ({"fr": {"thematic_area": {code:
    # name}}}): a page labels the figures in its own language from the same row.
    labels = models.JSONField(_("labels"), encoder=DjangoJSONEncoder, default=dict)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("dashboard summary")
        verbose_name_plural = _("dashboard summaries")

    def __str__(self) -> str:
        return self.key


def _dashboard_figures_changed(**kwargs) -> None:
    """A row the dashboard counts changed: the summary is recomputed within a minute. A signal
    rather than a call in each service, so that the admin, the services and the imports all
    count alike; it only sets a mark (secretariat.stats.mark_summary_stale), no domain rule."""
    from secretariat.stats import mark_summary_stale

    mark_summary_stale()


for _sender in (
    "partners.Organization",
    "commitments.Commitment",
    "commitments.CoPartnership",
    "commitments.Deliverable",
    "commitments.ProgressUpdate",
):
    models.signals.post_save.connect(
        _dashboard_figures_changed, sender=_sender, dispatch_uid=f"dashboard-summary-{_sender}"
    )
    models.signals.post_delete.connect(
        _dashboard_figures_changed, sender=_sender, dispatch_uid=f"dashboard-summary-{_sender}"
    )
for _sender in (
    "commitments.Commitment_thematic_areas",
    "commitments.Commitment_priorities",
    "commitments.Commitment_sdgs",
    "commitments.Commitment_regions",
):
    models.signals.m2m_changed.connect(
        _dashboard_figures_changed, sender=_sender, dispatch_uid=f"dashboard-summary-{_sender}"
    )


# --- Webhooks: registrations and their outbox of deliveries (secretariat/webhook_services.py) ---


class WebhookEvent(models.TextChoices):
    """What a webhook can be told about (secretariat.webhooks.EVENTS), and the test event."""

    PARTNER_APPROVED = "partner.approved", _("A partner is approved")
    COMMITMENT_PUBLISHED = "commitment.published", _("A commitment is published")
    COMMITMENT_UPDATED = "commitment.updated", _("Edits to a published commitment are published")
    COMMITMENT_WITHDRAWN = "commitment.withdrawn", _("A commitment is withdrawn")
    PROGRESS_POSTED = "progress.posted", _("Progress is reported on a public commitment")
    # Sent on request, to any active hook, to try a receiver: nobody subscribes to it.
    PING = "ping", _("Test event")


# What a hook may subscribe to (the forms, the admin's filter): secretariat.webhooks.EVENTS, which
# needs no table, lists the same codes in the same order.
WEBHOOK_SUBSCRIPTION_CHOICES = [
    (event.value, event.label) for event in WebhookEvent if event is not WebhookEvent.PING
]


class WebhookQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def subscribed_to(self, event: str):
        """The hooks whose events include `event`: PostgreSQL looks in the JSON list itself
        (jsonb @>); SQLite (the demo) has no such lookup, and its few hooks are read here."""
        if connection.features.supports_json_field_contains:
            return self.filter(events__contains=[event])
        return self.filter(
            pk__in=[hook.pk for hook in self.only("pk", "events") if event in hook.events]
        )


class Webhook(TimeStampedModel):
    """An address an external system gave to be told of public events, signed with a secret.

    The secret is kept in clear: signing needs it. It is shown to the owner when it is created
    or rotated, never afterwards. A hook whose deliveries fail too often in a row is disabled
    (`disabled_reason` says why) and its owner emailed."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        _("failed attempts in a row"), default=0, editable=False
    )
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("why it was disabled"), max_length=300, blank=True, editable=False
    )

    # Who registered, changed, disabled or deleted it, and why; never the secret.
    history = _history(excluded_fields=["secret", "consecutive_failures"])
    objects = WebhookQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active=True) | Q(disabled_at__isnull=False),
                name="webhook_disabled_has_time",
            ),
        ]
        indexes = [
            # webhook_emit: active = true (then the events each subscribes to).
            models.Index(fields=["active"], condition=Q(active=True), name="webhook_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.url

    @property
    def secret_hint(self) -> str:
        # Enough for the owner to tell which secret a receiver holds, too little to sign.
        return f"{self.secret[:10]}…"

    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(event).label) for event in self.events if event in WebhookEvent]


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, hook__active=True
        )


class WebhookDelivery(models.Model):
    """One event for one hook: the outbox row and its log. The body is written when the event
    happens and sent as it is at every attempt (the receiver recognises a retry by its `id`).

    Claimed with SELECT ... FOR UPDATE SKIP LOCKED while it is sent, like an email; a failed
    attempt sets `next_attempt_at` by the backoff of secretariat.webhooks, and the sweep of
    due deliveries tries again then."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    hook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("body"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    response_excerpt = models.TextField(_("last response body (start)"), blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(delivered_at__isnull=False),
                name="webhookdelivery_succeeded_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                name="webhookdelivery_pending_has_next_attempt",
            ),
        ]
        indexes = [
            # webhook_due_delivery_ids: status = 'pending' AND next_attempt_at <= now (the sweep).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhookdelivery_due_idx",
            ),
            # A hook's deliveries, newest first (the account page, the API).
            models.Index(fields=["hook", "-created_at"], name="webhookdelivery_hook_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.hook}"


class WebhookAttempt(models.Model):
    """One try at a delivery: what the receiver answered, or why nothing was sent."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    attempted_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    ok = models.BooleanField(_("succeeded"), default=False)
    response_status = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    response_excerpt = models.TextField(_("response body (start)"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"
