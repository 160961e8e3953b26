import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from coalition.errors import ApplicationError
from coalition.models import Constituency, Region
from partners import services
from partners.models import PRINCIPLES_VERSION, Application, Invitation, Membership, Organization
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def apply(applicant, **overrides):
    profile = {
        "name": "Lakeside Workers Federation",
        "acronym": "LWF",
        "constituency": Constituency.objects.get(code="workers-organization"),
        "country": "UG",
        "description": "Unions of the lake region.",
        "website": "https://www.lwf.example.org",
        "languages": ["en"],
        **overrides,
    }
    return services.organization_apply(applicant=applicant, endorsed=True, **profile)


def test_applying_records_the_endorsement_and_makes_the_applicant_admin(stranger):
    application = apply(stranger, regions=[Region.objects.get(m49="014")])

    organization = application.organization
    assert organization.status == Organization.Status.APPLIED
    assert application.principles_version == PRINCIPLES_VERSION
    assert application.endorsed_at is not None
    assert application.decision == Application.Decision.PENDING
    assert list(organization.regions.values_list("m49", flat=True)) == ["014"]
    membership = Membership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (stranger, Membership.Role.ADMIN)
    history = organization.history.earliest("history_date")
    assert (history.history_user, history.history_change_reason) == (
        stranger,
        "Application submitted",
    )


def test_it_refuses_an_application_without_endorsement(stranger):
    with pytest.raises(ApplicationError) as error:
        services.organization_apply(
            applicant=stranger,
            endorsed=False,
            name="Unendorsed",
            constituency=Constituency.objects.first(),
            country="FR",
            description="x",
        )
    assert error.value.field == "endorsed"
    assert not Organization.objects.filter(name="Unendorsed").exists()


def test_it_refuses_a_duplicate_name_whatever_its_case(stranger, acme):
    with pytest.raises(ApplicationError) as error:
        apply(stranger, name="  acme WORKERS union ", website="")
    assert error.value.field == "name"
    assert "already registered" in error.value.message
    assert Organization.objects.filter(name__iexact="acme workers union").count() == 1


def test_it_refuses_a_duplicate_website(stranger):
    apply(stranger)
    with pytest.raises(ApplicationError) as error:
        apply(UserFactory(), name="LWF again", website="http://lwf.example.org/about")
    assert error.value.field == "website"
    assert "waiting for the Secretariat" in error.value.message


def test_a_rejected_organization_may_apply_again(stranger, sam):
    application = apply(stranger)
    services.application_reject(application=application, actor=sam, reason="Not eligible.")

    second = apply(stranger)

    assert second.organization.pk != application.organization.pk


def test_approving_makes_the_partner_public_and_emails_the_applicant(
    stranger, sam, run_queued_tasks
):
    application = apply(stranger)

    with run_queued_tasks():
        services.application_approve(application=application, actor=sam)

    application.refresh_from_db()
    organization = application.organization
    assert organization.status == Organization.Status.APPROVED
    assert organization.approved_at is not None
    assert (application.decision, application.reviewer) == (Application.Decision.APPROVED, sam)
    assert Organization.objects.public().filter(pk=organization.pk).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [stranger.email]
    assert "Lakeside Workers Federation" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_rejecting_needs_a_reason_and_keeps_it(stranger, sam, run_queued_tasks):
    application = apply(stranger)
    with pytest.raises(ApplicationError):
        services.application_reject(application=application, actor=sam, reason="  ")

    with run_queued_tasks():
        services.application_reject(
            application=application, actor=sam, reason="Not an organization."
        )

    application.refresh_from_db()
    assert application.organization.status == Organization.Status.REJECTED
    assert application.reason == "Not an organization."
    assert "Not an organization." in mail.outbox[0].body
    assert application.organization.history.first().history_change_reason == (
        "Not an organization."
    )


def test_the_decision_email_is_in_the_applicants_language(sam, run_queued_tasks):
    applicant = UserFactory(language="fr")
    application = apply(applicant)

    with run_queued_tasks():
        services.application_approve(application=application, actor=sam)

    assert "partenaire" in mail.outbox[0].subject


def test_only_the_secretariat_decides(stranger, alice):
    application = apply(stranger)
    with pytest.raises(ApplicationError):
        services.application_approve(application=application, actor=alice)


