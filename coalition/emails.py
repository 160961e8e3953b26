"""Emails of the registry: a plain-text and an HTML part, in the recipient's language.

Every email goes through the delivery log of the `secretariat` app, which records it under an
idempotency key before sending it, so a retried task never sends it twice. The core app sits at
the bottom of the import chain and can't import the log: the `secretariat` app registers it here
when Django starts (`register_outbox`), and the apps below it call `send_templated_email`.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(*, template: str, language: str, context: dict) -> RenderedEmail:
    """Renders `emails/<template>.subject.txt`, `.txt` and `.html` in `language`."""
    with translation.override(language):
        context = {"site_url": settings.SITE_URL, "language": language, **context}
        subject = render_to_string(f"emails/{template}.subject.txt", context)
        # One line (a header can't hold a line break), keeping non-breaking spaces: French puts
        # one before a colon.
        subject = re.sub(r"[ \t\r\n]+", " ", subject).strip()
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", {**context, "subject": subject})
    return RenderedEmail(subject=subject, text=text, html=html)


@dataclass(frozen=True)
class OutgoingEmail:
    """One email to one person, and the key that makes it unique: (kind, recipient, about,
    period). `recipient` is the account when there is one; `to` is the address written to."""

    kind: str
    to: str
    language: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    recipient: Any = None  # coalition.models.User | None
    about: models.Model | None = None
    period: str = ""
    headers: dict[str, str] = field(default_factory=dict)


Outbox = Callable[[OutgoingEmail], None]
_outbox: Outbox | None = None


def register_outbox(outbox: Outbox) -> None:
    """Called once by the app that keeps the delivery log, from its AppConfig.ready()."""
    global _outbox
    _outbox = outbox


def send_templated_email(
    *,
    to: str,
    language: str,
    template: str,
    context: dict,
    kind: str | None = None,
    recipient=None,
    about: models.Model | None = None,
    period: str = "",
    headers: dict | None = None,
) -> None:
    """Records the email in the delivery log and sends it now, once per key: calling this again
    with the same kind, recipient, subject object and period sends nothing more.

    Without a `kind`, the kind is the template's name and the key is the Message-ID given in
    `headers` (the same message is sent once), or nothing (each call sends: the caller keeps
    its own record of what it sent).
    """
    if _outbox is None:
        raise ImproperlyConfigured("No outbox is registered: is the secretariat app installed?")
    headers = dict(headers or {})
    if kind is None:
        kind = template.replace("/", ".")
        period = period or headers.get("Message-ID") or uuid.uuid4().hex
    _outbox(
        OutgoingEmail(
            kind=kind,
            to=to,
            language=language,
            template=template,
            context=context,
            recipient=recipient,
            about=about,
            period=period,
            headers=headers,
        )
    )
