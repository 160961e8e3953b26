"""In Chromium: a partner sets what they hear about, then leaves the digest from its email. Both
pages pass axe and work with plain HTML forms."""

import pytest
from allauth.account.models import EmailAddress

from secretariat.models import NotificationPreference
from secretariat.selectors import unsubscribe_token
from tests.browser import assert_accessible
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"


def test_a_partner_chooses_notifications_and_unsubscribes_in_one_click(live_server, page):
    partner = MembershipFactory(user__email="rosa@example.org").user
    partner.set_password(PASSWORD)
    partner.save()
    EmailAddress.objects.create(user=partner, email=partner.email, verified=True, primary=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(partner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="Notifications").click()
    assert_accessible(page)

    page.get_by_label("Every week (on Mondays)").check()
    page.get_by_label("Providing protection and building resilience").check()
    page.get_by_label("Countries followed").select_option(["KE", "SN"])
    page.get_by_label("a draft commitment was left untouched for 30 days").uncheck()
    page.get_by_label("Language of the emails").select_option("es")
    page.get_by_role("button", name="Save").click()

    assert page.get_by_role("status").inner_text().strip() == (
        "Your notification preferences were saved."
    )
    assert_accessible(page)
    preference = NotificationPreference.objects.get(user=partner)
    assert preference.digest_frequency == "weekly"
    assert [country.code for country in preference.countries] == ["KE", "SN"]
    assert preference.remind_draft_idle is False
    partner.refresh_from_db()
    assert partner.language == "es"

    token = unsubscribe_token(user=partner, kind="digest")
    context = page.context.browser.new_context(locale="en-GB")  # from the mail, logged out
    mail_page = context.new_page()
    mail_page.goto(f"{live_server.url}/notifications/unsubscribe/{token}/")
    assert_accessible(mail_page)
    mail_page.get_by_role("button", name="Unsubscribe").click()

    assert "You will no longer receive the digest" in mail_page.content()
    assert_accessible(mail_page)
    assert NotificationPreference.objects.get(user=partner).digest_frequency == "off"
    context.close()
