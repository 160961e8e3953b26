"""In Chromium: a member shares a good practice with plain HTML forms (no script needed), and
every page of the repository, the Coordinating Group, the announcements and the desk passes
axe."""

import pytest
from allauth.account.models import EmailAddress

from secretariat.models import GoodPractice
from tests.browser import assert_accessible
from tests.factories import (
    AnnouncementFactory,
    CommitmentFactory,
    CoordinatingGroupMembershipFactory,
    GoodPracticeFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"


def log_in(page, live_server, user):
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_member_shares_a_practice_on_accessible_pages(live_server, page):
    member = MembershipFactory(user__email="rosa@example.org")
    CommitmentFactory(
        lead_organization=member.organization, published=True, title="Youth jobs pledge"
    )
    CoordinatingGroupMembershipFactory(organization=member.organization)
    GoodPracticeFactory(published=True, title="Cash transfers that reach informal workers")
    AnnouncementFactory(title="The Forum opens its registrations")
    log_in(page, live_server, member.user)
    assert_accessible(page)  # the home page, with the news

    page.get_by_role("link", name="Good practices").first.click()
    assert_accessible(page)
    page.get_by_label("Search").fill("informal")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("link", name="Cash transfers that reach informal workers").is_visible()

    page.get_by_role("link", name="Share a practice of your organization").click()
    assert_accessible(page)
    page.get_by_role("link", name="Share a good practice").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Apprenticeships co-designed with unions")
    page.get_by_label("Summary").fill("Employers and unions designed apprenticeships together.")
    page.get_by_label("What worked").fill("A joint board chose the trades.")
    page.get_by_label("Expanding access to and capabilities for productive").check()
    page.get_by_label("Youth jobs pledge").check()
    page.get_by_role("button", name="Save the draft").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    assert_accessible(page)
    practice = GoodPractice.objects.get(title="Apprenticeships co-designed with unions")
    assert practice.status == GoodPractice.Status.SUBMITTED
    assert [c.title for c in practice.commitments.all()] == ["Youth jobs pledge"]

    page.get_by_role("link", name="Coordinating Group").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Go to the Coordinating Group area").click()
    assert_accessible(page)
    page.goto(f"{live_server.url}/secretariat/announcements/")
    assert_accessible(page)
    page.get_by_role("link", name="The Forum opens its registrations").click()
    assert_accessible(page)


def test_the_desk_is_accessible(live_server, page):
    GoodPracticeFactory(submitted=True, title="Waiting practice")
    log_in(page, live_server, UserFactory(email="sam@example.org", is_staff=True))
    page.get_by_role("link", name="Moderation desk").click()
    assert page.get_by_role("link", name="Waiting practice").is_visible()
    assert_accessible(page)
