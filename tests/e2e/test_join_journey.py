"""The first capability end to end, in Chromium: an organization joins and the Secretariat
approves it in the admin."""

import email
import email.policy
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from tests.browser import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def mail_folder(settings, tmp_path):
    """Emails are written to files, as in `make run`."""
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    return folder


def read_mail(folder: Path) -> str:
    """The plain-text bodies of the messages the file backend wrote (decoded, as a mail client
    would show them)."""
    bodies = []
    for path in sorted(folder.glob("*")):
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                message = email.message_from_string(raw.strip(), policy=email.policy.default)
                bodies.append(message.get_body(("plain",)).get_content())
    return "\n".join(bodies)


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_an_organization_joins_and_the_secretariat_approves_it(live_server, page, mail_folder):
    base = live_server.url
    secretariat = UserFactory(email="sam@example.org", is_staff=True, is_superuser=True)
    secretariat.set_password(PASSWORD)
    secretariat.save()
    EmailAddress.objects.create(
        user=secretariat, email=secretariat.email, verified=True, primary=True
    )

    # Sign up, then verify the address from the email written to a file.
    page.goto(f"{base}/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("amina@lakeside.example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_text("verification").first.wait_for()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", read_mail(mail_folder)).group(0)
    page.goto(base + link[link.index("/accounts/") :])
    page.get_by_role("button", name="Confirm").click()

    # Apply on behalf of the organization.
    page.goto(f"{base}/partners/join/")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Name")).fill("Lakeside Workers Federation")
    page.get_by_label("Acronym").fill("LWF")
    page.get_by_label("Constituency").select_option(label="Workers' organization")
    page.get_by_label("Country of headquarters").select_option("UG")
    page.get_by_label("Description").fill("Unions of the fishing communities of the lake.")
    page.get_by_label("Website").fill("https://lwf.example.org")
    page.get_by_label("On behalf of this organization").check()
    page.get_by_role("button", name="Send the application").click()
    page.get_by_text("is with the Secretariat").wait_for()
    assert_accessible(page)

    # Not public yet.
    page.goto(f"{base}/partners/?search=Lakeside")
    assert page.get_by_text("Lakeside Workers Federation").count() == 0
    page.get_by_role("button", name="Log out").click()

    # The Secretariat approves it in the admin.
    log_in(page, base, secretariat.email, PASSWORD)
    page.goto(f"{base}/admin/partners/application/?decision__exact=pending")
    page.get_by_role("row", name=re.compile("Lakeside Workers Federation")).get_by_role(
        "checkbox"
    ).check()
    page.locator("select[name=action]").select_option("application_approve")
    page.get_by_role("button", name="Run").click()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("1 item done").wait_for()
    page.get_by_role("button", name="Log out").click()

    # The partner is in the public directory.
    page.goto(f"{base}/partners/?search=Lakeside")
    page.get_by_role("link", name="Lakeside Workers Federation").click()
    page.get_by_role("heading", name="Lakeside Workers Federation (LWF)").wait_for()
    assert_accessible(page)
