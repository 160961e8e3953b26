from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coalition.errors import ApplicationError
from coalition.forms import add_domain_error
from secretariat import selectors, services
from secretariat.filters import GoodPracticeFilter
from secretariat.forms import AttachmentForm, GoodPracticeForm, PreferencesForm
from secretariat.models import UNSUBSCRIBE_ALL, UNSUBSCRIBE_PHRASES


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    preference = selectors.preference_get(user=request.user)
    form = PreferencesForm(request.POST or None, instance=preference, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(user=request.user, **form.service_data())
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notifications:preferences")
    return render(request, "secretariat/preferences.html", {"form": form})


def _masked(email: str) -> str:
    # The page may be reached from a forwarded email: show enough to recognise the address.
    local, _at, domain = email.partition("@")
    return f"{local[:2]}…@{domain}" if len(local) > 2 else f"{local[:1]}…@{domain}"


# One-click unsubscribe (RFC 8058): mail clients POST to the List-Unsubscribe address with no
# CSRF token and no session. The signed token in the address is what authorises the change, so
# the CSRF check adds nothing here; the page's own button posts to the same address.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    target = selectors.unsubscribe_target(token=token)
    if target is None:
        return render(request, "secretariat/unsubscribe_invalid.html", status=404)
    user, kind = target
    context = {
        "kind": kind,
        "everything": kind == UNSUBSCRIBE_ALL,
        "what": UNSUBSCRIBE_PHRASES[kind],
        "address": _masked(user.email),
    }
    if request.method == "POST":
        services.preference_unsubscribe(user=user, kind=kind)
        return render(request, "secretariat/unsubscribed.html", context)
    return render(request, "secretariat/unsubscribe.html", context)


# --- The good-practice repository ------------------------------------------------------------

GOOD_PRACTICES_PAGE_SIZE = 20


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _members_only(request):
    """Signed in, but not a member of an approved partner: say why, with a way forward."""
    return render(request, "secretariat/good_practices/members_only.html", status=403)


@require_safe
def good_practice_list(request):
    filterset = GoodPracticeFilter(request.GET, queryset=selectors.good_practice_list_public())
    page = Paginator(filterset.qs, GOOD_PRACTICES_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "secretariat/good_practices/list.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "query": _query_without_page(request)},
    )


@require_safe
def good_practice_detail(request, pk: int):
    practice = selectors.good_practice_get_for_user(pk=pk, user=request.user)
    return render(request, "secretariat/good_practices/detail.html", {"practice": practice})


@require_safe
def good_practice_attachment(request, pk: int, file_pk: int):
    practice = selectors.good_practice_get_for_user(pk=pk, user=request.user)
    attachment = selectors.good_practice_attachment_for_user(practice=practice, file_pk=file_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


@login_required
@require_safe
def good_practice_mine(request):
    practices = selectors.good_practice_list_for_member(user=request.user)
    can_share = selectors.good_practice_organizations(user=request.user).exists()
    return render(
        request,
        "secretariat/good_practices/mine.html",
        {"practices": practices, "can_share": can_share},
    )


def _form_choices(user, practice=None) -> dict:
    # A new practice may come from any of the person's partners; an existing one stays with its
    # organization, whose commitments alone it may link to.
    organizations = selectors.good_practice_organizations(user=user)
    organization_ids = [practice.organization_id] if practice else organizations.values("pk")
    return {
        "organizations": organizations,
        "commitments": selectors.linkable_commitments(organization_ids=organization_ids),
    }


@login_required
@require_http_methods(["GET", "POST"])
def good_practice_create(request):
    choices = _form_choices(request.user)
    if not choices["organizations"].exists():
        return _members_only(request)
    form = GoodPracticeForm(request.POST or None, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.good_practice_create(
                organization=form.cleaned_data["organization"],
                actor=request.user,
                **form.service_data(),
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Your draft is saved. Attach files if you wish, then submit it for review."),
            )
            return redirect("good_practices:edit", pk=practice.pk)
    return render(request, "secretariat/good_practices/form.html", {"form": form})


def _edit_page(request, practice, *, form=None, attachment_form=None, status=200):
    if form is None:
        form = GoodPracticeForm(instance=practice, **_form_choices(request.user, practice))
    return render(
        request,
        "secretariat/good_practices/form.html",
        {
            "practice": practice,
            "form": form,
            "attachment_form": attachment_form or AttachmentForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def good_practice_edit(request, pk: int):
    practice = selectors.good_practice_get_for_user(pk=pk, user=request.user, for_edit=True)
    if request.method == "GET":
        return _edit_page(request, practice)
    form = GoodPracticeForm(
        request.POST, instance=practice, **_form_choices(request.user, practice)
    )
    if form.is_valid():
        try:
            services.good_practice_update(
                practice=practice, actor=request.user, **form.service_data()
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("good_practices:edit", pk=practice.pk)
    return _edit_page(request, practice, form=form, status=400)


@login_required
@require_POST
def good_practice_attachment_add(request, pk: int):
    practice = selectors.good_practice_get_for_user(pk=pk, user=request.user, for_edit=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.good_practice_attachment_add(
                practice=practice, upload=form.cleaned_data["file"], actor=request.user
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The file is attached."))
            return redirect("good_practices:edit", pk=practice.pk)
    return _edit_page(request, practice, attachment_form=form, status=400)


@login_required
@require_POST
def good_practice_attachment_delete(request, pk: int, file_pk: int):
    practice = selectors.good_practice_get_for_user(pk=pk, user=request.user, for_edit=True)
    attachment = selectors.good_practice_attachment_for_user(practice=practice, file_pk=file_pk)
    try:
        services.good_practice_attachment_delete(attachment=attachment, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The file is removed."))
    return redirect("good_practices:edit", pk=practice.pk)


@login_required
@require_POST
def good_practice_submit(request, pk: int):
    practice = selectors.good_practice_get_for_user(pk=pk, user=request.user, for_edit=True)
    try:
        services.good_practice_submit(practice=practice, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("good_practices:edit", pk=practice.pk)
    messages.success(
        request, _("Submitted. The Secretariat will review it and tell you its decision by email.")
    )
    return redirect("good_practices:detail", pk=practice.pk)


# --- The Coordinating Group -------------------------------------------------------------------


@require_safe
def coordinating_group(request):
    return render(
        request,
        "secretariat/coordinating_group.html",
        {
            "current": selectors.coordinating_group_current(),
            "past": selectors.coordinating_group_past(),
            "is_member": selectors.is_coordinating_group_member(user=request.user),
        },
    )


@login_required
@require_safe
def coordinating_group_area(request):
    if not selectors.is_coordinating_group_member(user=request.user):
        raise PermissionDenied
    return render(
        request,
        "secretariat/coordinating_group_area.html",
        {"members": selectors.coordinating_group_area_members()},
    )


# --- Announcements ----------------------------------------------------------------------------

ANNOUNCEMENTS_PAGE_SIZE = 20


@require_safe
def announcement_list(request):
    announcements = selectors.announcement_list_public(language=get_language() or "en")
    page = Paginator(announcements, ANNOUNCEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "secretariat/announcements.html", {"page": page, "query": ""})


@require_safe
def announcement_detail(request, pk: int):
    announcement = selectors.announcement_get_for_user(pk=pk, user=request.user)
    return render(request, "secretariat/announcement.html", {"announcement": announcement})


# --- The moderation desk ----------------------------------------------------------------------


@login_required
@require_safe
def desk(request):
    if not request.user.is_secretariat:
        raise PermissionDenied
    today = timezone.now().date()
    rows = [
        {
            "item": item,
            "working_days": item.working_days(today),
            "admin_url": selectors.admin_url_of(item.obj),
        }
        for item in selectors.waiting_for_review()
    ]
    return render(request, "secretariat/desk.html", {"rows": rows})
