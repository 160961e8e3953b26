"""iCalendar (RFC 5545) files of the Forum's programme, written by hand.

A programme only needs VEVENTs with text, times and a URL: about sixty lines here against a
dependency. What the RFC asks and this module does: CRLF line endings (3.1), lines folded at 75
octets without splitting a UTF-8 character (3.1), TEXT values escaped (3.3.11), a UID and a
DTSTAMP in each event (3.6.1), and times in UTC with the `Z` suffix (3.3.5, form 2), which every
calendar converts to its user's zone.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from coalition.emails import absolute_url
from forum.models import Session

PRODUCT_ID = "-//Global Coalition for Social Justice//Coalition Registry//EN"
MAX_LINE_OCTETS = 75
CONTENT_TYPE = "text/calendar; charset=utf-8"


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Splits a content line into lines of at most 75 octets; continuations start with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts = []
    limit = MAX_LINE_OCTETS
    current = b""
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = MAX_LINE_OCTETS - 1  # the leading space counts
        current += octets
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _location(session: Session) -> str:
    edition = session.edition
    places = [session.room] if session.room else []
    if edition.in_person and edition.place:
        places.append(edition.place)
    if not places and session.link:
        places.append(session.link)
    return ", ".join(places)


def _event_lines(session: Session, *, stamp: datetime) -> list[str]:
    speakers = ", ".join(speaker.display_name for speaker in session.speakers.all())
    description = "\n\n".join(part for part in (session.description, speakers) if part)
    lines = [
        "BEGIN:VEVENT",
        f"UID:forum-session-{session.pk}@{_host()}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(session.starts_at)}",
        f"DTEND:{format_utc(session.ends_at)}",
        f"LAST-MODIFIED:{format_utc(session.updated_at)}",
        f"SUMMARY:{escape_text(session.title)}",
        f"URL:{absolute_url(session.get_absolute_url())}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    location = _location(session)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if session.thematic_area_id:
        lines.append(f"CATEGORIES:{escape_text(session.thematic_area.name)}")
    lines.append("END:VEVENT")
    return lines


def build_calendar(*, sessions: Iterable[Session], name: str) -> bytes:
    """The calendar of `sessions` (with their edition, thematic area and speakers fetched)."""
    stamp = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for session in sessions:
        lines.extend(_event_lines(session, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines).encode("utf-8")
