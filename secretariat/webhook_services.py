"""Webhooks: registering them, recording a delivery per hook when a public event happens, and
sending deliveries (the account page, the API, the admin and the tasks call these).

Deliveries use the outbox of emails (secretariat.services): a row per delivery, written in the
transaction of the event, with the body it will send; a task sends it after the commit, claiming
the row with SELECT ... FOR UPDATE SKIP LOCKED, and a sweep every minute sends those whose
retry is due. A failed attempt waits by the backoff of secretariat.webhooks; a hook whose
attempts failed DISABLE_AFTER_FAILURES times in a row is disabled and its owner emailed once.
The pure parts (signature, address checks, one HTTP attempt, the policy) are in
secretariat.webhooks.
"""

import logging
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.api import dumps
from coalition.emails import absolute_url
from coalition.history import record_change
from coalition.models import User
from commitments.models import Commitment, ProgressUpdate
from partners.models import Organization
from secretariat import webhooks
from secretariat.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from secretariat.webhooks import WebhookError

logger = logging.getLogger(__name__)

MAX_WEBHOOKS_PER_USER = 10
# "whsec_" makes a leaked secret recognisable, as "crk_" does for API keys.
SECRET_PREFIX = "whsec_"
# The sweep hands out at most this many due deliveries a minute; the rest wait a minute more.
SWEEP_BATCH = 1000
DISABLED_BY_FAILURES = "failures"
DISABLED_MANUALLY = "manual"  # by its owner, or by the Secretariat in the admin


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# Reads --------------------------------------------------------------------------------------------


def webhook_list_for_user(*, user: User) -> QuerySet[Webhook]:
    return Webhook.objects.filter(owner=user).order_by("-created_at", "-pk")


def webhook_get_for_user(*, pk: int, user: User) -> Webhook:
    """A hook is its owner's alone: anyone else (the Secretariat included, which has the admin)
    gets 404, as for an address that does not exist."""
    hook = webhook_list_for_user(user=user).filter(pk=pk).first()
    if hook is None:
        raise Http404
    return hook


def webhook_deliveries(*, hook: Webhook) -> QuerySet[WebhookDelivery]:
    return hook.deliveries.order_by("-created_at", "-pk")


