"""Accounts: sign-up with a verified email, login by email and its rate limit, password reset, the
"My account" page, two-factor authentication for staff, and allauth's pages in our own layout."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
import redis
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from coalition.models import User
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"  # the factory's password
NEW_PASSWORD = "a brand new passphrase 2025"


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Gives each test empty rate-limit counters (allauth keeps them in the cache).

    The cache is the Redis database other test runs and Celery's broker use at the same time, so
    instead of flushing it, each test writes under its own key prefix and deletes only its keys.
    """
    prefix = f"test-accounts-{uuid4().hex}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(autouse=True)
def _english_between_tests():
    # A request to a /fr/ page leaves French active in this thread; reversing URLs in the next
    # test would then give /fr/ paths.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def still_clock(time_machine):
    """Stops the clock, so a TOTP code computed by the test is still valid when the view checks
    it (without this, a test crossing a 30-second boundary would fail now and then)."""
    time_machine.move_to(datetime.now(UTC), tick=False)


@pytest.fixture
def person(db) -> User:
    """A partner representative whose email address is verified."""
    user = UserFactory(email="rosa@example.org", full_name="Rosa Luxemburg")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def signed_in(client, person):
    """A client logged in through the login form, as a browser would, who has also just typed
    their password again (allauth asks for that before a change to two-factor authentication)."""
    log_in(client, person)
    return client


