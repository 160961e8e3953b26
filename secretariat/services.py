"""Every write of the notifications: the delivery log (outbox), preferences and unsubscribing, and
the steps of the jobs that record emails. Tasks, views, the admin and `run_job` call these.

Sending is at least once, made exactly once by the log: an email is a row with a unique key
(kind, recipient, subject object, period), rendered when it is recorded; a sender claims the row
with SELECT ... FOR UPDATE SKIP LOCKED, sends, and marks it sent in the same transaction. A worker
killed before that commit leaves the row queued for the next attempt; a duplicate is possible
only if it died between the mail server's acceptance and the commit, and it then carries the
same Message-ID.
"""

import dataclasses
import logging
import smtplib
from collections.abc import Iterable, Sequence
from datetime import date
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalition.emails import OutgoingEmail, absolute_url, render_email
from coalition.errors import ApplicationError
from coalition.history import record_change
from coalition.models import User
from commitments.evidence import check_evidence_file
from commitments.models import Commitment
from partners.models import Membership, Organization
from secretariat import notifications, selectors
from secretariat.models import (
    PREFERENCE_FIELD_OF_KIND,
    UNSUBSCRIBE_ALL,
    UNSUBSCRIBE_PHRASES,
    DigestFrequency,
    EmailDelivery,
    GoodPractice,
    GoodPracticeAttachment,
    NotificationKind,
    NotificationPreference,
)
from secretariat.search import refresh_search_vector

logger = logging.getLogger(__name__)

# A message that failed this many times for a passing reason is given up (the admin re-sends it).
MAX_ATTEMPTS = 5
# Kinds written by the registry on its own initiative: they say so to auto-responders (RFC 3834).
AUTOMATED_KINDS = {*PREFERENCE_FIELD_OF_KIND, NotificationKind.DIGEST}


class TransientMailError(OSError):
    """The mail server could not take a message now: the task retries later, with backoff.
    An OSError, so that the tasks of the other apps, which retry on OSError, retry on it too."""


# --- Recording emails -------------------------------------------------------------------------


def _object_key(obj) -> tuple[str, int]:
    return (obj._meta.label_lower, obj.pk) if obj is not None else ("", 0)


def _email_key(email: OutgoingEmail) -> tuple:
    who = ("user", email.recipient.pk) if email.recipient is not None else ("to", email.to.lower())
    return (email.kind, who, *_object_key(email.about), email.period)


def _row_key(row: EmailDelivery) -> tuple:
    who = ("user", row.recipient_id) if row.recipient_id else ("to", row.to_email.lower())
    return (row.kind, who, row.object_type, row.object_id, row.period)


def _rows_with_keys(keys: Iterable[tuple]) -> dict[tuple, EmailDelivery]:
    """The rows already recorded under these keys (one query)."""
    keys = set(keys)
    if not keys:
        return {}
    user_ids = {key[1][1] for key in keys if key[1][0] == "user"}
    addresses = {key[1][1] for key in keys if key[1][0] == "to"}
    rows = (
        EmailDelivery.objects.filter(
            kind__in={key[0] for key in keys}, period__in={key[4] for key in keys}
        )
        .alias(to_lower=Lower("to_email"))
        .filter(Q(recipient_id__in=user_ids) | Q(recipient__isnull=True, to_lower__in=addresses))
        .only("kind", "recipient_id", "to_email", "object_type", "object_id", "period", "status")
    )
    found = {}
    for row in rows:
        key = _row_key(row)
        if key in keys:
            found[key] = row
    return found


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _unsubscribe_kind(kind: str) -> str:
    # An email that can't be turned off on its own (an answer to an application) still offers
    # to stop every reminder and digest.
    return kind if kind in selectors.unsubscribe_kinds() else UNSUBSCRIBE_ALL


