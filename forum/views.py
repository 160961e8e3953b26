from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coalition.errors import ApplicationError
from coalition.forms import add_domain_error
from forum import selectors, services
from forum.filters import SessionFilter, ThreadFilter
from forum.forms import (
    PostEditForm,
    PostForm,
    RegistrationForm,
    RegistrationUpdateForm,
    ReportForm,
    ThreadForm,
)
from forum.icalendar import CONTENT_TYPE, build_calendar
from forum.models import POST_EDIT_WINDOW, Registration

THREADS_PAGE_SIZE = 20


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _members_only(request, *, action: str):
    """Signed in, but not a member of an approved partner: say why, with a way forward."""
    return render(request, "forum/members_only.html", {"action": action}, status=403)


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Editions and programme


@require_safe
def index(request):
    editions = list(selectors.edition_list_public())
    today = timezone.now().date()
    upcoming = [edition for edition in editions if edition.ends_on >= today]
    return render(
        request,
        "forum/index.html",
        {
            "editions": editions,
            "next_edition": upcoming[-1] if upcoming else None,
        },
    )


@require_safe
def edition(request, year: int):
    edition = selectors.edition_get_for_user(year=year, user=request.user)
    filterset = SessionFilter(
        request.GET,
        queryset=selectors.session_list_for_edition(edition=edition),
        edition=edition,
    )
    context = {
        "edition": edition,
        "filter": filterset,
        "days": selectors.programme_by_day(edition=edition, sessions=filterset.qs),
    }
    if request.htmx:
        return render(request, "forum/edition.html#programme", context)
    registration = selectors.registration_of_user(edition=edition, user=request.user)
    context.update(
        seats=selectors.edition_seats(edition=edition),
        registration=registration,
        waitlist_position=registration and selectors.waitlist_position(registration=registration),
        registration_open=edition.registration_is_open(timezone.now()),
        can_register=selectors.can_post(user=request.user),
    )
    return render(request, "forum/edition.html", context)


@require_safe
def edition_calendar(request, year: int):
    edition = selectors.edition_get_for_user(year=year, user=request.user)
    content = build_calendar(
        sessions=selectors.session_list_for_edition(edition=edition),
        name=_("Forum of the Global Coalition for Social Justice %(year)s") % {"year": year},
    )
    return _calendar_response(content, f"forum-{year}.ics")


@require_safe
def session(request, pk: int):
    session = selectors.session_get_for_user(pk=pk, user=request.user)
    return render(request, "forum/session.html", {"session": session, "edition": session.edition})


@require_safe
def session_calendar(request, pk: int):
    session = selectors.session_get_for_user(pk=pk, user=request.user)
    content = build_calendar(sessions=[session], name=session.title)
    return _calendar_response(content, f"forum-session-{session.pk}.ics")


@require_safe
def participants(request, year: int):
    edition = selectors.edition_get_for_user(year=year, user=request.user)
    return render(
        request,
        "forum/participants.html",
        {"edition": edition, "participants": selectors.participant_list(edition=edition)},
    )


# Registration


