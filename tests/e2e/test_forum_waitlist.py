"""The Forum's waitlist end to end, in Chromium, with a real Celery worker: a member registers for
a full Forum and joins the waitlist, the person holding the last seat cancels, and the member is
promoted and emailed."""

import re
import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from celery.contrib.testing.worker import start_worker
from django.core import mail

from coalition.celery import app as celery_app
from forum.models import Registration
from partners.models import Membership
from tests.browser import assert_accessible
from tests.factories import (
    ForumEditionFactory,
    MembershipFactory,
    OrganizationFactory,
    RegistrationFactory,
    SessionFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def celery_worker():
    """A worker in this process on a queue of its own, so that other test runs sharing the
    broker neither take these tasks nor hand theirs to it."""
    queue = f"forum-e2e-{uuid.uuid4().hex}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=30,
        ):
            yield
    finally:
        celery_app.conf.task_default_queue = previous


def member(organization, email: str, name: str):
    user = MembershipFactory(
        organization=organization,
        user__email=email,
        user__full_name=name,
        role=Membership.Role.ADMIN,
    ).user
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Log out").wait_for()


def wait_for_email(to: str, subject: str, timeout: float = 20.0):
    """The worker sends in its own thread: poll the test mailbox until the message is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(mail.outbox):
            if to in message.to and subject in message.subject:
                return message
        time.sleep(0.1)
    raise AssertionError(f"No email {subject!r} to {to}: {[m.subject for m in mail.outbox]}")


def test_a_member_on_the_waitlist_is_promoted_and_emailed_when_a_seat_is_freed(
    live_server, browser, celery_worker
):
    base = live_server.url
    edition = ForumEditionFactory(year=2034, online=False, in_person_capacity=1)
    SessionFactory(edition=edition, title="Extending social protection")
    acme = OrganizationFactory(name="Acme Workers Union")
    globex = OrganizationFactory(name="Globex Development Bank")
    bob = member(acme, "bob@example.org", "Bob Member")
    charlie = member(globex, "charlie@example.org", "Charlie Seated")
    seat = RegistrationFactory(edition=edition, user=charlie, organization=globex)

    bobs = browser.new_context(locale="en-GB").new_page()
    charlies = browser.new_context(locale="en-GB").new_page()
    for page in (bobs, charlies):
        page.set_default_timeout(10_000)

    # Bob finds the Forum full and joins the waitlist.
    log_in(bobs, base, bob.email)
    bobs.get_by_role("link", name="Forum", exact=True).click()
    bobs.get_by_role("link", name="Programme and registration").click()
    bobs.get_by_text("all seats are taken").wait_for()
    bobs.get_by_text("pay for their own travel").wait_for()
    assert_accessible(bobs)
    bobs.get_by_role("link", name="Register", exact=True).click()
    assert_accessible(bobs)
    bobs.get_by_label("In person").check()
    bobs.get_by_label("Accessibility needs (optional)").fill("Step-free access")
    bobs.get_by_label("Show my name and organization").check()
    bobs.get_by_role("button", name="Register").click()
    bobs.get_by_text("you are on the waitlist").wait_for()
    bobs.get_by_text("in position 1").wait_for()
    assert_accessible(bobs)
    registration_url = bobs.url
    assert Registration.objects.get(user=bob).status == "waitlisted"
    wait_for_email(bob.email, "waitlist")

    # Charlie gives up the seat.
    log_in(charlies, base, charlie.email)
    charlies.goto(f"{base}{edition.get_absolute_url()}")
    charlies.get_by_role("link", name="Your registration").click()
    charlies.get_by_role("link", name="Cancel my registration").click()
    assert_accessible(charlies)
    charlies.get_by_role("button", name="Yes, cancel").click()
    charlies.get_by_text("Your registration is cancelled").wait_for()
    seat.refresh_from_db()
    assert seat.status == "cancelled"

    # The worker emails Bob, who now holds the seat.
    message = wait_for_email(bob.email, "A seat is yours")
    assert re.search(
        rf"/forum/registrations/{Registration.objects.get(user=bob).pk}/", message.body
    )
    bobs.goto(registration_url)
    bobs.get_by_text("a seat was freed for you from the waitlist").wait_for()
    assert_accessible(bobs)

    # The participant list shows Bob, who agreed, and never his accessibility needs.
    bobs.goto(f"{base}/forum/{edition.year}/participants/")
    bobs.get_by_role("cell", name="Bob Member").wait_for()
    assert "Step-free access" not in bobs.content()
    assert_accessible(bobs)


def test_a_member_takes_part_in_a_discussion_and_its_pages_are_accessible(live_server, page):
    base = live_server.url
    acme = OrganizationFactory(name="Acme Workers Union")
    bob = member(acme, "bob@example.org", "Bob Member")

    page.goto(f"{base}/forum/discussions/")
    assert_accessible(page)
    log_in(page, base, bob.email)
    page.goto(f"{base}/forum/discussions/")
    page.get_by_role("link", name="Start a discussion").click()
    assert_accessible(page)
    page.get_by_label("Thematic area").select_option(
        label="Providing protection and building resilience"
    )
    page.get_by_label("Title").fill("Care work and social protection")
    page.get_by_label("Message").fill("Who covers **care workers**? <script>alert(1)</script>")
    page.get_by_role("button", name="Post").click()
    page.get_by_role("heading", name="Care work and social protection").wait_for()
    assert page.locator(".forum-post-body strong").inner_text() == "care workers"
    assert page.locator(".forum-post-body script").count() == 0
    assert_accessible(page)
    page.get_by_label("Your reply").fill("And domestic workers.")
    page.get_by_role("button", name="Post the reply").click()
    page.get_by_text("And domestic workers.").wait_for()
    page.get_by_role("link", name=re.compile("^Edit")).first.click()
    assert_accessible(page)
