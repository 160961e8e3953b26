from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coalition.errors import ApplicationError
from coalition.forms import add_domain_error
from partners import selectors, services
from partners.filters import OrganizationFilter
from partners.forms import (
    ApplicationForm,
    InvitationForm,
    MembershipRoleForm,
    OrganizationProfileForm,
)
from partners.models import Invitation, Membership


def directory(request):
    filterset = OrganizationFilter(request.GET, queryset=selectors.organization_list_public())
    page = Paginator(filterset.qs, settings.DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "partners/directory.html#results" if request.htmx else "partners/directory.html"
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def profile(request, pk: int):
    organization = selectors.organization_get_for_user(pk=pk, user=request.user)
    role = selectors.membership_role(user=request.user, organization=organization)
    return render(request, "partners/profile.html", {"organization": organization, "role": role})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.organization_apply(
                applicant=request.user,
                endorsed=form.cleaned_data["endorsed"],
                motivation=form.cleaned_data["motivation"],
                **form.profile_data(),
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The application of %(name)s is with the Secretariat; you will "
                    "receive its decision by email."
                )
                % {"name": application.organization.name},
            )
            return redirect("partners:workspace")
    return render(request, "partners/apply.html", {"form": form})


@login_required
def workspace(request):
    memberships = selectors.user_memberships(user=request.user)
    return render(request, "partners/workspace.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, pk: int):
    organization = selectors.organization_get_for_user(pk=pk, user=request.user, for_edit=True)
    form = OrganizationProfileForm(
        request.POST or None, request.FILES or None, instance=organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                organization=organization, actor=request.user, **form.profile_data()
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("partners:workspace")
    return render(
        request, "partners/organization_edit.html", {"form": form, "organization": organization}
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request, pk: int):
    organization = selectors.organization_get_for_user(pk=pk, user=request.user, for_edit=True)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=organization, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("partners:members", pk=organization.pk)
    return render(
        request,
        "partners/members.html",
        {
            "organization": organization,
            "memberships": selectors.organization_members(organization=organization),
            "invitations": organization.invitations.filter(accepted_at__isnull=True),
            "form": form,
            "roles": Membership.Role.choices,
        },
    )


@login_required
@require_POST
def membership_change(request, pk: int, membership_pk: int):
    """Changes a member's role, or removes the member (`remove` in the form)."""
    organization = selectors.organization_get_for_user(pk=pk, user=request.user, for_edit=True)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organization=organization, pk=membership_pk
    )
    try:
        if "remove" in request.POST:
            services.membership_remove(membership=membership, actor=request.user)
            messages.success(request, _("%(person)s was removed.") % {"person": membership.user})
            if membership.user_id == request.user.pk:
                return redirect("partners:workspace")
        else:
            form = MembershipRoleForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Choose a valid role."))
            services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
            messages.success(
                request, _("The role of %(person)s is changed.") % {"person": membership.user}
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("partners:members", pk=organization.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = get_object_or_404(
        Invitation.objects.select_related("organization", "invited_by"), token=token
    )
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Welcome to %(name)s.") % {"name": invitation.organization.name},
            )
            return redirect("partners:workspace")
    return render(request, "partners/invitation_accept.html", {"invitation": invitation})