@login_required
@require_http_methods(["GET", "POST"])
def register(request, year: int):
    edition = selectors.edition_get_for_user(year=year, user=request.user)
    existing = selectors.registration_of_user(edition=edition, user=request.user)
    if existing is not None:
        return redirect(existing)
    organizations = selectors.poster_organizations(user=request.user)
    if not organizations:
        return _members_only(request, action="register")
    form = RegistrationForm(request.POST or None, edition=edition, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                edition=edition,
                organization=form.chosen_organization(),
                attendance_mode=form.cleaned_data["attendance_mode"],
                accessibility_needs=form.cleaned_data["accessibility_needs"],
                listed=form.cleaned_data["listed"],
                actor=request.user,
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            if registration.status == Registration.Status.WAITLISTED:
                messages.warning(
                    request,
                    _(
                        "All seats are taken: you are on the waitlist. If a seat is freed, it is "
                        "yours in turn and we will tell you by email."
                    ),
                )
            else:
                messages.success(request, _("You are registered. See you at the Forum!"))
            return redirect(registration)
    return render(
        request,
        "forum/register.html",
        {
            "edition": edition,
            "form": form,
            "seats": selectors.edition_seats(edition=edition),
            "registration_open": edition.registration_is_open(timezone.now()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration(request, pk: int):
    registration = selectors.registration_get_for_user(pk=pk, user=request.user)
    is_own = registration.user_id == request.user.pk
    form = RegistrationUpdateForm(
        request.POST or None,
        initial={
            "accessibility_needs": registration.accessibility_needs,
            "listed": registration.listed,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_update(
                registration=registration, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your registration is updated."))
            return redirect(registration)
    return render(
        request,
        "forum/registration.html",
        {
            "registration": registration,
            "edition": registration.edition,
            "form": form if is_own and registration.is_live else None,
            "waitlist_position": selectors.waitlist_position(registration=registration),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request, pk: int):
    """Asks for confirmation (GET), then cancels (POST): a seat given up goes to someone else."""
    registration = selectors.registration_get_for_user(pk=pk, user=request.user)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(registration)
        messages.success(request, _("Your registration is cancelled."))
        return redirect(registration.edition)
    return render(
        request,
        "forum/registration_cancel.html",
        {"registration": registration, "edition": registration.edition},
    )


# Discussions


@require_safe
def thread_list(request):
    filterset = ThreadFilter(request.GET, queryset=selectors.thread_list(user=request.user))
    page = Paginator(filterset.qs, THREADS_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "forum/thread_list.html#results" if request.htmx else "forum/thread_list.html"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query": _query_without_page(request),
            "can_post": selectors.can_post(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request):
    organizations = selectors.poster_organizations(user=request.user)
    if not organizations:
        return _members_only(request, action="post")
    form = ThreadForm(
        request.POST or None,
        organizations=organizations,
        initial={"thematic_area": request.GET.get("thematic_area")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(
                thematic_area=form.cleaned_data["thematic_area"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                organization=form.chosen_organization(),
                actor=request.user,
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            return redirect(thread)
    return render(request, "forum/thread_form.html", {"form": form})


def _thread_page(request, thread, *, reply_form=None, status=200):
    posts = list(selectors.thread_posts(thread=thread))
    for post in posts:
        post.can_edit = selectors.post_is_editable(post=post, user=request.user)
        post.can_see_text = not post.is_hidden or (
            request.user.is_staff or post.author_id == request.user.pk
        )
    organizations = selectors.poster_organizations(user=request.user)
    can_reply = not thread.is_hidden and bool(organizations)
    if can_reply and reply_form is None:
        reply_form = PostForm(organizations=organizations)
    return render(
        request,
        "forum/thread.html",
        {
            "thread": thread,
            "posts": posts,
            "reply_form": reply_form if can_reply else None,
            "edit_minutes": int(POST_EDIT_WINDOW.total_seconds() // 60),
        },
        status=status,
    )


@require_safe
def thread(request, pk: int):
    thread = selectors.thread_get_for_user(pk=pk, user=request.user)
    return _thread_page(request, thread)


@login_required
@require_POST
def thread_reply(request, pk: int):
    thread = selectors.thread_get_for_user(pk=pk, user=request.user)
    organizations = selectors.poster_organizations(user=request.user)
    if not organizations:
        return _members_only(request, action="post")
    form = PostForm(request.POST, organizations=organizations)
    if form.is_valid():
        try:
            post = services.post_create(
                thread=thread,
                organization=form.chosen_organization(),
                body=form.cleaned_data["body"],
                actor=request.user,
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            return redirect(post)
    return _thread_page(request, thread, reply_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk: int):
    post = selectors.post_get_for_user(pk=pk, user=request.user, for_edit=True)
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(post=post, body=form.cleaned_data["body"], actor=request.user)
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your post is updated."))
            return redirect(post)
    return render(request, "forum/post_edit.html", {"post": post, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def post_report(request, pk: int):
    post = selectors.post_get_for_user(pk=pk, user=request.user)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(post=post, reason=form.cleaned_data["reason"], actor=request.user)
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Thank you. The Secretariat will review the post you reported.")
            )
            return redirect(post)
    return render(request, "forum/post_report.html", {"post": post, "form": form})
