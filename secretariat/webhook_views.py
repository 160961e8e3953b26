"""The account pages of webhooks, at /accounts/webhooks/: the person's hooks, registering one
(its secret shown once), changing, disabling, enabling, rotating the secret, the test event,
deleting, and each hook's deliveries with the receiver's answers. Plain forms: no JavaScript.

A page that shows a secret says `no-store`, so no cache keeps it; the others say `private`.
"""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from coalition.forms import add_domain_error
from secretariat import webhook_services, webhooks
from secretariat.models import WEBHOOK_SUBSCRIPTION_CHOICES, WebhookDelivery
from secretariat.webhooks import WebhookError

DELIVERIES_PER_PAGE = 25


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address (URL)"),
        max_length=500,
        help_text=gettext_lazy(
            "The registry sends each event there in a POST request. Use https; the address "
            "must be reachable from the internet."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WEBHOOK_SUBSCRIPTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("To tell your webhooks apart, for example “Reporting tool”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _render(request, template: str, context: dict, *, secret: bool = False):
    response = render(request, template, context)
    if secret:
        add_never_cache_headers(response)
    else:
        response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET"])
def webhook_list(request):
    hooks = webhook_services.webhook_list_for_user(user=request.user)
    return _render(
        request,
        "account/webhooks/list.html",
        {"hooks": hooks, "max_hooks": webhook_services.MAX_WEBHOOKS_PER_USER},
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_create(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = webhook_services.webhook_create(owner=request.user, **form.cleaned_data)
        except WebhookError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: the secret is in this response only.
            return _detail(request, hook, new_secret=True)
    return _render(request, "account/webhooks/form.html", {"form": form, "hook": None})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, pk: int):
    hook = webhook_services.webhook_get_for_user(pk=pk, user=request.user)
    initial = {
        "url": hook.url,
        "events": hook.events,
        "name": hook.name,
        "description": hook.description,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_services.webhook_update(hook=hook, actor=request.user, **form.cleaned_data)
        except WebhookError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("webhooks:detail", pk=hook.pk)
    return _render(request, "account/webhooks/form.html", {"form": form, "hook": hook})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request, pk: int):
    hook = webhook_services.webhook_get_for_user(pk=pk, user=request.user)
    if request.method == "POST":
        webhook_services.webhook_delete(hook=hook, actor=request.user)
        messages.success(request, _("The webhook “%(name)s” was deleted.") % {"name": hook})
        return redirect("webhooks:list")
    return _render(request, "account/webhooks/delete.html", {"hook": hook})


# What each button of a hook's page does, and what it then says.
ACTIONS = {
    "disable": (webhook_services.webhook_disable, gettext_lazy("The webhook is disabled.")),
    "enable": (webhook_services.webhook_enable, gettext_lazy("The webhook is enabled.")),
    "ping": (
        webhook_services.webhook_ping,
        gettext_lazy("The test event is on its way: its delivery is listed below."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request, pk: int):
    hook = webhook_services.webhook_get_for_user(pk=pk, user=request.user)
    if request.method == "GET":
        return _detail(request, hook)
    action = request.POST.get("action", "")
    try:
        if action == "rotate":
            hook = webhook_services.webhook_rotate_secret(hook=hook, actor=request.user)
            return _detail(request, hook, new_secret=True)
        if action == "retry":
            delivery = (
                webhook_services.webhook_deliveries(hook=hook)
                .filter(uuid=_uuid(request.POST.get("delivery")))
                .first()
            )
            if delivery is not None:
                webhook_services.webhook_delivery_retry(delivery=delivery, actor=request.user)
                messages.success(request, _("The delivery will be sent again."))
        elif action in ACTIONS:
            service, message = ACTIONS[action]
            service(hook=hook, actor=request.user)
            messages.success(request, message)
    except WebhookError as error:
        messages.error(request, error.message)
    return redirect("webhooks:detail", pk=hook.pk)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _detail(request, hook, *, new_secret: bool = False):
    deliveries = webhook_services.webhook_deliveries(hook=hook).prefetch_related("attempt_log")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "account/webhooks/detail.html",
        {
            "hook": hook,
            "page": page,
            "new_secret": new_secret,
            "Status": WebhookDelivery.Status,
            "disable_after": webhooks.DISABLE_AFTER_FAILURES,
            "signature_header": webhooks.SIGNATURE_HEADER,
        },
        secret=new_secret,
    )
