"""Every write of the Forum: views, admin actions, tasks and commands all call these.

Seats are counted under a lock on the edition's row (`SELECT ... FOR UPDATE`): registrations and
cancellations of one edition run one after the other, so two people can never take the last seat
at the same moment, and a freed seat goes to exactly one person on the waitlist. Every service that
changes seats takes that lock first, before any registration row, so they never deadlock.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.errors import ApplicationError
from coalition.history import record_change
from coalition.models import ThematicArea, User
from forum.markdown import render_markdown
from forum.models import (
    POST_EDIT_WINDOW,
    POST_MAX_LENGTH,
    AttendanceMode,
    ForumEdition,
    Post,
    PostReport,
    Registration,
    Session,
    Thread,
)
from partners.models import Membership, Organization

Status = Registration.Status


def _lock_edition(edition: ForumEdition) -> ForumEdition:
    return ForumEdition.objects.select_for_update().get(pk=edition.pk)


def _check_member_of_approved_partner(*, user: User, organization: Organization) -> None:
    if not user.is_authenticated or not user.is_active:
        raise ApplicationError(_("Log in first."))
    is_member = Membership.objects.filter(
        user=user, organization=organization, organization__status=Organization.Status.APPROVED
    ).exists()
    if not is_member:
        raise ApplicationError(
            _("Only members of an approved partner can do this on its behalf."),
            field="organization",
        )


def _seats_taken(edition: ForumEdition, mode: str) -> int:
    return edition.registrations.registered().filter(attendance_mode=mode).count()


def _has_free_seat(edition: ForumEdition, mode: str) -> bool:
    capacity = edition.capacity_for(mode)
    return capacity is None or _seats_taken(edition, mode) < capacity


@transaction.atomic
def registration_create(
    *,
    edition: ForumEdition,
    organization: Organization,
    attendance_mode: str,
    accessibility_needs: str = "",
    listed: bool = False,
    actor: User,
) -> Registration:
    """Registers the actor for an edition, or puts them on the waitlist when its seats in that
    attendance mode are all taken."""
    from forum.tasks import send_registration_confirmation

    _check_member_of_approved_partner(user=actor, organization=organization)
    edition = _lock_edition(edition)
    now = timezone.now()
    if not edition.is_published:
        raise ApplicationError(_("This edition of the Forum is not open for registration."))
    if not edition.registration_is_open(now):
        if now < edition.registration_opens_at:
            raise ApplicationError(_("Registration for this Forum is not open yet."))
        raise ApplicationError(_("Registration for this Forum is closed."))
    if attendance_mode not in edition.modes:
        raise ApplicationError(
            _("This Forum cannot be attended %(mode)s.")
            % {"mode": AttendanceMode(attendance_mode).label.lower()}
            if attendance_mode in AttendanceMode.values
            else _("Choose how you will attend."),
            field="attendance_mode",
        )
    if edition.registrations.live().filter(user=actor).exists():
        raise ApplicationError(_("You are already registered for this Forum."))

    registration = Registration(
        edition=edition,
        user=actor,
        organization=organization,
        attendance_mode=attendance_mode,
        accessibility_needs=accessibility_needs.strip(),
        listed=listed,
    )
    if _has_free_seat(edition, attendance_mode):
        registration.status = Status.REGISTERED
        registration.registered_at = now
    else:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = now
    record_change(registration, actor=actor, reason=f"Registration: {registration.status}")
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Only a second live registration of the same person can get here (the lock above
        # serializes everything else); its first request won.
        raise ApplicationError(_("You are already registered for this Forum.")) from None
    send_registration_confirmation.delay_on_commit(registration.pk)
    return registration


def _promote_from_waitlist(*, edition: ForumEdition, mode: str, actor: User | None) -> list[int]:
    """Gives free seats to the people waiting longest; the caller holds the edition's lock."""
    from forum.tasks import send_registration_promoted

    promoted = []
    while _has_free_seat(edition, mode):
        waiting = (
            edition.registrations.waitlisted()
            .filter(attendance_mode=mode)
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if waiting is None:
            break
        now = timezone.now()
        waiting.status = Status.REGISTERED
        waiting.registered_at = now
        waiting.promoted_at = now
        record_change(waiting, actor=actor, reason="Promoted from the waitlist")
        waiting.save()
        send_registration_promoted.delay_on_commit(waiting.pk)
        promoted.append(waiting.pk)
    return promoted


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor: User, reason: str = ""
) -> Registration:
    """Cancels a registration (or leaves the waitlist); a freed seat goes to the next person
    waiting, who is told by email."""
    edition = _lock_edition(registration.edition)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.user_id != actor.pk and not actor.is_secretariat:
        raise ApplicationError(_("Only the participant or the Secretariat can cancel this."))
    if registration.status == Status.CANCELLED:
        raise ApplicationError(_("This registration is already cancelled."))
    if timezone.now().date() > edition.ends_on:
        raise ApplicationError(_("This Forum is over: its registrations are kept as they are."))
    freed_seat = registration.status == Status.REGISTERED
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.cancelled_by = actor
    record_change(registration, actor=actor, reason=reason or "Cancelled")
    registration.save()
    if freed_seat:
        _promote_from_waitlist(edition=edition, mode=registration.attendance_mode, actor=actor)
    return registration


