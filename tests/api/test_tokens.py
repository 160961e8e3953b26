"""API tokens: created and named by their owner, shown once, stored as a hash, listed and revoked
on the account page; the API accepts a live key and refuses a revoked or unknown one."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coalition.errors import ApplicationError
from coalition.models import ApiToken
from coalition.tokens import (
    MAX_LIVE_TOKENS,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.api.conftest import body

TOKENS_URL = "/accounts/tokens/"


def test_it_stores_only_the_hash_and_a_short_prefix_of_the_key(alice):
    token, key = api_token_create(user=alice, name="Reporting tool")

    assert key.startswith("crk_") and len(key) >= 44
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:8]
    assert key not in {getattr(stored, field.attname) for field in ApiToken._meta.fields}


def test_each_key_is_different(alice):
    keys = {api_token_create(user=alice, name=f"Client {n}")[1] for n in range(5)}
    assert len(keys) == 5


def test_it_refuses_a_blank_name_and_a_second_live_token_of_the_same_name(alice):
    api_token_create(user=alice, name="Dashboard")
    with pytest.raises(ApplicationError) as blank:
        api_token_create(user=alice, name="  ")
    assert blank.value.field == "name"
    with pytest.raises(ApplicationError) as duplicate:
        api_token_create(user=alice, name="dashboard")
    assert duplicate.value.field == "name"


def test_a_revoked_token_frees_its_name(alice):
    token, _key = api_token_create(user=alice, name="Dashboard")
    api_token_revoke(token=token, actor=alice)
    api_token_create(user=alice, name="Dashboard")


def test_it_limits_the_number_of_live_tokens(alice):
    for n in range(MAX_LIVE_TOKENS):
        api_token_create(user=alice, name=f"Client {n}")
    with pytest.raises(ApplicationError):
        api_token_create(user=alice, name="One too many")


def test_only_the_owner_or_the_secretariat_revokes_a_token(alice, charlie, sam):
    token, _key = api_token_create(user=alice, name="Dashboard")
    with pytest.raises(ApplicationError):
        api_token_revoke(token=token, actor=charlie)
    assert api_token_revoke(token=token, actor=sam).revoked_at is not None


def test_authentication_records_the_last_use_at_most_every_few_minutes(alice):
    token, key = api_token_create(user=alice, name="Dashboard")
    with time_machine.travel(timezone.now(), tick=False):
        assert api_token_authenticate(key=key).user == alice
        first = ApiToken.objects.get(pk=token.pk).last_used_at
        assert first is not None
    with time_machine.travel(first + timedelta(minutes=1), tick=False):
        api_token_authenticate(key=key)
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(first + timedelta(minutes=10), tick=False):
        api_token_authenticate(key=key)
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_authentication_refuses_revoked_unknown_and_inactive(alice):
    token, key = api_token_create(user=alice, name="Dashboard")
    assert api_token_authenticate(key=key + "x") is None
    assert api_token_authenticate(key="not-a-key") is None
    alice.is_active = False
    alice.save()
    assert api_token_authenticate(key=key) is None
    alice.is_active = True
    alice.save()
    api_token_revoke(token=token, actor=alice)
    assert api_token_authenticate(key=key) is None


# The API's side --------------------------------------------------------------------------------


def test_a_live_token_authenticates_api_requests(api, alice, draft):
    _token, key = api_token_create(user=alice, name="Dashboard")
    assert api.get(f"commitments/{draft.pk}/", token=key).status_code == 200
    assert api.get(f"commitments/{draft.pk}/").status_code == 404


@pytest.mark.parametrize(
    "header",
    ["Token crk_unknown", "Token", "Token a b", "Token \u00e9t\u00e9"],
)
def test_a_bad_token_header_is_401_with_a_challenge(api, header, db):
    response = api.get("commitments/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert body(response)["code"] == "authentication_failed"


def test_a_revoked_token_is_refused(api, alice):
    token, key = api_token_create(user=alice, name="Dashboard")
    api_token_revoke(token=token, actor=alice)
    assert api.get("partners/", token=key).status_code == 401


def test_other_authorization_schemes_are_anonymous(api, db):
    response = api.get("partners/", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 200


def test_a_write_without_a_token_is_401(api, acme, db):
    response = api.post("commitments/", {"lead_organization": acme.pk})
    assert response.status_code == 401
    assert body(response)["code"] == "not_authenticated"


def test_a_session_cookie_alone_does_not_authenticate_the_api(api, client, alice, draft):
    client.force_login(alice)
    api.client = client
    assert api.get(f"commitments/{draft.pk}/").status_code == 404


# The account page ------------------------------------------------------------------------------


def test_the_page_needs_a_login(client, db):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_creating_a_token_shows_its_key_once(client, alice):
    client.force_login(alice)
    response = client.post(TOKENS_URL, {"create": "1", "name": "Reporting tool"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.text
    key = re.search(r'value="(crk_[^"]+)"', html).group(1)
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert "Reporting tool" in html and "shown only this once" in html

    again = client.get(TOKENS_URL).text
    assert key not in again
    assert token.prefix in again


def test_the_page_lists_only_the_persons_tokens(client, alice, charlie):
    api_token_create(user=alice, name="Alice's dashboard")
    api_token_create(user=charlie, name="Charlie's tool")
    client.force_login(alice)
    html = client.get(TOKENS_URL).text
    assert "Alice&#x27;s dashboard" in html
    assert "Charlie" not in html


def test_a_token_is_revoked_from_the_page(client, alice):
    token, key = api_token_create(user=alice, name="Old tool")
    client.force_login(alice)
    response = client.post(TOKENS_URL, {"revoke": str(token.pk)})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(key=key) is None
    assert "Revoked on" in client.get(TOKENS_URL).text


def test_nobody_revokes_anothers_token_from_the_page(client, alice, charlie):
    token, _key = api_token_create(user=charlie, name="Charlie's tool")
    client.force_login(alice)
    client.post(TOKENS_URL, {"revoke": str(token.pk)})
    client.post(TOKENS_URL, {"revoke": "not-a-number"})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_refused_name_is_shown_next_to_the_field(client, alice):
    api_token_create(user=alice, name="Dashboard")
    client.force_login(alice)
    response = client.post(TOKENS_URL, {"create": "1", "name": "Dashboard"})
    assert response.status_code == 200
    assert "already have an active token" in response.text
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_the_page_is_accessible_and_strict(client, alice):
    api_token_create(user=alice, name="Dashboard")
    client.force_login(alice)
    response = client.get(TOKENS_URL)
    html = response.text
    assert '<label for="id_name">' in html
    assert '<th scope="col">' in html and "<caption" in html
    # No inline script or style: the Content Security Policy allows neither.
    assert "<style" not in html and " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_page_is_translated(client, alice):
    client.force_login(alice)
    response = client.get("/fr" + TOKENS_URL)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text


def test_the_account_page_links_to_the_tokens(client, alice):
    client.force_login(alice)
    assert TOKENS_URL in client.get(reverse("account_profile")).text
