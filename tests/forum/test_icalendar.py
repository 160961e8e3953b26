"""The iCalendar files of the programme follow RFC 5545: read back here with a strict reader of
the RFC's content-line grammar, independent of the writer."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from forum.icalendar import build_calendar, escape_text, fold
from tests.factories import ForumEditionFactory, SessionFactory, SpeakerFactory

# RFC 5545 3.1: name *(";" param) ":" value; names are IANA tokens or X-names.
CONTENT_LINE = re.compile(
    r'^(?P<name>[A-Za-z0-9-]+)(?P<params>(;[A-Za-z0-9-]+=("[^"]*"|[^;:,"]*)(,("[^"]*"|[^;:,"]*))*)*):(?P<value>.*)$'
)
UTC_DATE_TIME = re.compile(r"^\d{8}T\d{6}Z$")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse(content: bytes) -> list[dict]:
    """The calendar's components as dicts of property lists, checking the RFC's framing."""
    text = content.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical), "bare LF or CR"
    assert all(len(line.encode("utf-8")) <= 75 for line in physical), "line over 75 octets"
    logical = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    components, stack = [], []
    for line in logical:
        match = CONTENT_LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name, value = match["name"].upper(), match["value"]
        if name == "BEGIN":
            stack.append({"_type": value})
        elif name == "END":
            component = stack.pop()
            assert component["_type"] == value
            components.append(component)
        else:
            stack[-1].setdefault(name, []).append(value)
    assert not stack
    return components


@pytest.fixture
def programme(db):
    edition = ForumEditionFactory(year=2032)
    plenary = SessionFactory(
        edition=edition,
        title="Opening; plenary, with \\ backslash",
        description="Line one\nLine two; with, punctuation " + "é" * 80,
        room="Assembly hall",
    )
    SpeakerFactory(session=plenary, name="Amina Diallo")
    SessionFactory(
        edition=edition,
        title="Workshop",
        starts_at=plenary.starts_at + timedelta(hours=3),
        ends_at=plenary.starts_at + timedelta(hours=4),
        thematic_area=None,
    )
    return edition, plenary


def test_the_programme_calendar_is_valid_icalendar(client, programme):
    edition, plenary = programme
    response = client.get(reverse("forum:edition_calendar", kwargs={"year": edition.year}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="forum-2032.ics"' in response["Content-Disposition"]

    components = parse(response.content)
    calendar = components[-1]
    assert calendar["_type"] == "VCALENDAR"
    assert calendar["VERSION"] == ["2.0"]
    assert calendar["PRODID"]
    events = [c for c in components if c["_type"] == "VEVENT"]
    assert len(events) == 2
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert len(event[required]) == 1, required
        for stamp in ("DTSTAMP", "DTSTART", "DTEND"):
            assert UTC_DATE_TIME.match(event[stamp][0])
    assert len({e["UID"][0] for e in events}) == 2

    opening = events[0]
    assert unescape(opening["SUMMARY"][0]) == plenary.title
    assert unescape(opening["DESCRIPTION"][0]).startswith("Line one\nLine two; with, punctuation é")
    assert "Amina Diallo" in unescape(opening["DESCRIPTION"][0])
    assert unescape(opening["LOCATION"][0]) == f"Assembly hall, {edition.place}"
    start = datetime.strptime(opening["DTSTART"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert start == plenary.starts_at
    assert opening["URL"][0].endswith(f"/forum/sessions/{plenary.pk}/")


def test_a_session_has_its_own_calendar_with_a_stable_uid(client, programme):
    _edition, plenary = programme
    url = reverse("forum:session_calendar", kwargs={"pk": plenary.pk})
    first, second = (parse(client.get(url).content) for _ in range(2))
    events = [c for c in first if c["_type"] == "VEVENT"]
    assert len(events) == 1
    assert events[0]["UID"] == next(c for c in second if c["_type"] == "VEVENT")["UID"]


def test_the_calendar_of_an_unpublished_edition_is_not_found(client, db):
    session = SessionFactory(edition=ForumEditionFactory(is_published=False))
    assert (
        client.get(reverse("forum:session_calendar", kwargs={"pk": session.pk})).status_code == 404
    )
    url = reverse("forum:edition_calendar", kwargs={"year": session.edition.year})
    assert client.get(url).status_code == 404


def test_long_lines_fold_without_splitting_a_character():
    line = "DESCRIPTION:" + "日本語テキスト" * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert parts[0] + "".join(part[1:] for part in parts[1:]) == line


def test_text_values_are_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_an_empty_programme_is_still_a_calendar():
    components = parse(build_calendar(sessions=[], name="Empty"))
    assert [c["_type"] for c in components] == ["VCALENDAR"]
