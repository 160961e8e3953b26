"""Reads of the Forum, and the one place per object that decides who may see or change it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coalition.models import User
from forum.models import (
    POST_EDIT_WINDOW,
    AttendanceMode,
    ForumEdition,
    Post,
    Registration,
    Session,
    Speaker,
    Thread,
)
from partners.models import Organization


def _is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_staff


# Editions and their programme


def edition_list_public() -> QuerySet[ForumEdition]:
    return ForumEdition.objects.published().order_by("-year")


def edition_get_for_user(*, year: int, user: User) -> ForumEdition:
    """Published editions are public; the Secretariat also previews unpublished ones."""
    edition = ForumEdition.objects.filter(year=year).first()
    if edition is None or not (edition.is_published or _is_staff(user)):
        raise Http404
    return edition


def _sessions() -> QuerySet[Session]:
    speakers = Speaker.objects.select_related("user", "organization")
    return Session.objects.select_related("edition", "thematic_area").prefetch_related(
        Prefetch("speakers", queryset=speakers)
    )


def session_list_for_edition(*, edition: ForumEdition) -> QuerySet[Session]:
    return _sessions().filter(edition=edition).order_by("starts_at", "title")


def session_list_public() -> QuerySet[Session]:
    return _sessions().public().order_by("starts_at", "title")


def session_get_for_user(*, pk: int, user: User) -> Session:
    session = _sessions().filter(pk=pk).first()
    if session is None or not (session.edition.is_published or _is_staff(user)):
        raise Http404
    return session


def edition_days(edition: ForumEdition) -> list[date]:
    return [
        edition.starts_on + timedelta(days=offset)
        for offset in range((edition.ends_on - edition.starts_on).days + 1)
    ]


def day_bounds(edition: ForumEdition, day: date) -> tuple[datetime, datetime]:
    """The start and end of a day of the Forum in its own time zone (programme days are the
    venue's days, not UTC's)."""
    start = datetime.combine(day, time.min, tzinfo=edition.zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=edition.zone)


def programme_by_day(
    *, edition: ForumEdition, sessions: QuerySet[Session]
) -> list[tuple[date, list[Session]]]:
    """Sessions grouped by their day in the Forum's time zone, in order."""
    days: dict[date, list[Session]] = {}
    for session in sessions:
        days.setdefault(session.starts_at.astimezone(edition.zone).date(), []).append(session)
    return sorted(days.items())


# Registrations


@dataclass(frozen=True)
class Seats:
    mode: str
    label: str
    capacity: int | None
    taken: int
    waiting: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity


def edition_seats(*, edition: ForumEdition) -> list[Seats]:
    """Seats per attendance mode offered by the edition, in one query."""
    counts = edition.registrations.aggregate(
        **{
            f"{mode}_{status}": Count("pk", filter=Q(attendance_mode=mode, status=status))
            for mode in AttendanceMode.values
            for status in (Registration.Status.REGISTERED, Registration.Status.WAITLISTED)
        }
    )
    return [
        Seats(
            mode=mode,
            label=str(AttendanceMode(mode).label),
            capacity=edition.capacity_for(mode),
            taken=counts[f"{mode}_registered"],
            waiting=counts[f"{mode}_waitlisted"],
        )
        for mode in edition.modes
    ]


def registration_of_user(*, edition: ForumEdition, user: User) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.live()
        .filter(edition=edition, user=user)
        .select_related("organization")
        .first()
    )


def registration_get_for_user(*, pk: int, user: User) -> Registration:
    """A registration is the participant's own business and the Secretariat's: anyone else gets
    a 404, so that even its existence stays private."""
    registration = (
        Registration.objects.select_related("edition", "organization", "user").filter(pk=pk).first()
    )
    if registration is None or not user.is_authenticated:
        raise Http404
    if registration.user_id != user.pk and not user.is_staff:
        raise Http404
    return registration


def waitlist_position(*, registration: Registration) -> int | None:
    """1 for the next person to get a seat."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = (
        Registration.objects.waitlisted()
        .filter(edition_id=registration.edition_id, attendance_mode=registration.attendance_mode)
        .filter(
            Q(waitlisted_at__lt=registration.waitlisted_at)
            | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


def participant_list(*, edition: ForumEdition) -> QuerySet[Registration]:
    """Registered participants who agreed to be listed: names and organizations only (the view
    reads no other field; accessibility needs are never loaded here)."""
    return (
        Registration.objects.registered()
        .filter(edition=edition, listed=True)
        .select_related("user", "organization")
        .only(
            "pk",
            "attendance_mode",
            "user",
            "organization",
            "user__full_name",
            "organization__name",
            "organization__acronym",
            "organization__status",
        )
        .order_by("organization__name", "user__full_name", "pk")
    )


# Discussions


def poster_organizations(*, user: User) -> QuerySet[Organization]:
    """The approved partners a person may post or register for."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.public().filter(memberships__user=user).order_by("name")


def can_post(*, user: User) -> bool:
    return poster_organizations(user=user).exists()


def _visible_threads(user: User) -> QuerySet[Thread]:
    threads = Thread.objects.all()
    if _is_staff(user):
        return threads
    if user.is_authenticated:
        return threads.filter(Q(hidden_at__isnull=True) | Q(author=user))
    return threads.visible()


def thread_list(*, user: User) -> QuerySet[Thread]:
    return (
        _visible_threads(user)
        .select_related("thematic_area", "author", "organization")
        .annotate(
            reply_count=Count("posts", filter=Q(posts__hidden_at__isnull=True)) - 1,
        )
        .order_by("-last_posted_at", "-pk")
    )


def thread_get_for_user(*, pk: int, user: User) -> Thread:
    """Everyone reads a discussion; a hidden one only its author and the Secretariat."""
    thread = (
        _visible_threads(user)
        .select_related("thematic_area", "author", "organization", "hidden_by")
        .filter(pk=pk)
        .first()
    )
    if thread is None:
        raise Http404
    return thread


def thread_posts(*, thread: Thread) -> QuerySet[Post]:
    """All posts, hidden ones too: the page shows a hidden post as a notice (its text only to
    the author and the Secretariat)."""
    return thread.posts.select_related("author", "organization").order_by("created_at", "pk")


def post_get_for_user(*, pk: int, user: User, for_edit: bool = False) -> Post:
    """A post is read where its thread is; only its author edits it, within the edit window."""
    post = Post.objects.select_related("thread", "author", "organization").filter(pk=pk).first()
    if post is None:
        raise Http404
    thread_get_for_user(pk=post.thread_id, user=user)
    if post.is_hidden and not (_is_staff(user) or post.author_id == user.pk):
        raise Http404
    if for_edit and not post_is_editable(post=post, user=user):
        raise PermissionDenied
    return post


def post_is_editable(*, post: Post, user: User) -> bool:
    return (
        user.is_authenticated
        and post.author_id == user.pk
        and not post.is_hidden
        and timezone.now() <= post.created_at + POST_EDIT_WINDOW
    )
