from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from coalition.models import Constituency, Region, TimeStampedModel

# The two commitments every partner makes when joining, quoted from the Coalition's description.
# A change of wording gets a new version; each application keeps the version it endorsed.
PRINCIPLES_VERSION = "2023-12"
PRINCIPLES = [
    _(
        "Advocate for social justice and uphold the principles and values of the UN and the ILO, "
        "including the fundamental principles and rights at work."
    ),
    _(
        "Commit to developing, independently or in collaboration with other actors, one or more "
        "actions or initiatives aimed at significantly advancing social justice."
    ),
]

# Languages an organization works in: the ILO's official languages and the other UN languages.
WORKING_LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
    ("de", _("German")),
]


class OrganizationQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Organization.Status.APPROVED)


class Organization(TimeStampedModel):
    """A partner of the Coalition, or an organization applying to become one."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    constituency = models.ForeignKey(
        Constituency, on_delete=models.PROTECT, verbose_name=_("constituency")
    )
    country = CountryField(_("country of headquarters"))
    regions = models.ManyToManyField(
        Region, blank=True, related_name="organizations", verbose_name=_("regions of operation")
    )
    countries = CountryField(_("countries of operation"), multiple=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"))
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True)
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        m2m_fields=[regions],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = [Lower("name")]
        constraints = [
            # Duplicate applications: one live organization per name, whatever its case.
            models.UniqueConstraint(
                Lower("name"),
                condition=~models.Q(status="rejected"),
                name="organization_live_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:profile", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    def get_language_names(self) -> list[str]:
        names = dict(WORKING_LANGUAGES)
        return [str(names[code]) for code in self.languages if code in names]


class Membership(TimeStampedModel):
    """A person's place in an organization: its admins manage it, contributors log its work."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Organization admin")
        CONTRIBUTOR = "contributor", _("Contributor")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.CONTRIBUTOR
    )

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"


class Application(TimeStampedModel):
    """An organization's request to join: its endorsement of the principles and the decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="application"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    principles_version = models.CharField(_("version of the principles endorsed"), max_length=16)
    endorsed_at = models.DateTimeField(_("endorsed at"))
    motivation = models.TextField(_("motivation"), blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_applications",
        verbose_name=_("reviewer"),
    )
    reason = models.TextField(_("reason of the decision"), blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="rejected") | ~models.Q(reason=""),
                name="application_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization)


class Invitation(TimeStampedModel):
    """An organization admin's invitation of a person, by email, to join the organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Membership.Role.choices,
        default=Membership.Role.CONTRIBUTOR,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_invitations"
    )
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_invitations",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and organization; re-inviting renews it.
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"
