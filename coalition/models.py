from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person: a partner representative, a Secretariat staff member or both. Logs in by email."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails are written to you in this language."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.is_staff


class TimeStampedModel(models.Model):
    """Creation and change times; `updated_at` drives incremental sync and digests."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class TranslatedNameModel(models.Model):
    """A vocabulary entry whose name is kept in the three interface languages."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{(get_language() or 'en')[:2]}", None) or self.name_en


class Constituency(TranslatedNameModel):
    """One of the eight kinds of organization the Coalition is open to (seed text)."""

    class Meta(TranslatedNameModel.Meta):
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")


class ThematicArea(TranslatedNameModel):
    """One of the six areas of immediate action of the Coalition."""

    class Meta(TranslatedNameModel.Meta):
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")


class Priority(TranslatedNameModel):
    """One of the four initial priorities targeted by the ILO for the Coalition."""

    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta(TranslatedNameModel.Meta):
        verbose_name = _("initial priority")
        verbose_name_plural = _("initial priorities")


class SustainableDevelopmentGoal(models.Model):
    """One of the 17 Sustainable Development Goals, with its official colour."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    name_en = models.CharField(_("short title (English)"), max_length=120)
    name_fr = models.CharField(_("short title (French)"), max_length=120)
    name_es = models.CharField(_("short title (Spanish)"), max_length=120)
    colour = models.CharField(_("colour"), max_length=7)

    class Meta:
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=17), name="sdg_number_1_to_17"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        return getattr(self, f"name_{(get_language() or 'en')[:2]}", None) or self.name_en


class Region(models.Model):
    """A UN M49 geographic region or sub-region, with the countries it groups."""

    class Kind(models.TextChoices):
        REGION = "region", _("region")
        SUB_REGION = "sub-region", _("sub-region")
        INTERMEDIATE = "intermediate", _("intermediate region")

    m49 = models.CharField(_("M49 code"), max_length=3, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_es = models.CharField(_("name (Spanish)"), max_length=120)
    countries = CountryField(_("countries"), multiple=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["m49"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{(get_language() or 'en')[:2]}", None) or self.name_en

    @property
    def country_codes(self) -> list[str]:
        return [country.code for country in self.countries]


class ApiToken(models.Model):
    """A person's key to the REST API, named by them. The API treats a request carrying it as
    that person: it acts only for their organizations, with their role there.

    Only the SHA-256 of the key is stored (the key is random, 240 bits, so a fast hash is safe);
    the key itself is shown once, when it is created. `prefix` is its first characters, kept so
    that the person can tell their keys apart.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A person tells their live keys apart by name.
            models.UniqueConstraint(
                "user",
                Lower("name"),
                condition=models.Q(revoked_at__isnull=True),
                name="apitoken_live_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
