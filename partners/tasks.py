from celery import shared_task
from django.urls import reverse

from coalition.emails import absolute_url, send_templated_email
from partners.models import Application, Invitation

TASK_OPTIONS = {
    "acks_late": True,
    "soft_time_limit": 60,
    "time_limit": 90,
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
    send_templated_email(
        to=application.applicant.email,
        language=application.applicant.language,
        template=f"partners/application_{application.decision}",
        context={
            "application": application,
            "organization": application.organization,
            "workspace_url": absolute_url(reverse("partners:workspace")),
            "profile_url": absolute_url(application.organization.get_absolute_url()),
        },
    )


@shared_task(name="partners.send_invitation", **TASK_OPTIONS)
def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=invitation_id
    )
    if invitation.accepted_at is not None:
        return
    send_templated_email(
        to=invitation.email,
        language=invitation.invited_by.language,
        template="partners/invitation",
        context={
            "invitation": invitation,
            "accept_url": absolute_url(
                reverse("partners:invitation_accept", kwargs={"token": invitation.token})
            ),
        },
    )