@transaction.atomic
def registration_update(
    *, registration: Registration, accessibility_needs: str, listed: bool, actor: User
) -> Registration:
    """Changes what a participant may change themself; a change of attendance mode is a
    cancellation and a new registration, since seats are counted per mode."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.user_id != actor.pk:
        raise ApplicationError(_("Only the participant can change this registration."))
    if registration.status == Status.CANCELLED:
        raise ApplicationError(_("This registration is cancelled."))
    registration.accessibility_needs = accessibility_needs.strip()
    registration.listed = listed
    record_change(registration, actor=actor, reason="Details changed")
    registration.save()
    return registration


@transaction.atomic
def edition_fill_from_waitlist(*, edition: ForumEdition, actor: User, reason: str = "") -> int:
    """After the Secretariat adds seats: promotes people waiting, in order, up to capacity."""
    if not actor.is_secretariat:
        raise ApplicationError(_("Only the Secretariat manages the Forum's seats."))
    edition = _lock_edition(edition)
    return sum(
        len(_promote_from_waitlist(edition=edition, mode=mode, actor=actor))
        for mode in AttendanceMode.values
    )


def _set_published(*, edition: ForumEdition, actor: User, published: bool, reason: str):
    if not actor.is_secretariat:
        raise ApplicationError(_("Only the Secretariat publishes the Forum's editions."))
    edition = _lock_edition(edition)
    if edition.is_published == published:
        return edition
    edition.is_published = published
    edition.ever_published = edition.ever_published or published
    record_change(
        edition, actor=actor, reason=reason or ("Published" if published else "Unpublished")
    )
    edition.save()
    # The programme enters or leaves public view with its edition: its sessions count as
    # changed, so that a sync (`updated_since`) brings them back or reports them removed.
    Session.objects.filter(edition=edition).update(updated_at=timezone.now())
    return edition


@transaction.atomic
def edition_publish(*, edition: ForumEdition, actor: User, reason: str = "") -> ForumEdition:
    """The Secretariat shows an edition and its programme to the public."""
    return _set_published(edition=edition, actor=actor, published=True, reason=reason)


@transaction.atomic
def edition_unpublish(*, edition: ForumEdition, actor: User, reason: str = "") -> ForumEdition:
    """The Secretariat takes an edition and its programme out of public view (a sync reports
    them as removed to the clients that copied them)."""
    return _set_published(edition=edition, actor=actor, published=False, reason=reason)


# Discussions


def _check_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write a message."), field="body")
    if len(body) > POST_MAX_LENGTH:
        raise ApplicationError(
            _("A message has %(limit)d characters at most.") % {"limit": POST_MAX_LENGTH},
            field="body",
        )
    return body


def _new_post(*, thread: Thread, organization: Organization, body: str, actor: User) -> Post:
    post = Post(
        thread=thread,
        author=actor,
        organization=organization,
        body=body,
        body_html=render_markdown(body),
    )
    record_change(post, actor=actor, reason="Posted")
    post.save()
    return post


@transaction.atomic
def thread_create(
    *,
    thematic_area: ThematicArea,
    title: str,
    body: str,
    organization: Organization,
    actor: User,
) -> Thread:
    """Opens a discussion; its first post is the message."""
    _check_member_of_approved_partner(user=actor, organization=organization)
    title = " ".join(title.split())
    if not title:
        raise ApplicationError(_("Give the discussion a title."), field="title")
    body = _check_body(body)
    thread = Thread(
        thematic_area=thematic_area,
        title=title,
        author=actor,
        organization=organization,
        last_posted_at=timezone.now(),
    )
    record_change(thread, actor=actor, reason="Opened")
    thread.save()
    _new_post(thread=thread, organization=organization, body=body, actor=actor)
    return thread


@transaction.atomic
def post_create(*, thread: Thread, organization: Organization, body: str, actor: User) -> Post:
    """Replies in a thread."""
    _check_member_of_approved_partner(user=actor, organization=organization)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.is_hidden:
        raise ApplicationError(_("This discussion was closed by the Secretariat."))
    post = _new_post(thread=thread, organization=organization, body=_check_body(body), actor=actor)
    # Not a change worth a history row: the thread's order in the list.
    Thread.objects.filter(pk=thread.pk).update(last_posted_at=post.created_at)
    return post


@transaction.atomic
def post_update(*, post: Post, body: str, actor: User) -> Post:
    """The author corrects a post within POST_EDIT_WINDOW of writing it."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != actor.pk:
        raise ApplicationError(_("Only the author can edit a post."))
    if post.is_hidden:
        raise ApplicationError(_("A hidden post cannot be edited."))
    if timezone.now() > post.created_at + POST_EDIT_WINDOW:
        raise ApplicationError(
            _("Posts can be edited for %(minutes)d minutes after they are written.")
            % {"minutes": int(POST_EDIT_WINDOW.total_seconds() // 60)}
        )
    post.body = _check_body(body)
    post.body_html = render_markdown(post.body)
    post.edited_at = timezone.now()
    record_change(post, actor=actor, reason="Edited by the author")
    post.save()
    return post


@transaction.atomic
def post_report(*, post: Post, reason: str, actor: User) -> PostReport:
    """Anyone signed in may report a post to the Secretariat, once while it is waiting."""
    if not actor.is_authenticated:
        raise ApplicationError(_("Log in first."))
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Tell the Secretariat what is wrong."), field="reason")
    if post.is_hidden:
        raise ApplicationError(_("This post is already hidden."))
    if post.author_id == actor.pk:
        raise ApplicationError(_("You cannot report your own post; edit it instead."))
    if PostReport.objects.open().filter(post=post, reporter=actor).exists():
        raise ApplicationError(_("You have already reported this post; the Secretariat will look."))
    report = PostReport(post=post, reporter=actor, reason=reason)
    record_change(report, actor=actor, reason="Reported")
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ApplicationError(
            _("You have already reported this post; the Secretariat will look.")
        ) from None
    return report


def _check_secretariat(actor: User) -> None:
    if not actor.is_secretariat:
        raise ApplicationError(_("Only the Secretariat moderates the discussions."))


def _check_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give the reason of this decision."), field="reason")
    return reason


def _resolve_reports(*, post: Post, status: str, actor: User, reason: str) -> None:
    for report in PostReport.objects.open().select_for_update().filter(post=post):
        report.status = status
        report.resolved_at = timezone.now()
        report.resolved_by = actor
        report.resolution = reason
        record_change(report, actor=actor, reason=reason)
        report.save()


@transaction.atomic
def post_hide(*, post: Post, actor: User, reason: str) -> Post:
    """The Secretariat hides a post; the reason is kept, shown to its author and emailed."""
    from forum.tasks import send_post_hidden

    _check_secretariat(actor)
    reason = _check_reason(reason)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.is_hidden:
        raise ApplicationError(_("This post is already hidden."))
    post.hidden_at = timezone.now()
    post.hidden_by = actor
    post.hidden_reason = reason
    record_change(post, actor=actor, reason=reason)
    post.save()
    _resolve_reports(post=post, status=PostReport.Status.UPHELD, actor=actor, reason=reason)
    send_post_hidden.delay_on_commit(post.pk)
    return post


@transaction.atomic
def post_unhide(*, post: Post, actor: User, reason: str = "") -> Post:
    _check_secretariat(actor)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not post.is_hidden:
        raise ApplicationError(_("This post is not hidden."))
    post.hidden_at = None
    post.hidden_by = None
    post.hidden_reason = ""
    record_change(post, actor=actor, reason=reason or "Shown again")
    post.save()
    return post


@transaction.atomic
def thread_hide(*, thread: Thread, actor: User, reason: str) -> Thread:
    """Closes a whole discussion (for example an abusive title): only its author and the
    Secretariat still see it, and nobody can reply."""
    _check_secretariat(actor)
    reason = _check_reason(reason)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.is_hidden:
        raise ApplicationError(_("This discussion is already hidden."))
    thread.hidden_at = timezone.now()
    thread.hidden_by = actor
    thread.hidden_reason = reason
    record_change(thread, actor=actor, reason=reason)
    thread.save()
    return thread


@transaction.atomic
def thread_unhide(*, thread: Thread, actor: User, reason: str = "") -> Thread:
    _check_secretariat(actor)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if not thread.is_hidden:
        raise ApplicationError(_("This discussion is not hidden."))
    thread.hidden_at = None
    thread.hidden_by = None
    thread.hidden_reason = ""
    record_change(thread, actor=actor, reason=reason or "Shown again")
    thread.save()
    return thread


@transaction.atomic
def report_uphold(*, report: PostReport, actor: User, reason: str) -> PostReport:
    """Agrees with a report: hides the post, which closes every open report on it."""
    report = PostReport.objects.select_related("post").get(pk=report.pk)
    if report.status != PostReport.Status.OPEN:
        raise ApplicationError(_("This report was already decided."))
    post_hide(post=report.post, actor=actor, reason=reason)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_dismiss(*, report: PostReport, actor: User, reason: str = "") -> PostReport:
    """Decides that the reported post may stay."""
    _check_secretariat(actor)
    report = PostReport.objects.select_for_update().get(pk=report.pk)
    if report.status != PostReport.Status.OPEN:
        raise ApplicationError(_("This report was already decided."))
    report.status = PostReport.Status.DISMISSED
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.resolution = reason.strip()
    record_change(report, actor=actor, reason=reason or "Dismissed")
    report.save()
    return report
