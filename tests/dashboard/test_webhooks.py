"""Webhook signing, delivery to a receiver on loopback that checks the signature, the retry and
disable policy, and the refusal of private addresses."""

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from secretariat import webhooks

SECRET = "whsec_test"


@pytest.fixture
def receiver():
    """An HTTP receiver on 127.0.0.1 that verifies each delivery as a client's server would."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            valid = webhooks.verify(SECRET, self.headers[webhooks.SIGNATURE_HEADER], body)
            received.append(
                {"body": body, "valid": valid, "event": self.headers[webhooks.EVENT_HEADER]}
            )
            self.send_response(204 if valid else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_a_signed_delivery_is_verified_by_the_receiver(receiver):
    url, received = receiver
    body = json.dumps({"event": "commitment.published", "id": 7}).encode()
    attempt = webhooks.send(
        url=url,
        secret=SECRET,
        event="commitment.published",
        delivery_id="d-1",
        body=body,
        allow_private=True,
    )
    assert attempt.ok and attempt.status_code == 204
    assert received == [{"body": body, "valid": True, "event": "commitment.published"}]


def test_a_delivery_signed_with_another_secret_is_refused_by_the_receiver(receiver):
    url, received = receiver
    attempt = webhooks.send(
        url=url, secret="other", event="progress.posted", delivery_id="d", body=b"{}",
        allow_private=True,
    )  # fmt: skip
    assert not attempt.ok and attempt.status_code == 401 and received[0]["valid"] is False


def test_a_signature_fails_on_a_changed_body_or_an_old_timestamp():
    header = webhooks.sign(SECRET, b'{"a":1}', timestamp=1_000_000)
    assert webhooks.verify(SECRET, header, b'{"a":1}', now=1_000_100)
    assert not webhooks.verify(SECRET, header, b'{"a":2}', now=1_000_100)
    assert not webhooks.verify(SECRET, header, b'{"a":1}', now=1_000_000 + 301)  # a replay
    assert not webhooks.verify(SECRET, "garbage", b"{}")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_addresses_are_refused(url):
    with pytest.raises(webhooks.WebhookError):
        webhooks.check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "https://user:pw@example.org/", "http://"]
)
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(webhooks.WebhookError):
        webhooks.check_url(url, allow_private=True)


def test_a_public_address_is_accepted(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0))],
    )
    webhooks.check_url("https://hooks.example.org/coalition", allow_private=False)


def test_a_delivery_to_a_private_address_is_not_sent(receiver, settings):
    url, received = receiver
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    attempt = webhooks.send(url=url, secret=SECRET, event="e", delivery_id="d", body=b"{}")
    assert not attempt.ok and attempt.status_code is None and "private" in attempt.error
    assert received == []


def test_a_receiver_that_is_down_is_a_failed_attempt():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nobody listens there
    attempt = webhooks.send(
        url=f"http://127.0.0.1:{port}/", secret=SECRET, event="e", delivery_id="d", body=b"{}",
        allow_private=True,
    )  # fmt: skip
    assert not attempt.ok and attempt.error == "ConnectionError"


def test_retries_back_off_then_stop_and_a_failing_hook_is_disabled():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [webhooks.next_attempt_at(n, now) - now for n in range(1, 6)]
    assert delays == sorted(delays) and delays[0] == timedelta(minutes=1)
    assert webhooks.next_attempt_at(6, now) is None
    assert not webhooks.should_disable(9) and webhooks.should_disable(10)
