"""Account rules on top of django-allauth."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


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