def log_in(client, person: User, totp_secret: str | None = None) -> None:
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    if totp_secret:
        client.post(reverse("mfa_authenticate"), {"code": current_totp_code(totp_secret)})
    assert logged_in_user_id(client) == str(person.pk)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def sign_up(client, email: str = "new.partner@example.org"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def link_in(message, path_fragment: str) -> str:
    """The path of the first link in an email whose path contains `path_fragment`."""
    for url in re.findall(r"https?://[^\s\"<>]+", message.body):
        if path_fragment in url:
            return urlsplit(url).path
    raise AssertionError(f"No link with {path_fragment!r} in:\n{message.body}")


def assert_error_is_tied_to_its_field(html: str, field_id: str) -> None:
    """The control is marked invalid and described by the error shown next to it."""
    elements = ElementsById()
    elements.feed(html)
    control = elements.attributes[field_id]
    assert control.get("aria-invalid") == "true"
    assert f"{field_id}_error" in control.get("aria-describedby", "").split()
    assert f"{field_id}_error" in elements.attributes


class ElementsById(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.attributes[attributes["id"]] = attributes


def logged_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def current_totp_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


# Sign-up and email verification


def test_signing_up_sends_a_verification_email_and_the_account_cannot_log_in_before_it_is_confirmed(
    client, db
):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.partner@example.org"]
    assert "/accounts/confirm-email/" in link_in(mail.outbox[0], "/confirm-email/")
    assert not EmailAddress.objects.get(email="new.partner@example.org").verified

    response = client.post(
        reverse("account_login"), {"login": "new.partner@example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None


def test_following_the_link_in_the_verification_email_confirms_the_address_and_logs_in(client, db):
    sign_up(client)
    confirm_path = link_in(mail.outbox[0], "/confirm-email/")

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "new.partner@example.org" in page.text

    response = client.post(confirm_path)

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    user = User.objects.get(email="new.partner@example.org")
    assert logged_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_signing_up_again_with_a_registered_email_in_other_case_only_tells_its_owner(
    client, person
):
    response = sign_up(client, email="ROSA@example.org")

    # The same answer as for a new address, so a visitor can't probe who has an account.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.org"]


# Login


def test_a_verified_person_logs_in_with_their_email_whatever_its_letter_case(client, person):
    response = client.post(
        reverse("account_login"), {"login": "Rosa@Example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert logged_in_user_id(client) == str(person.pk)


def test_a_wrong_password_is_refused_with_an_error_on_the_form(client, person):
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": "not the password"}
    )

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert 'role="alert"' in response.text
    assert logged_in_user_id(client) is None


def test_after_five_failed_logins_even_the_right_password_is_refused_for_a_while(client, person):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": "guess"}
        )
        assert "not correct" in response.text

    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.text
    assert logged_in_user_id(client) is None


def test_the_login_page_links_to_the_password_reset(client, db):
    page = client.get(reverse("account_login"))

    assert f'href="{reverse("account_reset_password")}"' in page.text


# Password reset


def test_a_password_reset_emails_a_link_that_sets_a_new_password(client, person):
    response = client.post(reverse("account_reset_password"), {"email": person.email})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]

    # allauth moves the key from the link into the session, then shows the form.
    form_page = client.get(link_in(mail.outbox[0], "/password/reset/key/"), follow=True)
    assert form_page.status_code == 200
    assert 'name="password1"' in form_page.text
    set_password_path = form_page.redirect_chain[-1][0]

    response = client.post(
        set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


# My account


def test_my_account_sends_an_anonymous_visitor_to_the_login_page(client, db):
    response = client.get(reverse("account_profile"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('account_profile')}"


def test_my_account_shows_the_name_and_language_with_links_to_the_security_pages(client, person):
    client.force_login(person)

    page = client.get(reverse("account_profile"))

    assert page.status_code == 200
    assert 'value="Rosa Luxemburg"' in page.text
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in page.text


def test_a_person_changes_their_name_and_preferred_language(client, person):
    client.force_login(person)

    response = client.post(
        reverse("account_profile"), {"full_name": "Rosa L.", "language": "fr"}, follow=True
    )

    assert response.redirect_chain == [(reverse("account_profile"), 302)]
    assert "Your account details were saved." in response.text
    person.refresh_from_db()
    assert (person.full_name, person.language) == ("Rosa L.", "fr")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"full_name": "", "language": "es"}, "full_name"),
        ({"full_name": "x" * 151, "language": "es"}, "full_name"),
        ({"full_name": "Rosa", "language": "de"}, "language"),
    ],
    ids=["empty name", "name too long", "unknown language"],
)
def test_bad_input_on_my_account_is_shown_next_to_its_field_and_nothing_is_saved(
    client, person, data, field
):
    client.force_login(person)

    response = client.post(reverse("account_profile"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert_error_is_tied_to_its_field(response.text, f"id_{field}")
    person.refresh_from_db()
    assert (person.full_name, person.language) == ("Rosa Luxemburg", "en")


# Two-factor authentication for the Secretariat


@pytest.fixture
def staff(person):
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    return person


def test_staff_without_two_factor_are_sent_from_the_admin_to_set_it_up(client, staff, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = True
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_an_authenticator_app_are_let_into_the_admin(client, staff, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = True
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_staff_without_two_factor_are_let_into_the_admin_where_it_is_not_required(
    client, staff, settings
):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_an_authenticator_app_is_activated_by_scanning_the_qr_code_and_typing_a_code(
    signed_in, person, still_clock
):
    page = signed_in.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert re.search(
        r'<img class="qr-code" src="data:image/svg\+xml;base64,[^"]+" alt="', page.text
    )
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.text)
    assert secret, "the secret is shown so it can be typed in instead of scanned"

    response = signed_in.post(
        reverse("mfa_activate_totp"), {"code": current_totp_code(secret.group(1))}
    )

    assert response.status_code == 302
    assert is_mfa_enabled(person)


def test_a_person_with_an_authenticator_app_types_a_code_to_finish_logging_in(
    client, person, still_clock
):
    secret = generate_totp_secret()
    TOTP.activate(person, secret)

    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(person.pk)


# Every account page in our own accessible layout


class PageChecker(HTMLParser):
    """Collects what an accessibility review of a page looks at first."""

    def __init__(self) -> None:
        super().__init__()
        self.html_lang: str | None = None
        self.label_targets: set[str] = set()
        self.controls: list[str] = []  # id (or name) of every control a person fills in
        self.headings: list[int] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"<{tag}> has a style attribute (blocked by the CSP)")
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        elif tag in ("input", "select", "textarea"):
            if attributes.get("type") not in ("hidden", "submit", "button"):
                self.controls.append(attributes.get("id") or f"(no id) {attributes.get('name')}")
        elif tag == "script" and not attributes.get("src"):
            if attributes.get("type") != "application/json":
                self.problems.append("an inline script (blocked by the CSP)")
        elif tag == "img" and attributes.get("alt") is None:
            self.problems.append(f"an image without alt text: {attributes.get('src', '')[:40]}")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def check(self) -> list[str]:
        problems = list(self.problems)
        problems += [
            f"no <label for> for {control}"
            for control in self.controls
            if control not in self.label_targets
        ]
        if not self.headings or self.headings[0] != 1 or self.headings.count(1) != 1:
            problems.append(f"not one h1 first: {self.headings}")
        for previous, level in zip(self.headings, self.headings[1:], strict=False):
            if level > previous + 1:
                problems.append(f"heading h{level} follows h{previous}")
        return problems


def assert_accessible_page(response, lang: str = "en") -> None:
    assert response.status_code == 200, response
    assert "base.html" in [template.name for template in response.templates]
    checker = PageChecker()
    checker.feed(response.text)
    assert checker.html_lang == lang
    assert checker.check() == []


ANONYMOUS_PAGES = [
    ("account_login", {}),
    ("account_signup", {}),
    ("account_email_verification_sent", {}),
    ("account_confirm_email", {"key": "no-such-key"}),
    ("account_reset_password", {}),
    ("account_reset_password_done", {}),
    ("account_reset_password_from_key", {"uidb36": "1", "key": "bad-key"}),
    ("account_reset_password_from_key_done", {}),
]

SIGNED_IN_PAGES = [
    ("account_profile", {}),
    ("account_logout", {}),
    ("account_email", {}),
    ("account_change_password", {}),
    ("account_reauthenticate", {}),
    ("account_reset_password", {}),
    ("mfa_index", {}),
    ("mfa_activate_totp", {}),
]

TWO_FACTOR_PAGES = [
    ("mfa_index", {}),
    ("mfa_deactivate_totp", {}),
    ("mfa_view_recovery_codes", {}),
    ("mfa_generate_recovery_codes", {}),
    ("mfa_reauthenticate", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), ANONYMOUS_PAGES, ids=[p[0] for p in ANONYMOUS_PAGES])
def test_each_page_for_visitors_is_in_the_site_layout_with_labels_and_ordered_headings(
    client, db, name, kwargs
):
    assert_accessible_page(client.get(reverse(name, kwargs=kwargs)))


@pytest.mark.parametrize(("name", "kwargs"), SIGNED_IN_PAGES, ids=[p[0] for p in SIGNED_IN_PAGES])
def test_each_page_of_a_signed_in_person_is_in_the_site_layout_with_labels_and_ordered_headings(
    signed_in, name, kwargs
):
    assert_accessible_page(signed_in.get(reverse(name, kwargs=kwargs)))


@pytest.mark.parametrize(("name", "kwargs"), TWO_FACTOR_PAGES, ids=[p[0] for p in TWO_FACTOR_PAGES])
def test_each_two_factor_page_is_in_the_site_layout_with_labels_and_ordered_headings(
    client, person, name, kwargs, still_clock
):
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    RecoveryCodes.activate(person)
    log_in(client, person, totp_secret=secret)

    assert_accessible_page(client.get(reverse(name, kwargs=kwargs)))


def test_the_two_factor_step_of_the_login_is_in_the_site_layout(client, person):
    TOTP.activate(person, generate_totp_secret())
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert_accessible_page(client.get(reverse("mfa_authenticate")))


def test_a_form_with_errors_keeps_its_labels_and_ties_the_errors_to_the_fields(client, db):
    response = client.post(reverse("account_signup"), {"email": "not an email"})

    assert_accessible_page(response)
    assert_error_is_tied_to_its_field(response.text, "id_email")


def test_the_login_page_in_french_says_so_in_its_html_lang(client, db):
    with translation.override("fr"):
        url = reverse("account_login")
    assert url.startswith("/fr/")

    assert_accessible_page(client.get(url), lang="fr")
