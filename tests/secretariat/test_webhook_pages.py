"""The account pages of webhooks: who reaches them, what each form does, the secret shown once,
private addresses refused, deliveries listed with the receiver's answers; then the whole
journey in Chromium, checked with axe."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.urls import reverse

from coalition.celery import app as celery_app
from secretariat import webhook_services
from secretariat.models import Webhook, WebhookAttempt, WebhookDelivery
from tests.browser import assert_accessible
from tests.factories import UserFactory
from tests.secretariat.webhook_receiver import receiver_fixture  # noqa: F401


@pytest.fixture
def hook(alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    return webhook_services.webhook_create(
        owner=alice, url="http://127.0.0.1:9/hook", events=["partner.approved"], name="Tool"
    )


def url(name: str, hook=None) -> str:
    return reverse(f"webhooks:{name}", kwargs={"pk": hook.pk} if hook else None)


# Who reaches the pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_need_a_login(client, hook):
    for address in (url("list"), url("create"), url("detail", hook), url("edit", hook)):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url("detail", hook), {"action": "disable"}).status_code == 302
    assert Webhook.objects.get().active


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["detail", "edit", "delete"])
def test_another_persons_hook_is_404_even_to_the_secretariat(client, hook, charlie, sam, name):
    secret = hook.secret
    for person in (charlie, sam):
        client.force_login(person)
        assert client.get(url(name, hook)).status_code == 404
        assert client.post(url(name, hook), {"action": "rotate"}).status_code == 404
    assert Webhook.objects.get(pk=hook.pk).secret == secret


@pytest.mark.django_db
def test_the_list_shows_only_ones_own_hooks_with_their_state(client, hook, charlie):
    client.force_login(charlie)
    assert "127.0.0.1:9" not in client.get(url("list")).text
    client.force_login(hook.owner)
    webhook_services.webhook_disable(hook=hook, actor=hook.owner)
    page = client.get(url("list")).text
    assert "Tool" in page and "http://127.0.0.1:9/hook" in page and "Disabled on" in page
    assert hook.secret not in page


@pytest.mark.django_db
def test_the_account_page_links_to_the_webhooks(client, alice):
    client.force_login(alice)
    assert url("list") in client.get(reverse("account_profile")).text


# Forms -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_a_hook_shows_its_secret_once(client, alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    client.force_login(alice)
    response = client.post(
        url("create"),
        {"url": "http://127.0.0.1:9/in", "events": ["commitment.published", "progress.posted"]},
    )
    hook = Webhook.objects.get()
    assert response.status_code == 200 and hook.secret in response.text
    assert "no-store" in response["Cache-Control"]
    assert hook.events == ["commitment.published", "progress.posted"]
    later = client.get(url("detail", hook))
    assert hook.secret not in later.text and hook.secret_hint in later.text


@pytest.mark.django_db
def test_a_private_address_is_refused_in_production(client, alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(alice)
    response = client.post(
        url("create"), {"url": "http://192.168.1.10/hook", "events": ["partner.approved"]}
    )
    assert response.status_code == 200 and not Webhook.objects.exists()
    form = response.context["form"]
    assert "private network" in form.errors["url"][0]
    assert 'aria-invalid="true"' in response.text


@pytest.mark.django_db
def test_no_event_or_an_unknown_one_is_refused(client, alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    client.force_login(alice)
    for events in ([], ["partner.deleted"]):
        response = client.post(url("create"), {"url": "http://127.0.0.1/", "events": events})
        assert response.context["form"].errors["events"]
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_the_limit_of_hooks_is_explained(client, alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    for _n in range(webhook_services.MAX_WEBHOOKS_PER_USER):
        webhook_services.webhook_create(
            owner=alice, url="http://127.0.0.1/", events=["partner.approved"]
        )
    client.force_login(alice)
    assert url("create") not in client.get(url("list")).text
    response = client.post(url("create"), {"url": "http://127.0.0.1/", "events": ["ping"]})
    assert response.status_code == 200
    response = client.post(
        url("create"), {"url": "http://127.0.0.1/", "events": ["partner.approved"]}
    )
    assert "delete one first" in response.text


@pytest.mark.django_db
def test_a_hook_is_changed(client, hook):
    client.force_login(hook.owner)
    form = client.get(url("edit", hook))
    assert 'value="http://127.0.0.1:9/hook"' in form.text
    response = client.post(
        url("edit", hook),
        {"url": "http://127.0.0.1:9/other", "events": ["progress.posted"], "name": "New"},
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.name) == (
        "http://127.0.0.1:9/other",
        ["progress.posted"],
        "New",
    )


@pytest.mark.django_db
def test_disable_enable_and_rotate(client, hook):
    client.force_login(hook.owner)
    old_secret = hook.secret
    client.post(url("detail", hook), {"action": "disable"})
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_reason == "manual"
    client.post(url("detail", hook), {"action": "enable"})
    hook.refresh_from_db()
    assert hook.active
    response = client.post(url("detail", hook), {"action": "rotate"})
    hook.refresh_from_db()
    assert hook.secret != old_secret and hook.secret in response.text
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_hook_is_deleted_after_confirmation(client, hook):
    client.force_login(hook.owner)
    confirmation = client.get(url("delete", hook))
    assert "cannot be undone" in confirmation.text and Webhook.objects.exists()
    response = client.post(url("delete", hook))
    assert response.status_code == 302 and response["Location"] == url("list")
    assert not Webhook.objects.exists()


# Deliveries ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_ping_and_its_answer_are_listed(client, alice, receiver, run_queued_tasks):
    hook = webhook_services.webhook_create(
        owner=alice, url=receiver.url, events=["partner.approved"]
    )
    receiver.secret = hook.secret
    client.force_login(alice)
    with run_queued_tasks():
        response = client.post(url("detail", hook), {"action": "ping"}, follow=True)
    assert "The test event is on its way" in response.text
    page = client.get(url("detail", hook)).text
    assert "HTTP 200" in page and "{&quot;ok&quot;: true}" in page
    assert receiver.valid[0].event == "ping"


@pytest.mark.django_db
def test_deliveries_are_paginated_and_a_failed_one_sent_again(client, hook, charlie):
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(hook=hook, event="partner.approved", body="{}", status="failed")
        for _n in range(30)
    )
    WebhookAttempt.objects.create(
        delivery=rows[-1],
        attempted_at=hook.created_at,
        response_status=503,
        response_excerpt="Service unavailable here",
    )
    client.force_login(hook.owner)
    first = client.get(url("detail", hook))
    assert first.context["page"].paginator.num_pages == 2
    assert "Service unavailable here" in first.text and "HTTP 503" in first.text
    assert len(client.get(url("detail", hook) + "?page=2").context["page"].object_list) == 5
    response = client.post(
        url("detail", hook), {"action": "retry", "delivery": str(rows[0].uuid)}, follow=True
    )
    assert "The delivery will be sent again." in response.text
    rows[0].refresh_from_db()
    assert rows[0].status == "pending"
    # A delivery of another hook, or garbage, changes nothing.
    others = webhook_services.webhook_create(
        owner=charlie, url="http://127.0.0.1:9/other", events=["partner.approved"]
    )
    theirs = WebhookDelivery.objects.create(
        hook=others, event="partner.approved", body="{}", status="failed"
    )
    for delivery in (str(theirs.uuid), "nonsense"):
        response = client.post(url("detail", hook), {"action": "retry", "delivery": delivery})
        assert response.status_code == 302
        assert not list(get_messages(response.wsgi_request))
    theirs.refresh_from_db()
    assert theirs.status == "failed"


@pytest.mark.django_db
def test_the_pages_cost_a_constant_number_of_queries(client, hook, django_assert_num_queries):
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(hook=hook, event="partner.approved", body="{}", status="failed")
        for _n in range(30)
    )
    WebhookAttempt.objects.bulk_create(
        WebhookAttempt(delivery=delivery, attempted_at=hook.created_at, response_status=500)
        for delivery in deliveries
    )
    client.force_login(hook.owner)
    # The session and its user; the hooks.
    with django_assert_num_queries(3):
        client.get(url("list"))
    # The session and its user; the hook; the count of its deliveries, a page of them and
    # their attempts.
    with django_assert_num_queries(6):
        client.get(url("detail", hook))


@pytest.mark.django_db
def test_the_pages_speak_the_persons_language(client, hook):
    client.force_login(hook.owner)
    response = client.get("/fr" + url("detail", hook))
    assert response.status_code == 200 and '<html lang="fr"' in response.text


# In Chromium -----------------------------------------------------------------------------------

PASSWORD = "a long and unusual passphrase"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_person_manages_a_webhook_on_accessible_pages(live_server, page, receiver, monkeypatch):
    """The pages have no script of their own (axe needs the browser's): every step is a form."""
    # The test event's task runs in the server's thread when the request commits, so that the
    # page that follows lists its answer.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    person = UserFactory(email="rosa@example.org")
    person.set_password(PASSWORD)
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Webhooks").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a webhook").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add the webhook").click()  # nothing filled in
    assert_accessible(page)  # the errors, tied to their fields
    page.get_by_label("Address (URL)").fill(receiver.url)
    page.get_by_label("A commitment is published").check()
    page.get_by_label("Name").fill("Reporting tool")
    page.get_by_role("button", name="Add the webhook").click()
    assert_accessible(page)  # the secret, shown once
    secret = page.get_by_role("textbox", name="Secret").input_value()
    hook = Webhook.objects.get()
    assert secret == hook.secret
    receiver.secret = secret

    page.get_by_role("button", name="Send a test event").click()
    assert_accessible(page)
    assert page.get_by_text("HTTP 200").is_visible()
    assert [item.event for item in receiver.valid] == ["ping"]
    page.get_by_role("link", name="Change the address or the events").click()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Disable").click()
    assert_accessible(page)
    page.get_by_role("link", name="Delete the webhook").click()
    assert_accessible(page)
    page.get_by_role("button", name="Delete the webhook").click()
    assert_accessible(page)
    assert not Webhook.objects.exists()
    assert all(item.valid for item in receiver.received)
