"""Every write of the partners app: views, admin actions, API and commands all call these."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition import events
from coalition.errors import ApplicationError
from coalition.history import record_change
from coalition.models import User
from partners.models import PRINCIPLES_VERSION, Application, Invitation, Membership, Organization

INVITATION_VALIDITY = timedelta(days=14)

Status = Organization.Status

# The partner lifecycle of DESIGN.md, in one place: from each status, where it may go.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.APPLIED: {Status.APPROVED, Status.REJECTED},
    Status.APPROVED: {Status.SUSPENDED, Status.WITHDRAWN},
    Status.SUSPENDED: {Status.APPROVED, Status.WITHDRAWN},
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
# Leaving these statuses is a judgement that must be explained to the partner and kept.
REASON_REQUIRED = {Status.REJECTED, Status.SUSPENDED, Status.WITHDRAWN}


def _website_host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.").lower()


def _find_duplicate(*, name: str, website: str, exclude_pk: int | None = None):
    live = Organization.objects.exclude(status=Status.REJECTED).exclude(pk=exclude_pk)
    same_name = live.annotate(lower_name=Lower("name")).filter(lower_name=name.strip().lower())
    if same_name.exists():
        return same_name.first(), "name"
    host = _website_host(website)
    if host:
        # The database narrows to addresses containing the host; the exact host is checked here.
        candidates = live.filter(website__icontains=host).only("pk", "name", "website", "status")
        for candidate in candidates:
            if _website_host(candidate.website) == host:
                return candidate, "website"
    return None, None


def _duplicate_error(organization: Organization, field: str) -> ApplicationError:
    if organization.status == Status.APPLIED:
        message = _(
            "%(name)s has already applied to join the Coalition; its application is waiting "
            "for the Secretariat. Ask its applicant to invite you instead."
        )
    else:
        message = _(
            "%(name)s is already registered in the Coalition. Ask one of its members to invite "
            "you to its workspace."
        )
    return ApplicationError(message % {"name": organization.name}, field=field)


@transaction.atomic
def organization_apply(
    *,
    applicant: User,
    endorsed: bool,
    motivation: str = "",
    regions=(),
    **profile,
) -> Application:
    """Records an organization's request to join; the applicant becomes its first admin."""
    if not endorsed:
        raise ApplicationError(
            _("Partners endorse both commitments of the Coalition to join it."), field="endorsed"
        )
    duplicate, field = _find_duplicate(name=profile["name"], website=profile.get("website", ""))
    if duplicate is not None:
        raise _duplicate_error(duplicate, field)

    organization = Organization(status=Status.APPLIED, **profile)
    organization.status_changed_at = timezone.now()
    record_change(organization, actor=applicant, reason="Application submitted")
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        # Two people applying for the same organization at the same moment.
        duplicate, field = _find_duplicate(name=profile["name"], website="")
        raise _duplicate_error(duplicate or organization, "name") from None
    organization.regions.set(regions)

    application = Application(
        organization=organization,
        applicant=applicant,
        principles_version=PRINCIPLES_VERSION,
        endorsed_at=timezone.now(),
        motivation=motivation,
    )
    record_change(application, actor=applicant, reason="Application submitted")
    application.save()
    membership = Membership(organization=organization, user=applicant, role=Membership.Role.ADMIN)
    record_change(membership, actor=applicant, reason="Applicant")
    membership.save()
    return application


def _change_status(
    *, organization: Organization, status: str, actor: User, reason: str
) -> Organization:
    if status not in ALLOWED_TRANSITIONS[organization.status]:
        raise ApplicationError(
            _("A partner that is %(current)s cannot become %(new)s.")
            % {
                "current": organization.get_status_display().lower(),
                "new": Status(status).label.lower(),
            }
        )
    if status in REASON_REQUIRED and not reason.strip():
        raise ApplicationError(_("Give the reason of this decision."), field="reason")
    now = timezone.now()
    organization.status = status
    organization.status_changed_at = now
    if status == Status.APPROVED and organization.approved_at is None:
        organization.approved_at = now
    record_change(organization, actor=actor, reason=reason or f"Status: {status}")
    organization.save()
    return organization


def _lock_pending_application(application: Application) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("organization")
        .get(pk=application.pk)
    )
    if application.decision != Application.Decision.PENDING:
        raise ApplicationError(
            _("The application of %(name)s was already decided.")
            % {"name": application.organization.name}
        )
    return application


