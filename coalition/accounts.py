"""Account rules on top of django-allauth, and the "My account" page."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coalition.account_forms import ProfileForm
from coalition.models import User


class RequireStaffTwoFactorMiddleware:
    """Sends staff without two-factor authentication to set it up before they use the admin.

    Applies only where REQUIRE_STAFF_TWO_FACTOR is on (production); the demo leaves it off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.REQUIRE_STAFF_TWO_FACTOR
            and request.path.startswith(reverse("admin:index"))
            and request.user.is_authenticated
            and request.user.is_staff
            and not is_mfa_enabled(request.user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def user_profile_update(*, user: User, full_name: str, language: str) -> User:
    """Changes a person's name and preferred language; only the person themself does this."""
    with transaction.atomic():
        user.full_name = full_name
        user.language = language
        user.save(update_fields=["full_name", "language"])
    return user


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_update(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your account details were saved."))
        return redirect("account_profile")
    return render(
        request,
        "account/profile.html",
        {"form": form, "two_factor_enabled": is_mfa_enabled(request.user)},
    )
