"""The commitment journey end to end, in Chromium: a partner logs a commitment with two
deliverables (the second added with htmx), submits it; the Secretariat returns it; the partner
fixes it and resubmits; the Secretariat publishes it; the public finds it by search and by
filter; a progress update appears on its timeline. axe checks each page on the way."""

import re

import pytest
from allauth.account.models import EmailAddress
from celery.app.task import Task

from partners.models import Membership
from tests.browser import assert_accessible
from tests.factories import (
    CommitmentFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"
TITLE = "Apprenticeships for 500 young people in Nairobi"


def verified_user(email: str, **fields):
    user = UserFactory(email=email, **fields)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Log out").wait_for()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").wait_for()


@pytest.fixture
def queued(monkeypatch):
    """The decision emails are queued for Celery; here they are only recorded."""
    calls = []

    def record(task, args=None, kwargs=None, **options):
        calls.append((task.name, tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    return calls


def decide_in_admin(page, base: str, action: str, reason: str) -> None:
    page.goto(f"{base}/admin/commitments/commitmentsubmission/")
    page.get_by_role("row", name=re.compile(TITLE)).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("1 item done").wait_for()


def test_a_commitment_from_draft_to_published_with_progress(live_server, page, settings, queued):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    base = live_server.url
    acme = OrganizationFactory(name="Acme Workers Union", acronym="AWU")
    alice = verified_user("alice@example.org", full_name="Alice Admin")
    MembershipFactory(organization=acme, user=alice, role=Membership.Role.ADMIN)
    verified_user("sam@example.org", is_staff=True, is_superuser=True)
    CommitmentFactory(
        published=True,
        title="Social dialogue in the Andes",
        summary="Tripartite councils meet every quarter.",
        description="Unions, employers and ministries.",
        countries=["PE"],
        sdgs=[16],
    )

    # The partner writes the commitment; the live SMART score follows.
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/partners/workspace/")
    page.get_by_role("link", name="Log a new commitment").click()
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Summary", exact=True).fill("Employers and unions open paid apprenticeships.")
    page.get_by_label("Description", exact=True).fill(
        "Employers of the construction and textile sectors, with the unions, open paid "
        "apprenticeships for young people leaving school without qualifications, with "
        "mentoring, a living wage and social protection from the first day, in Nairobi and "
        "Mombasa over two years."
    )
    page.get_by_label("Expected results").fill("500 young people complete an apprenticeship.")
    page.get_by_label(re.compile(r"Expanding access")).check()
    page.get_by_label("8. Decent work and economic growth").check()
    page.get_by_label("National", exact=True).check()
    page.locator("#id_countries").select_option("KE")
    page.get_by_label("Start date", exact=True).fill("2026-01-01")
    page.get_by_label("End date", exact=True).fill("2027-12-31")
    page.get_by_label("Financial", exact=True).check()
    page.get_by_label("Resources: amount (optional)").fill("250000")
    page.get_by_label("Resources: currency (optional)").fill("USD")
    page.locator("#id_deliverables-0-title").fill("Apprenticeship places opened")
    page.locator("#id_deliverables-0-indicator").fill("Young people starting an apprenticeship")
    page.locator("#id_deliverables-0-target").fill("500")
    page.locator("#id_deliverables-0-due_date").fill("2026-09-30")
    page.get_by_role("button", name="Add a deliverable").click()
    page.locator("#id_deliverables-1-title").fill("Jobs after the apprenticeship")
    page.locator("#id_deliverables-1-indicator").fill("Apprentices employed six months later")
    page.locator("#id_deliverables-1-target").fill("many")
    page.locator("#id_deliverables-1-due_date").fill("2027-12-01")
    page.locator("#id_deliverables-1-due_date").blur()
    # A third row, added then removed again (htmx), is not saved.
    page.get_by_role("button", name="Add a deliverable").click()
    page.locator("#id_deliverables-2-title").wait_for()
    page.locator("#deliverable-row-2").get_by_role("button", name="Remove this deliverable").click()
    page.get_by_text("Deliverable 3 (“—”) will be removed when you save.").wait_for()
    page.get_by_text("the target of “Jobs after the apprenticeship” has no number").wait_for()
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    assert page.get_by_role("rowheader", name="Jobs after the apprenticeship").count() == 1
    assert page.locator("table.deliverables tbody tr").count() == 2

    # Preview, then submit.
    page.get_by_role("link", name="Preview and submit").click()
    page.get_by_text("SMART score: 4 of 5").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Submit to the Secretariat").click()
    page.get_by_text("Submitted. The Secretariat will review it").wait_for()
    log_out(page)

    # The Secretariat returns it with a reason.
    log_in(page, base, "sam@example.org")
    decide_in_admin(page, base, "commitment_return", "Give the second deliverable a number.")
    log_out(page)

    # The partner reads the reason, fixes the target, and resubmits.
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/partners/workspace/")
    page.get_by_text("Give the second deliverable a number.").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=TITLE, exact=True).first.click()  # straight to the form
    page.get_by_role("heading", name="Edit the commitment").wait_for()
    assert page.get_by_text("Give the second deliverable a number.").count() == 1
    assert_accessible(page)
    page.locator("#id_deliverables-1-target").fill("300")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("link", name="Preview and submit").click()
    page.get_by_text("SMART score: 5 of 5").wait_for()
    page.get_by_role("button", name="Submit to the Secretariat").click()
    page.get_by_text("Submitted. The Secretariat will review it").wait_for()
    log_out(page)

    # The Secretariat publishes it.
    log_in(page, base, "sam@example.org")
    decide_in_admin(page, base, "commitment_publish", "Clear and measurable.")
    log_out(page)

    # The public finds it by search and by filter.
    page.goto(f"{base}/commitments/")
    page.get_by_role("heading", name="2 commitments").wait_for()
    page.get_by_label("Search").fill("apprenticeship")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"search=apprenticeship"))
    page.get_by_role("heading", name="1 commitment").wait_for()
    assert page.get_by_role("link", name="Social dialogue in the Andes").count() == 0
    assert_accessible(page)
    page.goto(f"{base}/commitments/?sdg=8&country=KE")
    page.get_by_role("heading", name="1 commitment").wait_for()
    page.goto(f"{base}/commitments/?sdg=1&country=KE")
    page.get_by_role("heading", name="0 commitments").wait_for()
    page.goto(f"{base}/commitments/?sdg=8&country=KE")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name=TITLE).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Acme Workers Union").first.click()
    page.get_by_role("heading", name="Commitments").wait_for()
    assert page.get_by_role("link", name=TITLE).count() == 1
    assert_accessible(page)

    # The partner reports progress; it appears on the timeline.
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/partners/workspace/")
    page.get_by_role("link", name=TITLE, exact=True).first.click()
    page.get_by_role("link", name="Post a progress update").click()
    assert_accessible(page)
    page.get_by_label("What happened").fill("The first 120 apprentices started in March.")
    page.get_by_label("Apprenticeship places opened").select_option("on_track")
    page.get_by_label("Links to evidence or to your own report").fill(
        "https://acme.example.org/reports/2026"
    )
    page.get_by_role("button", name="Post the update").click()
    timeline = page.locator("#progress")
    timeline.get_by_text("The first 120 apprentices started in March.").wait_for()
    assert timeline.get_by_text("Apprenticeship places opened: Planned → On track").count() == 1
    assert timeline.get_by_text("Evidence: Evidence attached").count() == 1
    assert_accessible(page)

    decisions = [args[1] for name, args in queued if name == "commitments.send_commitment_decision"]
    assert decisions == ["returned", "published"]