def _decide(*, application: Application, actor: User, decision: str, reason: str) -> Application:
    from partners.tasks import send_application_decision

    if not actor.is_secretariat:
        raise ApplicationError(_("Only the Secretariat decides on applications."))
    application = _lock_pending_application(application)
    new_status = Status.APPROVED if decision == Application.Decision.APPROVED else Status.REJECTED
    _change_status(
        organization=application.organization, status=new_status, actor=actor, reason=reason
    )
    application.decision = decision
    application.decided_at = timezone.now()
    application.reviewer = actor
    application.reason = reason.strip()
    record_change(application, actor=actor, reason=reason or decision)
    application.save()
    send_application_decision.delay_on_commit(application.pk)
    if new_status == Status.APPROVED:
        events.emit("partner.approved", application.organization)
    return application


@transaction.atomic
def application_approve(*, application: Application, actor: User, reason: str = "") -> Application:
    return _decide(
        application=application,
        actor=actor,
        decision=Application.Decision.APPROVED,
        reason=reason,
    )


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    if not reason.strip():
        raise ApplicationError(_("Give the applicant the reason of the rejection."), field="reason")
    return _decide(
        application=application,
        actor=actor,
        decision=Application.Decision.REJECTED,
        reason=reason,
    )


@transaction.atomic
def organization_set_status(
    *, organization: Organization, status: str, actor: User, reason: str
) -> Organization:
    """Suspends, reinstates or withdraws an approved partner (decisions on applications go
    through application_approve and application_reject, which also close the application)."""
    if status in (Status.APPLIED, Status.REJECTED):
        raise ApplicationError(_("Applications are decided from the list of applications."))
    if not actor.is_secretariat:
        raise ApplicationError(_("Only the Secretariat changes the status of a partner."))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    return _change_status(organization=organization, status=status, actor=actor, reason=reason)


@transaction.atomic
def organization_update(
    *, organization: Organization, actor: User, regions=None, **profile
) -> Organization:
    duplicate, field = _find_duplicate(
        name=profile.get("name", organization.name),
        website=profile.get("website", organization.website),
        exclude_pk=organization.pk,
    )
    if duplicate is not None:
        raise ApplicationError(
            _("Another organization is registered as %(name)s.") % {"name": duplicate.name},
            field=field,
        )
    for name, value in profile.items():
        setattr(organization, name, value)
    record_change(organization, actor=actor, reason="Profile edited")
    organization.save()
    if regions is not None:
        organization.regions.set(regions)
    return organization


def _admin_count(organization: Organization) -> int:
    # Locks the organization's admins so that two of them can't step down at the same moment.
    return len(organization.memberships.select_for_update().filter(role=Membership.Role.ADMIN))


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, actor: User
) -> Invitation:
    from partners.tasks import send_invitation

    email = email.strip()
    if organization.memberships.filter(user__email__iexact=email).exists():
        raise ApplicationError(
            _("%(email)s is already a member of %(name)s.")
            % {"email": email, "name": organization.name},
            field="email",
        )
    # Inviting the same address again renews its open invitation with a new link.
    fields = {
        "email": email,
        "role": role,
        "invited_by": actor,
        "token": secrets.token_urlsafe(32),
        "expires_at": timezone.now() + INVITATION_VALIDITY,
    }
    invitation, _created = Invitation.objects.update_or_create(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        defaults=fields,
        create_defaults={"organization": organization, **fields},
    )
    send_invitation.delay_on_commit(invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been accepted."))
    if invitation.expires_at < timezone.now():
        raise ApplicationError(_("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise ApplicationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization,
        user=user,
        defaults={"role": invitation.role},
    )
    if created:
        record_change(membership, actor=user, reason=f"Invited by {invitation.invited_by.email}")
        membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if (
        membership.role == Membership.Role.ADMIN
        and role != Membership.Role.ADMIN
        and _admin_count(membership.organization) == 1
    ):
        raise ApplicationError(
            _("An organization keeps at least one admin: make someone else admin first.")
        )
    membership.role = role
    record_change(membership, actor=actor, reason=f"Role: {role}")
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Membership.Role.ADMIN and _admin_count(membership.organization) == 1:
        raise ApplicationError(
            _("The last admin cannot leave the organization: make someone else admin first.")
        )
    record_change(membership, actor=actor, reason="Removed")
    membership.delete()
