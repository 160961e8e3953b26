"""API tokens: their services (create, revoke, authenticate) and the account page that manages
them at /accounts/tokens/.

A key is shown once, in the response to the request that created it, and never stored: the
database keeps its SHA-256 and its first characters. The page's response then says `no-store`,
so no cache keeps the key either.
"""

import hashlib
import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from coalition.errors import ApplicationError
from coalition.forms import add_domain_error
from coalition.models import ApiToken, User

# "crk_" (Coalition Registry key) makes a leaked key recognisable to secret scanners and people.
KEY_PREFIX = "crk_"
VISIBLE_PREFIX_LENGTH = 8
# The time of last use is written at most this often, so an API client's every request is not
# also a write.
LAST_USED_PRECISION = timedelta(minutes=5)
MAX_LIVE_TOKENS = 20


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-id")


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Creates a named token and returns it with its key, which nobody can see again."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the token a name."), field="name")
    if not user.is_active:
        raise ApplicationError(_("This account is disabled."))
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if len(live) >= MAX_LIVE_TOKENS:
        raise ApplicationError(
            _("You have %(count)d active tokens: revoke one you no longer use first.")
            % {"count": MAX_LIVE_TOKENS}
        )
    if any(token.name.lower() == name.lower() for token in live):
        raise ApplicationError(
            _("You already have an active token named %(name)s.") % {"name": name}, field="name"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        user=user, name=name, prefix=key[:VISIBLE_PREFIX_LENGTH], key_hash=hash_key(key)
    )
    try:
        with transaction.atomic():
            token.save()
    except IntegrityError:
        raise ApplicationError(
            _("You already have an active token named %(name)s.") % {"name": name}, field="name"
        ) from None
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revokes a token for good; only its owner (or the Secretariat) does this."""
    if token.user_id != actor.pk and not actor.is_secretariat:
        raise ApplicationError(_("This token is not yours."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The live token with this key, its user loaded, or None. Records when it was last used."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        # Conditional, so that concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the new token"),
        max_length=100,
        help_text=gettext_lazy(
            "Say where it will be used, for example “Reporting tool” or “Research dashboard”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """Lists the person's tokens; creates one (showing its key once) or revokes one."""
    form = ApiTokenForm(request.POST if "create" in request.POST else None)
    new_key = None
    new_token = None
    if request.method == "POST" and "revoke" in request.POST:
        token = api_token_list(user=request.user).filter(pk=_int(request.POST["revoke"])).first()
        if token is not None:
            api_token_revoke(token=token, actor=request.user)
            messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("account_tokens")
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "account/tokens.html",
        {
            "form": form,
            "tokens": api_token_list(user=request.user),
            "new_key": new_key,
            "new_token": new_token,
        },
    )
    add_never_cache_headers(response)
    return response


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