def webhook_due_delivery_ids(*, now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        WebhookDelivery.objects.due(now=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# Registration ------------------------------------------------------------------------------------


def _clean_events(events) -> list[str]:
    if isinstance(events, str) or not isinstance(events, list | tuple | set | frozenset):
        raise WebhookError(_("Give the events as a list."), field="events")
    chosen = {str(event) for event in events}
    if not chosen:
        raise WebhookError(_("Choose at least one event."), field="events")
    unknown = sorted(chosen - set(webhooks.EVENTS))
    if unknown:
        raise WebhookError(
            _("Unknown event: %(events)s. The events are: %(choices)s.")
            % {"events": ", ".join(unknown), "choices": ", ".join(webhooks.EVENTS)},
            field="events",
        )
    return [event for event in webhooks.EVENTS if event in chosen]


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise WebhookError(_("Give the address to call."), field="url")
    if len(url) > Webhook._meta.get_field("url").max_length:
        raise WebhookError(_("This address is too long."), field="url")
    webhooks.check_url(url)
    return url


def _check_owner(hook: Webhook, actor: User) -> None:
    if hook.owner_id != actor.pk and not actor.is_secretariat:
        raise WebhookError(_("This webhook is not yours."))


@transaction.atomic
def webhook_create(
    *, owner: User, url: str, events, name: str = "", description: str = ""
) -> Webhook:
    """Registers a hook, active, with a new secret (the caller shows it once)."""
    if not owner.is_active:
        raise WebhookError(_("This account is disabled."))
    # Locks the owner's row, so that two requests at once can't both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).exists()
    if Webhook.objects.filter(owner=owner).count() >= MAX_WEBHOOKS_PER_USER:
        raise WebhookError(
            _("You have %(count)d webhooks, the most one account may have: delete one first.")
            % {"count": MAX_WEBHOOKS_PER_USER}
        )
    hook = Webhook(
        owner=owner,
        name=name.strip(),
        description=description.strip(),
        url=_clean_url(url),
        events=_clean_events(events),
        secret=_new_secret(),
    )
    record_change(hook, actor=owner, reason="Registered")
    hook.save()
    return hook


@transaction.atomic
def webhook_update(*, hook: Webhook, actor: User, **changes) -> Webhook:
    """Changes a hook's name, description, address or events (each checked as on creation)."""
    _check_owner(hook, actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    if "url" in changes:
        hook.url = _clean_url(changes["url"])
    if "events" in changes:
        hook.events = _clean_events(changes["events"])
    if "name" in changes:
        hook.name = (changes["name"] or "").strip()
    if "description" in changes:
        hook.description = (changes["description"] or "").strip()
    record_change(hook, actor=actor, reason="Changed")
    hook.save()
    return hook


@transaction.atomic
def webhook_rotate_secret(*, hook: Webhook, actor: User) -> Webhook:
    """A new secret signs every delivery from now on, retries of older ones included; the
    caller shows it once."""
    _check_owner(hook, actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    hook.secret = _new_secret()
    record_change(hook, actor=actor, reason="Secret rotated")
    hook.save()
    return hook


def _disable(hook: Webhook, *, actor: User | None, reason: str, now: datetime) -> None:
    """Disables a locked hook and gives up its pending deliveries: a receiver that comes back
    gets the events that happen from then on, not a burst of stale ones."""
    hook.active = False
    hook.disabled_at = now
    hook.disabled_reason = reason
    record_change(hook, actor=actor, reason=f"Disabled ({reason})")
    hook.save()
    hook.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED,
        next_attempt_at=None,
        last_error="The webhook was disabled.",
    )


@transaction.atomic
def webhook_disable(*, hook: Webhook, actor: User) -> Webhook:
    _check_owner(hook, actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    if hook.active:
        _disable(hook, actor=actor, reason=DISABLED_MANUALLY, now=timezone.now())
    return hook


@transaction.atomic
def webhook_enable(*, hook: Webhook, actor: User) -> Webhook:
    """Turns a hook back on, its count of failures at zero; its address is checked again."""
    _check_owner(hook, actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    if not hook.active:
        webhooks.check_url(hook.url)
        hook.active = True
        hook.disabled_at = None
        hook.disabled_reason = ""
        hook.consecutive_failures = 0
        record_change(hook, actor=actor, reason="Enabled")
        hook.save()
    return hook


@transaction.atomic
def webhook_delete(*, hook: Webhook, actor: User) -> None:
    """Deletes a hook and its log of deliveries."""
    _check_owner(hook, actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    record_change(hook, actor=actor, reason="Deleted")
    hook.delete()


# Events ------------------------------------------------------------------------------------------


class _SiteRequest:
    """What the API's representers ask of a request: absolute addresses, here on SITE_URL (a
    delivery has no request of its own)."""

    def build_absolute_uri(self, location: str) -> str:
        return absolute_url(location)


def event_data(obj) -> bytes:
    """The object as the API shows it to an anonymous client, as JSON: webhooks carry only
    public data."""
    from commitments.api import serializers as commitment_api
    from partners.api import serializers as partner_api

    request = _SiteRequest()
    if isinstance(obj, Organization):
        row = partner_api.project(Organization.objects.filter(pk=obj.pk)).get()
        data = partner_api.Representer(request)(row)
    elif isinstance(obj, Commitment):
        row = commitment_api.project_commitments(Commitment.objects.filter(pk=obj.pk)).get()
        data = commitment_api.CommitmentRepresenter(
            request, editable_orgs=frozenset(), secretariat=False
        )(row)
    elif isinstance(obj, ProgressUpdate):
        row = commitment_api.project_progress(ProgressUpdate.objects.filter(pk=obj.pk)).get()
        data = commitment_api.ProgressRepresenter(
            request, commitment_pk=obj.commitment_id, entitled=False
        )(row)
    elif isinstance(obj, Webhook):  # the test event
        data = {"webhook": {"id": obj.pk, "name": obj.name, "url": obj.url}}
    else:
        raise TypeError(f"No webhook representation for {type(obj).__name__}.")
    return dumps(data)


def _body(*, delivery_uuid: uuid.UUID, event: str, created_at: datetime, data: bytes) -> str:
    return dumps(
        {
            "id": str(delivery_uuid),
            "event": event,
            "created_at": created_at,
            "data": orjson.Fragment(data),
        }
    ).decode()


def _subscribed(event: str) -> list[Webhook]:
    # A disabled account's hooks fall silent with it (and resume if it is reactivated).
    hooks = Webhook.objects.active().filter(owner__is_active=True).subscribed_to(event)
    return list(hooks.only("pk"))  # a delivery needs the hook's id alone


def _record(hooks: Sequence[Webhook], event: str, data: bytes) -> list[WebhookDelivery]:
    from secretariat.webhook_tasks import send_webhook_delivery

    now = timezone.now()
    rows = []
    for hook in hooks:
        delivery_uuid = uuid.uuid4()
        rows.append(
            WebhookDelivery(
                hook=hook,
                event=event,
                uuid=delivery_uuid,
                body=_body(delivery_uuid=delivery_uuid, event=event, created_at=now, data=data),
                next_attempt_at=now,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    for row in rows:
        send_webhook_delivery.delay_on_commit(row.pk)
    return rows


def webhook_emit(event: str, obj) -> list[WebhookDelivery]:
    """Records a delivery of `event` about `obj` for every active hook subscribed to it, in the
    caller's transaction, and sends each after the commit. The object is represented once, as
    it is now: a later change does not alter what this event said."""
    if event not in webhooks.EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    hooks = _subscribed(event)
    if not hooks:
        return []
    return _record(hooks, event, event_data(obj))


@transaction.atomic
def webhook_ping(*, hook: Webhook, actor: User) -> WebhookDelivery:
    """Sends the test event to a hook, so that its owner sees what the receiver answers."""
    _check_owner(hook, actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    if not hook.active:
        raise WebhookError(_("This webhook is disabled: enable it first."))
    (delivery,) = _record([hook], WebhookEvent.PING, event_data(hook))
    return delivery


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Puts a failed delivery back in the queue with a fresh series of attempts (its owner or
    the Secretariat); the same body goes out, with the same id."""
    from secretariat.webhook_tasks import send_webhook_delivery

    delivery = (
        WebhookDelivery.objects.select_for_update().select_related("hook").get(pk=delivery.pk)
    )
    _check_owner(delivery.hook, actor)
    if delivery.status != WebhookDelivery.Status.FAILED:
        raise WebhookError(_("Only a failed delivery can be sent again."))
    if not delivery.hook.active:
        raise WebhookError(_("This webhook is disabled: enable it first."))
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    send_webhook_delivery.delay_on_commit(delivery.pk)
    return delivery


# Sending -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "succeeded", "retry", "failed" or "skipped"


def _note_failure(hook_id: int, now: datetime) -> bool:
    """Counts a failed attempt against the hook; disables it at the threshold. True when this
    attempt disabled it (the caller emails the owner, once)."""
    Webhook.objects.filter(pk=hook_id).update(consecutive_failures=F("consecutive_failures") + 1)
    hook = Webhook.objects.select_for_update().get(pk=hook_id)
    if hook.active and webhooks.should_disable(hook.consecutive_failures):
        _disable(hook, actor=None, reason=DISABLED_BY_FAILURES, now=now)
        return True
    return False


def webhook_delivery_send(*, delivery_id: int) -> SendOutcome:
    """Makes one attempt at a delivery that is pending and due, and records it. Safe to call
    twice or from two workers: a delivery being sent is skipped by the other (SKIP LOCKED), a
    delivered or not yet due one is left alone."""
    from secretariat.webhook_tasks import send_webhook_disabled_email

    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("hook")
            .filter(
                pk=delivery_id,
                status=WebhookDelivery.Status.PENDING,
                next_attempt_at__lte=timezone.now(),
            )
            .first()
        )
        if delivery is None:
            return SendOutcome("skipped")
        hook = delivery.hook
        if not hook.active:  # disabled between the claim and now
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = "The webhook was disabled."
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return SendOutcome("failed")
        started = time.monotonic()
        attempt = webhooks.send(
            url=hook.url,
            secret=hook.secret,
            event=delivery.event,
            delivery_id=str(delivery.uuid),
            body=delivery.body.encode(),
        )
        now = timezone.now()
        error = attempt.error[:300]
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
            ok=attempt.ok,
            response_status=attempt.status_code,
            response_excerpt=attempt.response,
            error=error,
        )
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = attempt.status_code
        delivery.response_excerpt = attempt.response
        delivery.last_error = error
        if attempt.ok:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            Webhook.objects.filter(pk=hook.pk).exclude(consecutive_failures=0).update(
                consecutive_failures=0
            )
            outcome = "succeeded"
        else:
            delivery.next_attempt_at = webhooks.next_attempt_at(delivery.attempts, now)
            if delivery.next_attempt_at is None:
                delivery.status = WebhookDelivery.Status.FAILED
            if _note_failure(hook.pk, now):
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
                send_webhook_disabled_email.delay_on_commit(hook.pk, now.isoformat())
            outcome = "failed" if delivery.status == WebhookDelivery.Status.FAILED else "retry"
            logger.info(
                "Webhook delivery %s to hook %s failed (%s): %s",
                delivery.pk,
                hook.pk,
                attempt.status_code,
                attempt.error,
            )
        delivery.save(
            update_fields=[
                "status",
                "attempts",
                "last_attempt_at",
                "next_attempt_at",
                "delivered_at",
                "response_status",
                "response_excerpt",
                "last_error",
            ]
        )
        return SendOutcome(outcome)
