"""The preferences page and the unsubscribe links."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from coalition.models import ThematicArea
from secretariat.models import DigestFrequency, NotificationPreference
from secretariat.selectors import unsubscribe_token
from tests.factories import CommitmentFactory, NotificationPreferenceFactory, UserFactory
from tests.secretariat.conftest import translated

pytestmark = pytest.mark.django_db

URL = "/notifications/"


def assert_strict_page(response) -> None:
    """No inline style or script: the page works under the site's Content Security Policy."""
    html = response.content.decode()
    assert "style=" not in html
    assert "<script>" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


# --- Preferences -------------------------------------------------------------------------------


def test_the_preferences_page_is_for_people_who_are_logged_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_page_shows_the_defaults_without_saving_anything(client, alice):
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert 'value="monthly" required id="id_digest_frequency_2" checked' in html
    assert 'name="remind_deliverable_due" id="id_remind_deliverable_due" checked' in html
    assert "remind_review_waiting" not in html  # the Secretariat's switches
    assert not NotificationPreference.objects.exists()
    assert '<a href="/notifications/">Notifications</a>' in html  # in the navigation


def test_the_secretariat_sees_its_own_switches(client, sam):
    client.force_login(sam)

    html = client.get(URL).content.decode()

    assert "remind_review_waiting" in html
    assert "moderation_digest" in html


def test_saving_the_preferences(client, alice):
    client.force_login(alice)
    employment = ThematicArea.objects.get(code="employment")

    response = client.post(
        URL,
        {
            "digest_frequency": "weekly",
            "thematic_areas": [employment.pk],
            "countries": ["KE", "SN"],
            "remind_deliverable_due": "on",
            "language": "fr",
        },
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=alice)
    assert preference.digest_frequency == "weekly"
    assert list(preference.thematic_areas.all()) == [employment]
    assert [country.code for country in preference.countries] == ["KE", "SN"]
    assert preference.remind_deliverable_due is True
    assert preference.remind_deliverable_overdue is False
    assert preference.remind_draft_idle is False
    assert preference.remind_review_waiting is True  # not on her page: unchanged
    alice.refresh_from_db()
    assert alice.language == "fr"
    followed = client.get(response.url)
    assert "Your notification preferences were saved." in followed.content.decode()


def test_a_person_cannot_give_themself_the_secretariat_switches(client, alice):
    NotificationPreferenceFactory(user=alice, remind_review_waiting=False)
    client.force_login(alice)

    client.post(URL, {"digest_frequency": "off", "language": "en", "remind_review_waiting": "on"})

    assert NotificationPreference.objects.get(user=alice).remind_review_waiting is False


def test_a_wrong_value_is_shown_next_to_its_field(client, alice):
    client.force_login(alice)

    response = client.post(URL, {"digest_frequency": "daily", "language": "de"})

    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert html.count('class="errorlist"') == 2
    assert 'role="alert"' in html
    assert not NotificationPreference.objects.exists()


# --- Unsubscribing -------------------------------------------------------------------------------


def unsubscribe_url(user, kind, language=""):
    path = reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user=user, kind=kind)}
    )
    return f"/{language}{path}" if language else path


@pytest.fixture
def reader(db):
    user = UserFactory(email="reader@example.org")
    NotificationPreferenceFactory(user=user, thematic_areas=["employment"])
    return user


def test_the_link_shows_a_confirmation_and_changes_nothing(reader):
    response = Client().get(unsubscribe_url(reader, "digest"))

    assert response.status_code == 200
    assert_strict_page(response)
    html = response.content.decode()
    assert "Stop receiving the digest of what is new at re…@example.org?" in html
    assert '<form method="post">' in html
    assert NotificationPreference.objects.get(user=reader).digest_frequency == "monthly"


def test_the_confirmation_button_unsubscribes_without_login_nor_csrf_token(reader):
    response = Client(enforce_csrf_checks=True).post(unsubscribe_url(reader, "digest"))

    assert response.status_code == 200
    assert "You will no longer receive the digest of what is new" in response.content.decode()
    assert NotificationPreference.objects.get(user=reader).digest_frequency == "off"


def test_one_click_unsubscribe_from_a_mail_client(reader):
    # RFC 8058: the mail client POSTs this body to the List-Unsubscribe address.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(reader, "deliverable_due"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    preference = NotificationPreference.objects.get(user=reader)
    assert preference.remind_deliverable_due is False
    assert preference.remind_deliverable_overdue is True
    assert preference.digest_frequency == "monthly"


def test_unsubscribing_from_everything(alice):
    Client().post(unsubscribe_url(alice, "all"))

    preference = NotificationPreference.objects.get(user=alice)
    assert preference.digest_frequency == DigestFrequency.OFF
    assert not any(
        getattr(preference, field)
        for field in (
            "remind_deliverable_due",
            "remind_deliverable_overdue",
            "remind_no_commitment",
            "remind_draft_idle",
            "remind_review_waiting",
            "moderation_digest",
        )
    )


def test_the_page_speaks_the_language_of_the_link(reader):
    response = Client().get(unsubscribe_url(reader, "digest", language="fr"))

    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert (
        f'<button type="submit" class="button">{translated("fr", "Unsubscribe")}</button>' in html
    )


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "WzEsImRpZ2VzdCJd:forged",
        # A signed token for a kind that can't be turned off.
        None,
    ],
)
def test_a_bad_link_is_not_found(reader, token):
    if token is None:
        from django.core import signing

        token = signing.Signer(salt="secretariat.unsubscribe").sign_object(
            [reader.pk, "application_decision"]
        )
    client = Client()

    assert client.get(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert NotificationPreference.objects.get(user=reader).digest_frequency == "monthly"


def test_the_link_in_a_digest_stops_the_next_ones(reader, time_machine, run_job):
    time_machine.move_to(datetime(2026, 11, 10, tzinfo=UTC), tick=False)
    CommitmentFactory(published=True, thematic_areas=["employment"])
    time_machine.move_to(datetime(2026, 12, 1, 7, tzinfo=UTC), tick=False)
    (digest,) = run_job("monthly_digest", date(2026, 12, 1))

    link = digest.extra_headers["List-Unsubscribe"].strip("<>")
    Client().post(
        link.removeprefix("http://127.0.0.1:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    time_machine.move_to(datetime(2026, 12, 20, tzinfo=UTC), tick=False)
    CommitmentFactory(published=True, thematic_areas=["employment"])
    time_machine.move_to(datetime(2027, 1, 1, 7, tzinfo=UTC), tick=False)
    assert run_job("monthly_digest", date(2027, 1, 1)) == []
