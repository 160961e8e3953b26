"""Reads of the notifications: who wants which email, what waits for the Secretariat, and the
working-day arithmetic the reminders count with."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Model, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coalition.models import User
from commitments.models import Commitment, CommitmentRevision, CoPartnership
from forum.models import PostReport
from partners.models import Application, Membership, Organization
from secretariat.models import (
    PREFERENCE_FIELD_OF_KIND,
    UNSUBSCRIBE_PHRASES,
    Announcement,
    CoordinatingGroupMembership,
    DigestFrequency,
    EmailDelivery,
    GoodPractice,
    GoodPracticeAttachment,
    NotificationPreference,
)

UNSUBSCRIBE_SALT = "secretariat.unsubscribe"


# --- Preferences and unsubscribing ------------------------------------------------------------


def preference_get(*, user: User) -> NotificationPreference:
    """The person's preferences, or the defaults (unsaved) when they never set any."""
    preference = (
        NotificationPreference.objects.filter(user=user).prefetch_related("thematic_areas").first()
    )
    return preference or NotificationPreference(user=user)


def unsubscribe_kinds() -> set[str]:
    return set(UNSUBSCRIBE_PHRASES)


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A link that turns one kind of email off (or all of them) for one person, without login.
    It never expires: an old email's link must keep working."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user.pk, kind])


def unsubscribe_target(*, token: str) -> tuple[User, str] | None:
    """The person and the kind a token unsubscribes from, or None for a forged or stale one."""
    try:
        user_id, kind = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in unsubscribe_kinds():
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, kind) if user is not None else None


def _wanting(queryset: QuerySet, kind: str, path: str = "") -> QuerySet:
    # A person without a preference row has the defaults, where every kind is on: exclude the
    # ones who turned it off rather than select the ones who turned it on.
    field = PREFERENCE_FIELD_OF_KIND[kind]
    return queryset.exclude(**{f"{path}notification_preference__{field}": False})


