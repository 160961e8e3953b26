from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalition.models import Region
from partners.models import Application, Organization
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:partners_application_changelist")


@pytest.fixture
def pending(db):
    return ApplicationFactory.create_batch(2)


def test_the_secretariat_approves_several_applications_at_once(
    client, sam, pending, run_queued_tasks
):
    client.force_login(sam)
    with run_queued_tasks():
        # First step: the form asking for an optional note.
        response = client.post(
            CHANGELIST,
            {"action": "application_approve", ACTION_CHECKBOX_NAME: [a.pk for a in pending]},
        )
        assert response.status_code == 200
        assert "This decision applies to" in response.text
        response = client.post(
            CHANGELIST,
            {
                "action": "application_approve",
                ACTION_CHECKBOX_NAME: [a.pk for a in pending],
                "confirm": "1",
                "reason": "",
            },
            follow=True,
        )
    assert "2 items done" in response.text
    assert Organization.objects.filter(status="approved").count() == 2
    assert len(mail.outbox) == 2


def test_rejecting_in_the_admin_requires_a_reason(client, sam, pending, run_queued_tasks):
    client.force_login(sam)
    data = {
        "action": "application_reject",
        ACTION_CHECKBOX_NAME: [pending[0].pk],
        "confirm": "1",
        "reason": "",
    }
    response = client.post(CHANGELIST, data)
    assert "This field is required" in response.text
    assert Application.objects.get(pk=pending[0].pk).decision == "pending"

    with run_queued_tasks():
        client.post(CHANGELIST, {**data, "reason": "Not eligible"})
    application = Application.objects.get(pk=pending[0].pk)
    assert (application.decision, application.reason, application.reviewer) == (
        "rejected",
        "Not eligible",
        sam,
    )
    assert "Not eligible" in mail.outbox[0].body


def test_a_refused_decision_is_reported_and_the_others_go_on(client, sam, pending):
    client.force_login(sam)
    Application.objects.filter(pk=pending[0].pk).update(decision="approved")
    response = client.post(
        CHANGELIST,
        {
            "action": "application_approve",
            ACTION_CHECKBOX_NAME: [a.pk for a in pending],
            "confirm": "1",
        },
        follow=True,
    )
    assert "already decided" in response.text
    assert "1 item done" in response.text


@pytest.fixture
def applicants(db):
    """Three applicants: headquartered in Kenya, in France but working in Eastern Africa, and in
    France only; one of them older and rejected."""
    kenya = ApplicationFactory(
        organization__name="Nairobi Workers Union", organization__country="KE"
    )
    abroad = ApplicationFactory(organization__name="Lyon Cooperative", organization__country="FR")
    abroad.organization.regions.add(Region.objects.get(m49="014"))
    france = ApplicationFactory(
        organization__name="Paris Foundation",
        organization__country="FR",
        decision=Application.Decision.REJECTED,
        reason="Outside the Coalition's scope.",
    )
    return kenya, abroad, france


def _listed(client, query: str) -> set[str]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return {application.organization.name for application in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("decision__exact=pending", {"Nairobi Workers Union", "Lyon Cooperative"}),
        ("organization__country=KE", {"Nairobi Workers Union"}),
        # Africa: headquartered there, or working in one of its sub-regions, as in the directory.
        ("region=002", {"Nairobi Workers Union", "Lyon Cooperative"}),
        ("region=150", {"Lyon Cooperative", "Paris Foundation"}),
        ("q=Cooperative", {"Lyon Cooperative"}),
    ],
)
def test_the_moderation_list_filters_and_searches(client, sam, applicants, query, expected):
    client.force_login(sam)
    assert _listed(client, query) == expected


def test_the_admin_region_filter_agrees_with_the_directory(client, sam, applicants):
    approved = Organization.objects.filter(pk__in=[a.organization_id for a in applicants])
    approved.update(status=Organization.Status.APPROVED)
    client.force_login(sam)
    directory = client.get(reverse("partners:directory"), {"region": "002"})
    admin_names = _listed(client, "region=002")
    assert {o.name for o in directory.context["page"]} == admin_names


def test_the_age_filter_keeps_only_old_applications(client, sam, pending, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=6))
    old = ApplicationFactory(organization__name="Waiting Since Last Week")
    time_machine.move_to(timezone.now() + timedelta(days=6))
    client.force_login(sam)
    response = client.get(f"{CHANGELIST}?age=5")
    assert list(response.context["cl"].result_list) == [old]


def test_each_application_has_its_history(client, sam, pending):
    client.force_login(sam)
    url = reverse("admin:partners_organization_history", args=[pending[0].organization_id])
    assert client.get(url).status_code == 200


def test_suspending_a_partner_in_the_admin_keeps_the_reason(client, sam, acme):
    client.force_login(sam)
    client.post(
        reverse("admin:partners_organization_changelist"),
        {
            "action": "make_suspended",
            ACTION_CHECKBOX_NAME: [acme.pk],
            "confirm": "1",
            "reason": "Misuse of the logo",
        },
    )
    acme.refresh_from_db()
    assert acme.status == "suspended"
    assert acme.history.first().history_change_reason == "Misuse of the logo"
    assert acme.history.first().history_user == sam


def test_partners_cannot_reach_the_admin(client, alice):
    client.force_login(alice)
    assert client.get(CHANGELIST).status_code == 302
