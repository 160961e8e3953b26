"""Webhooks, the parts that need no table: signing and verifying a delivery, refusing addresses
on private networks, sending one delivery, and the retry and disable policy.

The webhook registrations and their outbox of deliveries are in secretariat/webhook_services.py
(rules), webhook_tasks.py (sending, the sweep), api/webhooks.py and webhook_views.py. What is
here is what they call, so that a rule (the signature format, which address is refused) lives
in one place.

Signature (the same scheme as Stripe's, which receivers already know how to check): the header
`X-Coalition-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the hook's
secret>`. A receiver recomputes it and refuses a timestamp older than five minutes (replays).
"""

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from coalition.errors import ApplicationError

EVENTS = (
    "partner.approved",
    "commitment.published",
    "commitment.updated",
    "commitment.withdrawn",
    "progress.posted",
)
SIGNATURE_HEADER = "X-Coalition-Signature"
EVENT_HEADER = "X-Coalition-Event"
DELIVERY_HEADER = "X-Coalition-Delivery"
TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 10
RESPONSE_EXCERPT = 2000
# After a failed delivery, the next attempt waits this long; after the last, the delivery fails.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
# A hook whose deliveries failed this many times in a row is disabled and its owner emailed.
DISABLE_AFTER_FAILURES = 10


class WebhookError(ApplicationError):
    """A webhook address or delivery the registry refuses."""


def allow_private_addresses() -> bool:
    """Private and loopback addresses are refused unless a setting allows them (development and
    tests with a receiver on loopback); production leaves it off."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False))


# Signatures --------------------------------------------------------------------------------------


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance=TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: the signature matches the body and the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


# Addresses ---------------------------------------------------------------------------------------


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookError(_("This address's host name does not resolve."), field="url") from error
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def check_url(url: str, *, allow_private: bool | None = None) -> None:
    """Refuses an address a webhook may not point at: not http(s), or resolving to a private,
    loopback, link-local (cloud metadata), multicast or reserved address, which would let a
    client make the server request its own network. Checked on registration and again before
    every delivery (a name may resolve elsewhere later)."""
    try:
        parts = urlsplit(url)
        hostname, _port = parts.hostname, parts.port  # a bad port or IPv6 literal raises here
    except ValueError:
        raise WebhookError(_("Enter an http or https address."), field="url") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise WebhookError(_("Enter an http or https address."), field="url")
    if parts.username or parts.password:
        raise WebhookError(_("The address may not contain a user name or password."), field="url")
    if allow_private is None:
        allow_private = allow_private_addresses()
    if allow_private:
        return
    for address in _addresses(hostname):
        if not address.is_global or address.is_multicast:
            raise WebhookError(
                _("This address is on a private network: the registry does not call it."),
                field="url",
            )


# Delivery ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status_code: int | None
    response: str
    error: str


def send(
    *,
    url: str,
    secret: str,
    event: str,
    delivery_id: str,
    body: bytes,
    allow_private: bool | None = None,
) -> Attempt:
    """One attempt at a delivery: POST the JSON body, signed; a 2xx answer is a success. Never
    follows redirects (a redirect could lead to a private address)."""
    try:
        check_url(url, allow_private=allow_private)
    except WebhookError as error:
        return Attempt(ok=False, status_code=None, response="", error=error.message)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CoalitionRegistry-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, body),
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
    }
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as error:
        return Attempt(ok=False, status_code=None, response="", error=type(error).__name__)
    return Attempt(
        ok=200 <= response.status_code < 300,
        status_code=response.status_code,
        response=response.text[:RESPONSE_EXCERPT],
        error="",
    )


def next_attempt_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts; None once every retry is spent."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]


def should_disable(consecutive_failures: int) -> bool:
    return consecutive_failures >= DISABLE_AFTER_FAILURES