def members_wanting(*, kind: str, organization_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active members of each organization who want this kind of reminder (one query)."""
    memberships = _wanting(
        Membership.objects.filter(
            organization_id__in=set(organization_ids), user__is_active=True
        ).select_related("user"),
        kind,
        "user__",
    ).order_by("organization_id", "user_id")
    members: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        members[membership.organization_id].append(membership.user)
    return members


def secretariat_wanting(*, kind: str) -> list[User]:
    return list(_wanting(User.objects.filter(is_active=True, is_staff=True), kind).order_by("pk"))


def digest_recipient_ids(*, frequency: str) -> list[int]:
    """Everyone who chose this frequency and follows at least one thing, by id (the digest job
    hands them out in batches; a batch loads the rest)."""
    return list(
        NotificationPreference.objects.filter(digest_frequency=frequency, user__is_active=True)
        .exclude(digest_frequency=DigestFrequency.OFF)
        .filter(Q(thematic_areas__isnull=False) | ~Q(countries=""))
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def digest_preferences(*, user_ids: Iterable[int]) -> list[NotificationPreference]:
    """A batch of digest recipients with what they follow: two queries whatever its size."""
    return list(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), user__is_active=True)
        .select_related("user")
        .prefetch_related("thematic_areas")
        .order_by("user_id")
    )


# --- The delivery log ---------------------------------------------------------------------------


def stale_queued_delivery_ids(*, before: datetime, limit: int = 10_000) -> list[int]:
    """Emails still queued well after they were recorded: their task was lost or gave up."""
    return list(
        EmailDelivery.objects.queued()
        .filter(created_at__lt=before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- Working days ---------------------------------------------------------------------------------


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) after `start`, up to and including `end`. Public holidays
    differ between duty stations and are not counted out."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    count = weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


# --- What waits for the Secretariat ---------------------------------------------------------


@dataclass(frozen=True)
class WaitingItem:
    """Something waiting for a decision of the Secretariat, as the moderation digest lists it."""

    kind: Promise  # what it is, e.g. "Application to join", translated when shown
    obj: Model
    title: str
    waiting_since: datetime

    def working_days(self, day: date) -> int:
        return working_days_between(self.waiting_since.date(), day)


def _applications() -> list[WaitingItem]:
    return [
        WaitingItem(
            kind=_("Application to join"),
            obj=application,
            title=application.organization.name,
            waiting_since=application.created_at,
        )
        for application in Application.objects.filter(decision=Application.Decision.PENDING)
        .select_related("organization")
        .order_by("created_at")
    ]


def _commitments() -> list[WaitingItem]:
    return [
        WaitingItem(
            kind=_("Commitment submitted"),
            obj=commitment,
            title=commitment.title,
            waiting_since=commitment.submitted_at,
        )
        for commitment in Commitment.objects.filter(
            status=Commitment.Status.SUBMITTED, submitted_at__isnull=False
        ).order_by("submitted_at")
    ]


def _revisions() -> list[WaitingItem]:
    return [
        WaitingItem(
            kind=_("Edit of a published commitment"),
            obj=revision,
            title=revision.commitment.title,
            waiting_since=revision.submitted_at,
        )
        for revision in CommitmentRevision.objects.filter(
            status=CommitmentRevision.Status.SUBMITTED, submitted_at__isnull=False
        )
        .select_related("commitment")
        .order_by("submitted_at")
    ]


def _reported_posts() -> list[WaitingItem]:
    return [
        WaitingItem(
            kind=_("Reported Forum post"),
            obj=report,
            title=str(report.post.thread),
            waiting_since=report.created_at,
        )
        for report in PostReport.objects.open()
        .select_related("post__thread")
        .order_by("created_at")
    ]


def _good_practices() -> list[WaitingItem]:
    return [
        WaitingItem(
            kind=_("Good practice submitted"),
            obj=practice,
            title=practice.title,
            waiting_since=practice.submitted_at,
        )
        for practice in GoodPractice.objects.filter(
            status=GoodPractice.Status.SUBMITTED, submitted_at__isnull=False
        ).order_by("submitted_at")
    ]


# Each source of the moderation queue: one query each.
WAITING_SOURCES: list[Callable[[], list[WaitingItem]]] = [
    _applications,
    _commitments,
    _revisions,
    _reported_posts,
    _good_practices,
]


def waiting_for_review() -> list[WaitingItem]:
    """Everything waiting for the Secretariat, oldest first."""
    items = [item for source in WAITING_SOURCES for item in source()]
    return sorted(items, key=lambda item: item.waiting_since)


# --- The moderation desk ------------------------------------------------------------------------


def admin_url_of(obj: Model) -> str:
    """The admin page where the Secretariat decides an item (the admin's home if unlisted)."""
    from django.contrib import admin

    if not admin.site.is_registered(type(obj)):
        return reverse("admin:index")
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


# --- Good practices -----------------------------------------------------------------------------


def _is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_staff


def good_practice_list_public() -> QuerySet[GoodPractice]:
    """Published practices with what a list row shows, in a constant number of queries."""
    return (
        GoodPractice.objects.published()
        .select_related("organization")
        .prefetch_related("thematic_areas", "sdgs")
    )


def good_practice_organizations(*, user: User) -> QuerySet[Organization]:
    """The approved partners on whose behalf a person may share practices."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.public().filter(memberships__user=user).order_by("name")


def good_practice_list_for_member(*, user: User) -> QuerySet[GoodPractice]:
    """Every practice of the person's organizations, whatever its status (their workspace)."""
    if not user.is_authenticated:
        return GoodPractice.objects.none()
    return (
        GoodPractice.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .order_by("-updated_at", "-pk")
    )


def good_practice_get_for_user(*, pk: int, user: User, for_edit: bool = False) -> GoodPractice:
    """Published practices are public; the others only to the members of their organization and
    to the Secretariat. Editing is for the organization's members while it is an approved
    partner and the practice is a draft or returned (404 for those who may not see it, 403 for
    those who see it but may not change it)."""
    practice = (
        GoodPractice.objects.select_related("organization", "created_by")
        .prefetch_related(
            "thematic_areas",
            "sdgs",
            "attachments",
            Prefetch("commitments", queryset=Commitment.objects.public().order_by("title")),
        )
        .filter(pk=pk)
        .first()
    )
    if practice is None:
        raise Http404
    is_member = (
        user.is_authenticated
        and Membership.objects.filter(user=user, organization_id=practice.organization_id).exists()
    )
    if not (practice.is_public or is_member or _is_staff(user)):
        raise Http404
    practice.user_is_member = is_member
    practice.user_may_edit = is_member and practice.is_editable and practice.organization.is_public
    if for_edit and not practice.user_may_edit:
        raise PermissionDenied
    return practice


def good_practice_attachment_for_user(
    *, practice: GoodPractice, file_pk: int
) -> GoodPracticeAttachment:
    """A file is read where its practice is (`practice` comes from good_practice_get_for_user)."""
    attachment = next((a for a in practice.attachments.all() if a.pk == file_pk), None)
    if attachment is None:
        raise Http404
    return attachment


def linkable_commitments(*, organization_ids) -> QuerySet[Commitment]:
    """Commitments a practice of these organizations may be linked to."""
    return (
        Commitment.objects.filter(
            Q(lead_organization_id__in=organization_ids)
            | Q(
                co_partnerships__organization_id__in=organization_ids,
                co_partnerships__status=CoPartnership.Status.CONFIRMED,
            )
        )
        .exclude(status=Commitment.Status.WITHDRAWN)
        .distinct()
        .order_by("title")
    )


# --- The Coordinating Group --------------------------------------------------------------------


def coordinating_group_current(*, today: date | None = None) -> QuerySet:
    """The organizations sitting in the Coordinating Group today, chair first."""
    role_order = Case(
        When(role=CoordinatingGroupMembership.Role.CHAIR, then=Value(0)),
        When(role=CoordinatingGroupMembership.Role.VICE_CHAIR, then=Value(1)),
        default=Value(2),
    )
    return (
        CoordinatingGroupMembership.objects.current(today=today)
        .select_related("organization__constituency")
        .annotate(role_order=role_order)
        .order_by("role_order", Lower("organization__name"))
    )


def coordinating_group_past(*, today: date | None = None) -> QuerySet:
    today = today or timezone.now().date()
    return (
        CoordinatingGroupMembership.objects.filter(term_end__lt=today)
        .select_related("organization")
        .order_by("-term_end", Lower("organization__name"))
    )


def is_coordinating_group_member(*, user: User, today: date | None = None) -> bool:
    """Members of an organization sitting in the Group today (and the Secretariat) enter its
    area."""
    if not user.is_authenticated:
        return False
    if _is_staff(user):
        return True
    return (
        CoordinatingGroupMembership.objects.current(today=today)
        .filter(organization__memberships__user=user)
        .exists()
    )


# --- Announcements -----------------------------------------------------------------------------


def announcement_list_public(*, language: str) -> QuerySet[Announcement]:
    """Published announcements for readers of `language` (language-neutral ones included)."""
    return Announcement.objects.published().for_language(language).order_by("-published_at", "-pk")


def announcement_get_for_user(*, pk: int, user: User) -> Announcement:
    announcement = Announcement.objects.filter(pk=pk).first()
    if announcement is None:
        raise Http404
    is_published = (
        announcement.published_at is not None and announcement.published_at <= timezone.now()
    )
    if not (is_published or _is_staff(user)):
        raise Http404
    return announcement


def coordinating_group_area_members(*, today: date | None = None) -> QuerySet:
    """The Group's current seats with the admins of each organization, whom fellow members may
    contact (their addresses are shown in the Group's area only)."""
    admins = Membership.objects.filter(role=Membership.Role.ADMIN, user__is_active=True)
    return coordinating_group_current(today=today).prefetch_related(
        Prefetch(
            "organization__memberships",
            queryset=admins.select_related("user").order_by("user__full_name", "user__email"),
            to_attr="admins",
        )
    )


def good_practice_list_for_sync() -> QuerySet[GoodPractice]:
    """Published practices and those that were published and left public view since (their
    `published_at` stays): a sync client must learn that they left. Drafts, submitted and
    returned practices that were never published are never reported."""
    return GoodPractice.objects.filter(
        Q(status=GoodPractice.Status.PUBLISHED) | Q(published_at__isnull=False)
    )
