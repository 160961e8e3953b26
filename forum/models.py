"""The annual Forum of the Coalition (editions, sessions, registrations) and its discussion space.

Capacity: an edition may limit its in-person seats and, separately, its online seats; an empty
capacity means no limit. Online attendance is usually unlimited, but a webinar platform may have a
ceiling, so it can be set too. Each mode has its own waitlist, in the order people joined it (the
position is counted from `waitlisted_at`, never stored, so no renumbering is needed). Participants
pay their own travel and stay; there are no fees of any kind.
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coalition.models import ThematicArea, TimeStampedModel
from partners.models import Organization

# How long the author of a post may still correct it.
POST_EDIT_WINDOW = timedelta(minutes=30)
POST_MAX_LENGTH = 10_000


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Europe/Zurich."), params={"value": value}
        )


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class ForumEditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def ever_published(self):
        """Published now or before: what a sync client may have copied."""
        return self.filter(ever_published=True)


class ForumEdition(TimeStampedModel):
    """One annual Forum of the Coalition: its theme, dates, place and registration rules."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    theme = models.CharField(_("theme"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Zurich",
        validators=[validate_time_zone],
        help_text=_(
            "The programme shows times in this zone: an IANA name such as Europe/Zurich (Geneva)."
        ),
    )
    in_person = models.BooleanField(_("in person"), default=True)
    online = models.BooleanField(_("online"), default=True)
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("Venue and city of the Forum.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    in_person_capacity = models.PositiveIntegerField(
        _("in-person capacity"),
        null=True,
        blank=True,
        help_text=_("Seats in the venue. Empty: no limit. Further registrations join a waitlist."),
    )
    online_capacity = models.PositiveIntegerField(
        _("online capacity"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit (the usual case for online attendance)."),
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown to the public when ticked.")
    )
    # Set when the edition is published (forum.services; a constraint refuses a published
    # edition without it), never unset: the API reports an edition (and its sessions) that
    # left public view to the clients that synced it, and never one that was only ever a draft.
    ever_published = models.BooleanField(
        _("published at least once"),
        default=False,
        editable=False,
        help_text=_("Once public, API clients that copied it are told when it leaves public view."),
    )

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )
    objects = ForumEditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Forum edition")
        verbose_name_plural = _("Forum editions")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="forumedition_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="forumedition_registration_window",
            ),
            models.CheckConstraint(
                condition=models.Q(in_person=True) | models.Q(online=True),
                name="forumedition_has_a_mode",
            ),
            models.CheckConstraint(
                condition=models.Q(in_person=False) | ~models.Q(place=""),
                name="forumedition_in_person_has_place",
            ),
            models.CheckConstraint(
                condition=models.Q(is_published=False) | models.Q(ever_published=True),
                name="forumedition_published_is_marked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.theme}"

    def get_absolute_url(self) -> str:
        return reverse("forum:edition", kwargs={"year": self.year})

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot come before the first day.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if not self.in_person and not self.online:
            errors["online"] = _("The Forum takes place in person, online or both.")
        if self.in_person and not self.place.strip():
            errors["place"] = _("Give the place of an in-person Forum.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def modes(self) -> list[str]:
        return [
            mode
            for mode, offered in (
                (AttendanceMode.IN_PERSON, self.in_person),
                (AttendanceMode.ONLINE, self.online),
            )
            if offered
        ]

    def capacity_for(self, mode: str) -> int | None:
        if mode == AttendanceMode.IN_PERSON:
            return self.in_person_capacity
        return self.online_capacity

    def registration_is_open(self, now) -> bool:
        return self.registration_opens_at <= now < self.registration_closes_at


class SessionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(edition__is_published=True)

    def ever_public(self):
        """Of an edition published now or before: what a sync client may have copied."""
        return self.filter(edition__ever_published=True)


class Session(TimeStampedModel):
    """An item of an edition's programme: a plenary, a panel, a workshop."""

    edition = models.ForeignKey(
        ForumEdition, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("edition")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    thematic_area = models.ForeignKey(
        ThematicArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forum_sessions",
        verbose_name=_("thematic area"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    link = models.URLField(
        _("online link"), blank=True, help_text=_("Where to follow the session online.")
    )

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )
    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:session", kwargs={"pk": self.pk})

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session ends after it starts.")})


class Speaker(models.Model):
    """A speaker of a session: a person of a partner (an account and/or an organization) or a
    guest known by name and affiliation. Only the name and affiliation are ever shown."""

    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        MODERATOR = "moderator", _("Moderator")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speakers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_speaking",
        verbose_name=_("person (account)"),
        help_text=_("For a person of a partner; leave empty for a guest."),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_speakers",
        verbose_name=_("partner"),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Required for a guest; for an account, its full name is used when empty."),
    )
    affiliation = models.CharField(
        _("affiliation"),
        max_length=300,
        blank=True,
        help_text=_("For a guest; a partner's name is used when a partner is chosen."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SPEAKER)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(name=""),
                name="speaker_has_a_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self):
        if self.user_id is None and not self.name.strip():
            raise ValidationError({"name": _("Give the name of a guest speaker.")})
        if self.user_id is not None and not self.name.strip() and not self.user.full_name:
            raise ValidationError(
                {"name": _("This account has no full name: give the name to show.")}
            )

    @property
    def display_name(self) -> str:
        # Never the account's email address: the programme is public.
        return self.name or (self.user.full_name if self.user_id else "") or str(_("Speaker"))

    @property
    def display_affiliation(self) -> str:
        if self.organization_id and self.organization.is_public:
            return self.organization.name
        return self.affiliation


class RegistrationQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def registered(self):
        return self.filter(status=Registration.Status.REGISTERED)

    def waitlisted(self):
        return self.filter(status=Registration.Status.WAITLISTED)


class Registration(TimeStampedModel):
    """A person's registration for an edition, on behalf of an approved partner.

    Accessibility needs are for the Secretariat only: no public page, participant list or other
    user ever sees them.
    """

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    edition = models.ForeignKey(
        ForumEdition,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("edition"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forum_registrations",
        verbose_name=_("participant"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="forum_registrations",
        verbose_name=_("organization"),
    )
    attendance_mode = models.CharField(
        _("attendance"), max_length=16, choices=AttendanceMode.choices
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"),
        blank=True,
        help_text=_("Only the Secretariat sees this."),
    )
    listed = models.BooleanField(
        _("listed in the participant list"),
        default=False,
        help_text=_("The participant agreed to appear in the public list of participants."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    registered_at = models.DateTimeField(_("seat confirmed"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("joined the waitlist"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted from the waitlist"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )
    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["edition", "created_at"]
        constraints = [
            # One live registration per person and edition; a cancelled one may be followed by a
            # new registration.
            models.UniqueConstraint(
                fields=["edition", "user"],
                condition=~models.Q(status="cancelled"),
                name="registration_live_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="waitlisted") | models.Q(waitlisted_at__isnull=False),
                name="registration_waitlist_has_time",
            ),
        ]
        indexes = [
            # Counting taken seats and finding the next person to promote:
            # registration_cancel / registration_create filter on (edition, mode, status) and
            # order the waitlist by waitlisted_at.
            models.Index(
                fields=["edition", "attendance_mode", "status", "waitlisted_at"],
                name="registration_seats_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.edition.year} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("forum:registration", kwargs={"pk": self.pk})

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.CANCELLED


class ModeratedQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Moderated(models.Model):
    """What the Secretariat may hide, with the reason, kept in the history."""

    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Thread(Moderated, TimeStampedModel):
    """A discussion in the Forum's space, under one thematic area; its first post opens it."""

    thematic_area = models.ForeignKey(
        ThematicArea,
        on_delete=models.PROTECT,
        related_name="forum_threads",
        verbose_name=_("thematic area"),
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forum_threads",
        verbose_name=_("author"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="forum_threads",
        verbose_name=_("organization"),
    )
    last_posted_at = models.DateTimeField(_("last post"), db_index=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "last_posted_at"],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = ModeratedQuerySet.as_manager()

    class Meta:
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")
        ordering = ["-last_posted_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"pk": self.pk})


class Post(Moderated, TimeStampedModel):
    """A message in a thread, written in Markdown; `body_html` is its sanitized rendering."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forum_posts",
        verbose_name=_("author"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="forum_posts",
        verbose_name=_("organization"),
    )
    body = models.TextField(_("message"), max_length=POST_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "body_html"],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = ModeratedQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.thread} – {self.author} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return f"{self.thread.get_absolute_url()}#post-{self.pk}"

    def editable_until(self):
        return self.created_at + POST_EDIT_WINDOW


class PostReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=PostReport.Status.OPEN)


class PostReport(TimeStampedModel):
    """Someone's report that a post breaks the rules, waiting for the Secretariat's decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        UPHELD = "upheld", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="reports", verbose_name=_("post")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="forum_reports",
        verbose_name=_("reported by"),
    )
    reason = models.TextField(_("what is wrong"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    resolution = models.TextField(_("reason of the decision"), blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )
    objects = PostReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("reported post")
        verbose_name_plural = _("reported posts")
        ordering = ["created_at"]
        constraints = [
            # One open report per person and post: reporting again adds nothing to the queue.
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=models.Q(status="open"),
                name="postreport_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} ({self.get_status_display()})"