def _new_row(email: OutgoingEmail) -> EmailDelivery:
    language = email.language if email.language in dict(settings.LANGUAGES) else "en"
    links = {}
    if email.recipient is not None:
        unsubscribe_kind = _unsubscribe_kind(email.kind)
        token = selectors.unsubscribe_token(user=email.recipient, kind=unsubscribe_kind)
        with translation.override(language):
            links = {
                "unsubscribe_url": absolute_url(
                    reverse("notifications:unsubscribe", kwargs={"token": token})
                ),
                "preferences_url": absolute_url(reverse("notifications:preferences")),
                "unsubscribe_label": str(UNSUBSCRIBE_PHRASES[unsubscribe_kind]),
            }
    context = {"recipient": email.recipient, **email.context, **links}
    rendered = render_email(template=email.template, language=language, context=context)
    text = rendered.text
    headers = {}
    if links:
        with translation.override(language):
            footer = render_to_string("emails/secretariat/footer.txt", context)
        text = f"{text.rstrip()}\n\n{footer.strip()}\n"
        # One-click unsubscribe (RFC 8058): mail clients POST to this address.
        headers["List-Unsubscribe"] = f"<{links['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if email.kind in AUTOMATED_KINDS:
        headers["Auto-Submitted"] = "auto-generated"
    headers.update(email.headers)
    message_id = headers.pop("Message-ID", None) or make_msgid(
        idstring=email.kind.replace("_", "-"), domain=_mail_domain()
    )
    object_type, object_id = _object_key(email.about)
    return EmailDelivery(
        kind=email.kind,
        recipient=email.recipient,
        to_email=email.to,
        object_type=object_type,
        object_id=object_id,
        period=email.period,
        language=language,
        subject=rendered.subject[:300],
        body_text=text,
        body_html=rendered.html,
        headers=headers,
        message_id=message_id,
    )


def deliveries_create(emails: Sequence[OutgoingEmail]) -> list[int]:
    """Records each email whose key is new, and returns the ids of those of `emails` still
    waiting to be sent (just recorded, or recorded before and not sent yet), in order.

    Rendering is skipped for keys already recorded; a key recorded meanwhile by a racing worker
    is left to it by the unique constraint (ON CONFLICT DO NOTHING).
    """
    by_key: dict[tuple, OutgoingEmail] = {}
    for email in emails:
        by_key.setdefault(_email_key(email), email)
    if not by_key:
        return []
    existing = _rows_with_keys(by_key)
    new_rows = [_new_row(email) for key, email in by_key.items() if key not in existing]
    if new_rows:
        EmailDelivery.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=500)
    rows = _rows_with_keys(by_key) if new_rows else existing
    return sorted(row.pk for row in rows.values() if row.status == EmailDelivery.Status.QUEUED)


# --- Sending ------------------------------------------------------------------------------------


@dataclasses.dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already sent, given up, or being sent by another worker


