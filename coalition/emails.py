"""Emails of the registry: a plain-text and an HTML part, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_templated_email(
    *, to: str, language: str, template: str, context: dict, headers: dict | None = None
) -> None:
    """Renders `emails/<template>.subject.txt`, `.txt` and `.html` in `language` and sends them."""
    with translation.override(language):
        context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()