def test_a_decided_application_cannot_be_decided_again(stranger, sam):
    application = apply(stranger)
    services.application_approve(application=application, actor=sam)
    with pytest.raises(ApplicationError, match="already decided"):
        services.application_reject(application=application, actor=sam, reason="Changed my mind")


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("approved", "suspended", True),
        ("approved", "withdrawn", True),
        ("suspended", "approved", True),
        ("suspended", "withdrawn", True),
        ("withdrawn", "approved", False),
        ("rejected", "approved", False),
        ("applied", "suspended", False),
        ("approved", "applied", False),
        ("approved", "rejected", False),
    ],
)
def test_partner_status_transitions(acme, sam, start, target, allowed):
    Organization.objects.filter(pk=acme.pk).update(status=start)
    acme.refresh_from_db()
    if allowed:
        services.organization_set_status(
            organization=acme, status=target, actor=sam, reason="Decided by the Secretariat"
        )
        acme.refresh_from_db()
        assert acme.status == target
    else:
        with pytest.raises(ApplicationError):
            services.organization_set_status(
                organization=acme, status=target, actor=sam, reason="Decided"
            )
        acme.refresh_from_db()
        assert acme.status == start


def test_suspending_requires_a_reason(acme, sam):
    with pytest.raises(ApplicationError, match="reason"):
        services.organization_set_status(
            organization=acme, status=Organization.Status.SUSPENDED, actor=sam, reason=""
        )


def test_the_last_admin_cannot_leave_or_step_down(alice, bob, acme):
    admin = Membership.objects.get(user=alice)
    with pytest.raises(ApplicationError, match="last admin"):
        services.membership_remove(membership=admin, actor=alice)
    with pytest.raises(ApplicationError, match="at least one admin"):
        services.membership_change_role(
            membership=admin, role=Membership.Role.CONTRIBUTOR, actor=alice
        )

    services.membership_change_role(
        membership=Membership.objects.get(user=bob), role=Membership.Role.ADMIN, actor=alice
    )
    services.membership_remove(membership=admin, actor=alice)
    assert not Membership.objects.filter(user=alice).exists()


def test_an_invitation_is_accepted_by_the_invited_address_only(alice, acme, run_queued_tasks):
    with run_queued_tasks():
        invitation = services.invitation_create(
            organization=acme, email="New.Person@example.org", role="contributor", actor=alice
        )
    assert mail.outbox[0].to == ["New.Person@example.org"]
    assert invitation.token in mail.outbox[0].body

    with pytest.raises(ApplicationError, match="sent to"):
        services.invitation_accept(invitation=invitation, user=UserFactory())

    newcomer = UserFactory(email="new.person@example.org")
    membership = services.invitation_accept(invitation=invitation, user=newcomer)
    assert (membership.organization, membership.role) == (acme, "contributor")
    with pytest.raises(ApplicationError, match="already been accepted"):
        services.invitation_accept(invitation=invitation, user=newcomer)


def test_inviting_the_same_address_again_renews_the_open_invitation(alice, acme):
    first = services.invitation_create(
        organization=acme, email="x@example.org", role="contributor", actor=alice
    )
    second = services.invitation_create(
        organization=acme, email="X@example.org", role="admin", actor=alice
    )
    assert first.pk == second.pk
    assert Invitation.objects.get().role == "admin"
    assert first.token != Invitation.objects.get().token


def test_an_expired_invitation_is_refused(alice, acme, time_machine):
    invitation = services.invitation_create(
        organization=acme, email="late@example.org", role="contributor", actor=alice
    )
    time_machine.move_to(timezone.now() + services.INVITATION_VALIDITY * 2)
    with pytest.raises(ApplicationError, match="expired"):
        services.invitation_accept(
            invitation=invitation, user=UserFactory(email="late@example.org")
        )


def test_members_are_not_invited_twice(alice, bob, acme):
    with pytest.raises(ApplicationError, match="already a member"):
        services.invitation_create(
            organization=acme, email=bob.email.upper(), role="contributor", actor=alice
        )


def test_a_rejected_application_needs_a_reason_in_the_database(stranger):
    application = ApplicationFactory(applicant=stranger)
    application.decision = Application.Decision.REJECTED
    with pytest.raises(IntegrityError):
        application.save()