def _message(row: EmailDelivery) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers={**row.headers, "Message-ID": row.message_id},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _is_permanent(error: Exception) -> bool:
    """True when sending this message again can't work: the address or the content is refused
    (5xx). A refused connection, a timeout or a 4xx reply pass; so may a bad configuration."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return not isinstance(error, OSError)


def _send_one(pk: int, connection) -> tuple[str, Exception | None]:
    """Claims, sends and marks one row. Returns its outcome and the passing error, if any."""
    with transaction.atomic():
        row = (
            EmailDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=EmailDelivery.Status.QUEUED)
            .first()
        )
        if row is None:
            return "skipped", None
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        try:
            connection.send_messages([_message(row)])
        except Exception as error:  # every failure is recorded on the row
            permanent = _is_permanent(error)
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = EmailDelivery.Status.FAILED
            row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            logger.warning("Email %s to %s failed: %s", row.pk, row.to_email, row.last_error)
            outcome = "failed" if row.status == EmailDelivery.Status.FAILED else "retry"
            return outcome, None if permanent else error
        row.status = EmailDelivery.Status.SENT
        row.sent_at = row.last_attempt_at
        row.last_error = ""
        row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
        return "sent", None


def deliveries_send(*, delivery_ids: Sequence[int]) -> SendResult:
    """Sends the queued emails among `delivery_ids` through one connection to the mail server,
    each in its own transaction. A refused address fails its email and the batch goes on; a
    passing error (server down, timeout) stops the batch and raises TransientMailError, so the
    task retries later: what was sent is not sent again."""
    result = SendResult()
    if not delivery_ids:
        return result
    passing_error = None
    try:
        with mail.mailers.default as connection:
            for pk in delivery_ids:
                outcome, passing_error = _send_one(pk, connection)
                if outcome == "sent":
                    result.sent += 1
                elif outcome == "skipped":
                    result.skipped += 1
                elif outcome == "failed":
                    result.failed += 1
                if passing_error is not None:
                    break
    except OSError as error:  # opening or closing the connection
        raise TransientMailError(f"The mail server is unavailable: {error}") from error
    if passing_error is not None:
        raise TransientMailError(f"The mail server refused for now: {passing_error}")
    return result


def email_send_now(email: OutgoingEmail) -> None:
    """The outbox of `coalition.emails.send_templated_email`: records one email and sends it
    in the calling process (a task of another app, which retries on TransientMailError)."""
    if email.recipient is None:
        # Someone with an account gets the unsubscribe link and is keyed by their account.
        recipient = User.objects.filter(email__iexact=email.to, is_active=True).first()
        if recipient is not None:
            email = dataclasses.replace(email, recipient=recipient)
    deliveries_send(delivery_ids=deliveries_create([email]))


@transaction.atomic
def delivery_requeue(*, delivery: EmailDelivery, actor: User) -> EmailDelivery:
    """Puts a failed email back in the queue and sends it after the commit (an admin action);
    the same message goes out, with the same Message-ID."""
    from secretariat.tasks import deliver

    if not actor.is_secretariat:
        raise ApplicationError(_("Only the Secretariat re-sends emails."))
    delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != EmailDelivery.Status.FAILED:
        raise ApplicationError(
            _("Only a failed email can be sent again; this one is %(status)s.")
            % {"status": delivery.get_status_display().lower()}
        )
    delivery.status = EmailDelivery.Status.QUEUED
    delivery.attempts = 0
    delivery.save(update_fields=["status", "attempts"])
    deliver.delay_on_commit([delivery.pk])
    return delivery


# --- Preferences ----------------------------------------------------------------------------------


@transaction.atomic
def preference_update(
    *, user: User, language: str, thematic_areas: Iterable, countries: Iterable, **switches
) -> NotificationPreference:
    """Saves what a person wants to hear about; only the person does this. `switches` are the
    digest frequency and the reminder switches of the form."""
    allowed = {"digest_frequency", *PREFERENCE_FIELD_OF_KIND.values()}
    unknown = set(switches) - allowed
    if unknown:
        raise ValueError(f"Unknown preference fields: {sorted(unknown)}")
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose English, French or Spanish."), field="language")
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    for name, value in switches.items():
        setattr(preference, name, value)
    preference.countries = list(countries)
    preference.save()
    preference.thematic_areas.set(thematic_areas)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return preference


@transaction.atomic
def preference_unsubscribe(*, user: User, kind: str) -> NotificationPreference:
    """Turns one kind of email off, or every reminder and digest (`kind="all"`)."""
    if kind not in selectors.unsubscribe_kinds():
        raise ApplicationError(_("This kind of email can't be turned off."))
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    if kind in (NotificationKind.DIGEST, UNSUBSCRIBE_ALL):
        preference.digest_frequency = DigestFrequency.OFF
    for switch_kind, field in PREFERENCE_FIELD_OF_KIND.items():
        if kind in (switch_kind, UNSUBSCRIBE_ALL):
            setattr(preference, field, False)
    preference.save()
    return preference


# --- The jobs' steps ------------------------------------------------------------------------------


def reminders_queue(*, day: date) -> list[int]:
    """Records the reminders due on `day`; returns the ids to send."""
    return deliveries_create(notifications.reminder_emails(day=day))


def moderation_digest_queue(*, day: date) -> list[int]:
    return deliveries_create(notifications.moderation_digest_emails(day=day))


def digest_batch_queue(*, user_ids: Sequence[int], frequency: str, day: date) -> list[int]:
    """Records the digests of a batch of people; returns the ids of the batch's digests still
    to send (those recorded now, and those a killed worker recorded and did not send).

    The number of queries does not depend on the size of the batch."""
    period = notifications.digest_period(frequency=frequency, day=day)
    done = set(
        EmailDelivery.objects.filter(
            kind=NotificationKind.DIGEST, period=period, recipient_id__in=user_ids
        ).values_list("recipient_id", flat=True)
    )
    preferences = [
        preference
        for preference in selectors.digest_preferences(user_ids=user_ids)
        if preference.user_id not in done and preference.digest_frequency == frequency
    ]
    plan = notifications.digest_emails(preferences=preferences, frequency=frequency, day=day)
    with transaction.atomic():
        deliveries_create(plan.emails)
        # The next digest of each person starts where this one ended, sent or empty.
        NotificationPreference.objects.filter(pk__in=plan.covered_preference_ids).filter(
            Q(digest_sent_until__isnull=True) | Q(digest_sent_until__lt=plan.until)
        ).update(digest_sent_until=plan.until)
    return list(
        EmailDelivery.objects.queued()
        .filter(kind=NotificationKind.DIGEST, period=period, recipient_id__in=user_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- The good-practice repository ----------------------------------------------------------------
#
# A practice goes draft → submitted → published, or back to returned (with the reason) and
# submitted again. Partners write drafts and returned practices; the Secretariat publishes or
# returns what was submitted. Each change is recorded with its actor and reason in the history.

GOOD_PRACTICE_MAX_ATTACHMENTS = 5
GOOD_PRACTICE_FIELDS = ("title", "summary", "what_worked", "results", "countries", "language")


class GoodPracticeError(ApplicationError):
    """A good-practice rule refused the action."""


def check_member_of_approved_partner(*, user: User, organization: Organization) -> None:
    if not user.is_authenticated or not user.is_active:
        raise GoodPracticeError(_("Log in first."))
    is_member = Membership.objects.filter(
        user=user, organization=organization, organization__status=Organization.Status.APPROVED
    ).exists()
    if not is_member:
        raise GoodPracticeError(
            _("Only members of an approved partner can share a practice on its behalf."),
            field="organization",
        )


def _check_curator(actor: User) -> None:
    if not actor.is_secretariat:
        raise GoodPracticeError(_("Only the Secretariat publishes good practices."))


def _check_commitments(organization: Organization, commitments) -> list[Commitment]:
    commitments = list(commitments or [])
    wanted = {commitment.pk for commitment in commitments}
    allowed = Commitment.objects.involving(organization).filter(pk__in=wanted).count()
    if allowed != len(wanted):
        raise GoodPracticeError(
            _("Link only commitments your organization leads or takes part in."),
            field="commitments",
        )
    return commitments


def _set_content(practice: GoodPractice, data: dict) -> None:
    for name in GOOD_PRACTICE_FIELDS:
        if name in data:
            setattr(practice, name, data[name])


def _set_relations(practice: GoodPractice, data: dict) -> None:
    if "thematic_areas" in data:
        practice.thematic_areas.set(data["thematic_areas"])
    if "sdgs" in data:
        practice.sdgs.set(data["sdgs"])
    if "commitments" in data:
        practice.commitments.set(_check_commitments(practice.organization, data["commitments"]))


@transaction.atomic
def good_practice_create(*, organization: Organization, actor: User, **data) -> GoodPractice:
    """A member of an approved partner starts a practice (a draft only its members see)."""
    check_member_of_approved_partner(user=actor, organization=organization)
    if not data.get("thematic_areas"):
        raise GoodPracticeError(_("Choose at least one thematic area."), field="thematic_areas")
    practice = GoodPractice(organization=organization, created_by=actor)
    _set_content(practice, data)
    record_change(practice, actor=actor, reason="Created")
    practice.save()
    _set_relations(practice, data)
    refresh_search_vector(practice)
    return practice


@transaction.atomic
def good_practice_update(*, practice: GoodPractice, actor: User, **data) -> GoodPractice:
    """Its organization's members edit a draft or a returned practice."""
    practice = GoodPractice.objects.select_for_update().get(pk=practice.pk)
    check_member_of_approved_partner(user=actor, organization=practice.organization)
    if not practice.is_editable:
        raise GoodPracticeError(
            _("Only a draft or a returned practice can be changed; this one is %(status)s.")
            % {"status": practice.get_status_display().lower()}
        )
    if "thematic_areas" in data and not data["thematic_areas"]:
        raise GoodPracticeError(_("Choose at least one thematic area."), field="thematic_areas")
    _set_content(practice, data)
    record_change(practice, actor=actor, reason="Edited")
    practice.save()
    _set_relations(practice, data)
    refresh_search_vector(practice)
    return practice


