"""Webhooks in the API: a token's owner manages their own hooks; anyone else gets 401 or 404;
bad input is 400 with the field, never 500; every response matches the schema (the `api`
client checks each one)."""

import socket

import pytest
from django.utils import timezone

from secretariat import webhooks
from secretariat.models import Webhook, WebhookDelivery
from tests.api.conftest import body, make_published, token_of
from tests.secretariat.webhook_receiver import receiver_fixture  # noqa: F401

PUBLIC_URL = "https://hooks.example.org/coalition"


@pytest.fixture
def public_dns(monkeypatch):
    """hooks.example.org resolves to a public address (no DNS in the tests)."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "hooks.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def create(api, token, **data):
    data = {"url": PUBLIC_URL, "events": ["commitment.published"], **data}
    return api.post("webhooks/", data, token=token)


@pytest.fixture
def alice_hook(api, alice_token, public_dns) -> dict:
    return body(create(api, alice_token, name="Reporting tool"))


def test_registering_a_hook_shows_its_secret_once(api, alice, alice_token, public_dns):
    response = create(api, alice_token, name="Reporting tool", description="Our database")
    assert response.status_code == 201
    created = body(response)
    hook = Webhook.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/webhooks/{hook.pk}/"
    assert created["secret"] == hook.secret and created["secret"].startswith("whsec_")
    assert hook.owner == alice and hook.events == ["commitment.published"]
    assert created == {
        "id": hook.pk,
        "name": "Reporting tool",
        "description": "Our database",
        "url": PUBLIC_URL,
        "events": ["commitment.published"],
        "active": True,
        "disabled_at": None,
        "disabled_reason": None,
        "consecutive_failures": 0,
        "secret_hint": hook.secret[:10] + "…",
        "deliveries_url": f"http://testserver/api/v1/webhooks/{hook.pk}/deliveries/",
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
        "secret": hook.secret,
    }
    read = body(api.get(f"webhooks/{hook.pk}/", token=alice_token))
    assert "secret" not in read and hook.secret not in str(read)
    listed = body(api.get("webhooks/", token=alice_token))["results"]
    assert [item["id"] for item in listed] == [hook.pk] and "secret" not in listed[0]


def test_rotating_the_secret_shows_the_new_one(api, alice_token, alice_hook):
    response = api.post(f"webhooks/{alice_hook['id']}/rotate-secret/", token=alice_token)
    assert response.status_code == 200
    assert body(response)["secret"] == Webhook.objects.get().secret != alice_hook["secret"]


def test_a_hook_is_changed_disabled_and_enabled(api, alice_token, alice_hook):
    path = f"webhooks/{alice_hook['id']}/"
    changed = body(
        api.patch(path, {"events": ["progress.posted", "partner.approved"]}, token=alice_token)
    )
    assert changed["events"] == ["partner.approved", "progress.posted"]
    disabled = body(api.patch(path, {"active": False}, token=alice_token))
    assert disabled["active"] is False and disabled["disabled_reason"] == "manual"
    assert disabled["disabled_at"] is not None
    enabled = body(api.patch(path, {"active": True, "name": "Renamed"}, token=alice_token))
    assert enabled["active"] is True and enabled["name"] == "Renamed"
    assert enabled["disabled_reason"] is None


def test_a_hook_is_deleted_with_its_deliveries(api, alice_token, alice_hook):
    hook = Webhook.objects.get()
    WebhookDelivery.objects.create(hook=hook, event="ping", body="{}", status="failed")
    assert api.delete(f"webhooks/{hook.pk}/", token=alice_token).status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
    assert api.get(f"webhooks/{hook.pk}/", token=alice_token).status_code == 404


# Permissions ---------------------------------------------------------------------------------


OPERATIONS = [
    ("get", "webhooks/{id}/"),
    ("patch", "webhooks/{id}/"),
    ("delete", "webhooks/{id}/"),
    ("post", "webhooks/{id}/rotate-secret/"),
    ("post", "webhooks/{id}/ping/"),
    ("get", "webhooks/{id}/deliveries/"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_only_the_owner_reaches_a_hook(api, alice_hook, charlie, sam, method, path):
    path = path.format(id=alice_hook["id"])
    assert api.request(method, path).status_code == 401
    for other in (charlie, sam):  # another person, the Secretariat (which has the admin)
        assert api.request(method, path, token=token_of(other)).status_code == 404
    assert Webhook.objects.get().secret == alice_hook["secret"]  # nothing changed
    assert Webhook.objects.get().active


def test_the_list_needs_a_token_and_shows_only_ones_own(api, alice_hook, charlie_token):
    assert api.get("webhooks/").status_code == 401
    assert api.post("webhooks/", {"url": PUBLIC_URL}).status_code == 401
    assert body(api.get("webhooks/", token=charlie_token)) == {"results": []}


def test_an_unknown_hook_is_404(api, alice_token):
    assert api.get("webhooks/999999/", token=alice_token).status_code == 404


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "http://127.0.0.1:8000/"}, "url", "private network"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "url", "private network"),
        ({"url": "http://localhost/hook"}, "url", "private network"),
        ({"url": "ftp://hooks.example.org/"}, "url", "http or https"),
        ({"url": "http://[::1"}, "url", "http or https"),
        ({"url": "https://hooks.example.org:99999/"}, "url", "http or https"),
        ({"url": "https://no-such-host.invalid/"}, "url", "does not resolve"),
        ({"url": ""}, "url", ""),
        ({"events": ["partner.deleted"]}, "events.0", ""),
        ({"events": []}, "events", ""),
        ({"events": "partner.approved"}, "events", ""),
        ({"name": "x" * 101}, "name", ""),
    ],
)
def test_bad_input_is_400_with_the_field(api, alice_token, public_dns, data, field, message):
    response = create(api, alice_token, **data)
    assert response.status_code == 400, response.content
    errors = body(response)["fields"][field]
    assert message in errors[0]["message"]
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_when_changing_a_hook_too(api, alice_token, alice_hook):
    response = api.patch(
        f"webhooks/{alice_hook['id']}/", {"url": "http://10.0.0.8/"}, token=alice_token
    )
    assert response.status_code == 400
    assert "private network" in body(response)["fields"]["url"][0]["message"]
    assert Webhook.objects.get().url == PUBLIC_URL


def test_the_number_of_hooks_is_limited_with_a_clear_error(api, alice_token, public_dns):
    from secretariat.webhook_services import MAX_WEBHOOKS_PER_USER

    for _n in range(MAX_WEBHOOKS_PER_USER):
        assert create(api, alice_token).status_code == 201
    response = create(api, alice_token)
    assert response.status_code == 400
    assert body(response)["code"] == "refused" and "delete one" in body(response)["message"]


@pytest.mark.parametrize("query", ["?cursor=abc", "?page_size=0", "?page_size=100000"])
def test_bad_paging_of_deliveries_is_400(api, alice_token, alice_hook, query):
    response = api.get(f"webhooks/{alice_hook['id']}/deliveries/{query}", token=alice_token)
    assert response.status_code == 400


# Deliveries and the test event -----------------------------------------------------------------


def test_ping_and_deliveries_show_the_receivers_answers(
    api, receiver, acme, alice, sam, run_queued_tasks
):
    token = token_of(alice)
    created = body(create(api, token, url=receiver.url))
    receiver.secret = created["secret"]
    receiver.answers = [500]
    with run_queued_tasks():
        make_published(acme, alice, sam, title="Apprenticeships")
    with run_queued_tasks():
        response = api.post(f"webhooks/{created['id']}/ping/", token=token)
    assert response.status_code == 202 and body(response)["event"] == "ping"

    page = body(api.get(f"webhooks/{created['id']}/deliveries/?page_size=1", token=token))
    (ping,) = page["results"]
    assert ping["event"] == "ping" and ping["status"] == "succeeded"
    assert ping["response_status"] == 200 and ping["response_excerpt"] == '{"ok": true}'
    assert ping["payload"]["data"]["webhook"]["id"] == created["id"]
    assert page["next"]
    older = body(api.get(page["next"], token=token))
    (published,) = older["results"]
    assert older["next"] is None
    assert published["event"] == "commitment.published" and published["status"] == "pending"
    assert published["response_status"] == 500 and published["attempts"] == 1
    assert published["next_attempt_at"] is not None
    assert published["payload"]["data"]["title"] == "Apprenticeships"
    assert published["id"] == published["payload"]["id"] == receiver.received[0].delivery
    hook = body(api.get(f"webhooks/{created['id']}/", token=token))
    assert hook["consecutive_failures"] == 0  # the ping succeeded after the failure


def test_a_disabled_hook_gets_no_ping(api, alice_token, alice_hook):
    path = f"webhooks/{alice_hook['id']}/"
    api.patch(path, {"active": False}, token=alice_token)
    response = api.post(f"{path}ping/", token=alice_token)
    assert response.status_code == 400 and "disabled" in body(response)["message"]


def test_a_hook_disabled_by_failures_says_so(api, alice_token, alice_hook):
    Webhook.objects.update(
        active=False,
        disabled_at=timezone.now(),
        disabled_reason="failures",
        consecutive_failures=webhooks.DISABLE_AFTER_FAILURES,
    )
    record = body(api.get(f"webhooks/{alice_hook['id']}/", token=alice_token))
    assert record["disabled_reason"] == "failures" and record["consecutive_failures"] == 10


def test_the_documented_signature_check_accepts_ours_and_refuses_forgeries(openapi):
    description = openapi["info"]["description"]
    assert webhooks.SIGNATURE_HEADER in description
    code = description.split("```python")[-1].split("```")[0]
    namespace = {}
    exec(code, namespace)  # the example a receiver copies, run as they would
    verify = namespace["verify"]
    body_bytes = b'{"event": "commitment.published"}'
    header = webhooks.sign("whsec_abc", body_bytes)
    assert verify("whsec_abc", header, body_bytes)
    assert not verify("whsec_other", header, body_bytes)
    assert not verify("whsec_abc", header, body_bytes + b" ")
    assert not verify("whsec_abc", webhooks.sign("whsec_abc", body_bytes, timestamp=1), body_bytes)


def test_lists_cost_a_constant_number_of_queries(
    api, alice_token, alice_hook, django_assert_num_queries
):
    hook = Webhook.objects.get()
    for _n in range(2):
        create(api, alice_token)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(hook=hook, event="ping", body="{}", status="failed") for _n in range(20)
    )
    api.get("webhooks/", token=alice_token)  # records the token's last use, once
    # The token and its user; the hooks.
    with django_assert_num_queries(2):
        assert len(body(api.get("webhooks/", token=alice_token))["results"]) == 3
    # The token and its user; the hook; a page of its deliveries.
    with django_assert_num_queries(3):
        page = body(api.get(f"webhooks/{hook.pk}/deliveries/?page_size=5", token=alice_token))
    assert len(page["results"]) == 5 and page["next"]
