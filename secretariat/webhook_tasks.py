"""The tasks of the webhooks: send one delivery (queued when its event commits), the sweep of
due retries (beat, every minute), and the email to the owner of a hook that was disabled.

Retries are never Celery countdowns: a failed delivery gets its `next_attempt_at` and the sweep
finds it then (a countdown longer than the broker's visibility timeout would run twice). Every
task can run twice: a delivery is claimed before it is sent, and the email is keyed.
"""

from datetime import datetime

from celery import shared_task
from django.urls import reverse
from django.utils import timezone, translation

from coalition.emails import absolute_url, send_templated_email
from partners.tasks import TASK_OPTIONS
from secretariat import webhook_services, webhooks
from secretariat.models import NotificationKind, Webhook
from secretariat.tasks import SWEEP_OPTIONS

# An HTTP attempt lasts at most webhooks.TIMEOUT_SECONDS (10 s) per read; no retry here: the
# delivery's own schedule does that.
SEND_OPTIONS = {"acks_late": True, "soft_time_limit": 60, "time_limit": 90}


@shared_task(name="secretariat.send_webhook_delivery", **SEND_OPTIONS)
def send_webhook_delivery(delivery_id: int) -> str:
    return webhook_services.webhook_delivery_send(delivery_id=delivery_id).status


@shared_task(name="secretariat.webhook_sweep", **SWEEP_OPTIONS)
def webhook_sweep() -> int:
    """Hands out the deliveries whose attempt is due: retries, and new ones whose task was
    lost. A delivery handed out twice is sent once (the claim)."""
    ids = webhook_services.webhook_due_delivery_ids(now=timezone.now())
    for delivery_id in ids:
        send_webhook_delivery.delay(delivery_id)
    return len(ids)


@shared_task(name="secretariat.send_webhook_disabled_email", **TASK_OPTIONS)
def send_webhook_disabled_email(hook_id: int, disabled_at: str) -> None:
    """Tells the owner that their hook was disabled after repeated failures. Keyed by the time
    it was disabled: a retried task sends nothing more, a later disabling is news."""
    hook = Webhook.objects.select_related("owner").filter(pk=hook_id).first()
    if hook is None or hook.active or not hook.owner.is_active:
        return  # deleted, or enabled again meanwhile: nothing to say
    owner = hook.owner
    with translation.override(owner.language):
        hook_url = absolute_url(reverse("webhooks:detail", kwargs={"pk": hook.pk}))
    send_templated_email(
        kind=NotificationKind.WEBHOOK_DISABLED,
        to=owner.email,
        language=owner.language,
        template="secretariat/webhook_disabled",
        context={
            "hook": hook,
            "failures": webhooks.DISABLE_AFTER_FAILURES,
            "hook_url": hook_url,
        },
        recipient=owner,
        about=hook,
        period=datetime.fromisoformat(disabled_at).isoformat(),
    )