@transaction.atomic
def good_practice_submit(*, practice: GoodPractice, actor: User) -> GoodPractice:
    """Sends a draft or returned practice to the Secretariat for review."""
    practice = GoodPractice.objects.select_for_update().get(pk=practice.pk)
    check_member_of_approved_partner(user=actor, organization=practice.organization)
    if not practice.is_editable:
        raise GoodPracticeError(_("This practice was already submitted."))
    now = timezone.now()
    practice.status = GoodPractice.Status.SUBMITTED
    practice.status_changed_at = now
    practice.submitted_at = now
    record_change(practice, actor=actor, reason="Submitted for review")
    practice.save()
    return practice


def _decide(*, practice: GoodPractice, actor: User, status: str, reason: str) -> GoodPractice:
    from secretariat.tasks import send_good_practice_decision

    _check_curator(actor)
    practice = GoodPractice.objects.select_for_update().get(pk=practice.pk)
    if practice.status != GoodPractice.Status.SUBMITTED:
        raise GoodPracticeError(
            _("Only a submitted practice can be decided; this one is %(status)s.")
            % {"status": practice.get_status_display().lower()}
        )
    now = timezone.now()
    practice.status = status
    practice.status_changed_at = now
    practice.status_reason = reason
    if status == GoodPractice.Status.PUBLISHED:
        practice.published_at = now
    record_change(practice, actor=actor, reason=reason or "Published")
    practice.save()
    send_good_practice_decision.delay_on_commit(practice.pk)
    return practice


