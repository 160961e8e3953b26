"""Emails of the partners app. Each goes through the delivery log (coalition.emails) under its
idempotency key, so a retried or duplicated task sends it once."""

from celery import shared_task
from django.urls import reverse
from django.utils import translation

from coalition.emails import absolute_url, send_templated_email
from coalition.models import User
from partners.models import Application, Invitation

TASK_OPTIONS = {
    "acks_late": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    # A passing mail error (the delivery log raises an OSError) is retried with backoff.
    "autoretry_for": (ConnectionError, TimeoutError, OSError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(name="partners.send_application_decision", **TASK_OPTIONS)
def send_application_decision(application_id: int) -> None:
    """Tells the applicant that the Secretariat approved or rejected the application."""
    application = Application.objects.select_related("organization", "applicant").get(
        pk=application_id
    )
    if application.decision == Application.Decision.PENDING:
        return
    applicant = application.applicant
    with translation.override(applicant.language):
        workspace_url = absolute_url(reverse("partners:workspace"))
        profile_url = absolute_url(application.organization.get_absolute_url())
    send_templated_email(
        kind="application_decision",
        to=applicant.email,
        language=applicant.language,
        recipient=applicant,
        about=application,
        period=application.decision,
        template=f"partners/application_{application.decision}",
        context={
            "application": application,
            "organization": application.organization,
            "workspace_url": workspace_url,
            "profile_url": profile_url,
        },
    )


@shared_task(name="partners.send_invitation", **TASK_OPTIONS)
def send_invitation(invitation_id: int) -> None:
    """Sends the invitation link; a renewed invitation (new link, new expiry) is a new email."""
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=invitation_id
    )
    if invitation.accepted_at is not None:
        return
    # In the invitee's language when they already have an account, else in the inviter's.
    invitee = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    language = invitee.language if invitee is not None else invitation.invited_by.language
    with translation.override(language):
        accept_url = absolute_url(
            reverse("partners:invitation_accept", kwargs={"token": invitation.token})
        )
    send_templated_email(
        kind="invitation",
        to=invitation.email,
        language=language,
        recipient=invitee,
        about=invitation,
        period=invitation.expires_at.isoformat(),
        template="partners/invitation",
        context={"invitation": invitation, "accept_url": accept_url},
    )