@transaction.atomic
def good_practice_publish(*, practice: GoodPractice, actor: User, reason: str = "") -> GoodPractice:
    """The Secretariat publishes a submitted practice; its organization is emailed."""
    return _decide(
        practice=practice, actor=actor, status=GoodPractice.Status.PUBLISHED, reason=reason.strip()
    )


@transaction.atomic
def good_practice_return(*, practice: GoodPractice, actor: User, reason: str) -> GoodPractice:
    """The Secretariat returns a submitted practice with the changes it needs."""
    reason = reason.strip()
    if not reason:
        raise GoodPracticeError(_("Give the reason of this decision."), field="reason")
    return _decide(
        practice=practice, actor=actor, status=GoodPractice.Status.RETURNED, reason=reason
    )


@transaction.atomic
def good_practice_attachment_add(
    *, practice: GoodPractice, upload, actor: User
) -> GoodPracticeAttachment:
    """Attaches a checked file (type read from its bytes, size limited) to an editable practice."""
    practice = GoodPractice.objects.select_for_update().get(pk=practice.pk)
    check_member_of_approved_partner(user=actor, organization=practice.organization)
    if not practice.is_editable:
        raise GoodPracticeError(_("Files can be attached to a draft or a returned practice."))
    if practice.attachments.count() >= GOOD_PRACTICE_MAX_ATTACHMENTS:
        raise GoodPracticeError(
            _("A practice can have %(count)d files at most.")
            % {"count": GOOD_PRACTICE_MAX_ATTACHMENTS},
            field="file",
        )
    try:
        checked = check_evidence_file(upload)
    except ApplicationError as error:
        raise GoodPracticeError(error.message, field="file") from None
    attachment = GoodPracticeAttachment(
        practice=practice, name=checked.name, content_type=checked.content_type, size=checked.size
    )
    attachment.file.save(checked.stored_name, upload, save=False)
    attachment.save()
    record_change(practice, actor=actor, reason=f"Attached {checked.name}")
    practice.save(update_fields=["updated_at"])
    return attachment


@transaction.atomic
def good_practice_attachment_delete(*, attachment: GoodPracticeAttachment, actor: User) -> None:
    practice = GoodPractice.objects.select_for_update().get(pk=attachment.practice_id)
    check_member_of_approved_partner(user=actor, organization=practice.organization)
    if not practice.is_editable:
        raise GoodPracticeError(_("Files can be removed from a draft or a returned practice."))
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    record_change(practice, actor=actor, reason=f"Removed {name}")
    practice.save(update_fields=["updated_at"])
