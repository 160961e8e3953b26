"""The content of a commitment as one JSON-ready dict: what a partner writes, what a revision
proposes, what a published version keeps, and what two versions are compared by.

    {"title": ..., "thematic_areas": ["employment"], "sdgs": [8], "regions": ["002"],
     "countries": ["KE"], "start_date": "2025-01-01", "resources_amount": "1000.00", ...,
     "deliverables": [{"id": 12, "title": ..., "indicator": ..., "baseline": ...,
                       "target": ..., "due_date": "2025-06-30"}]}

Vocabularies are kept by code (stable, DESIGN.md), dates as ISO strings, amounts as strings.
Everything here is pure: no database access, except through the `Vocabulary` handed in.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as all_countries

from commitments.models import Level, ResourceType
from partners.models import WORKING_LANGUAGES

LIST_FIELDS = ("thematic_areas", "priorities", "sdgs", "regions", "countries", "resource_types")
TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "level",
    "resources_description",
    "resources_currency",
    "expected_results",
    "language",
)
DELIVERABLE_FIELDS = ("title", "indicator", "baseline", "target", "due_date")

# In the order the form and the page show them.
FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Summary"),
    "description": gettext_lazy("Description"),
    "thematic_areas": gettext_lazy("Thematic areas"),
    "priorities": gettext_lazy("Initial priorities"),
    "sdgs": gettext_lazy("Sustainable Development Goals"),
    "level": gettext_lazy("Level of action"),
    "regions": gettext_lazy("Regions"),
    "countries": gettext_lazy("Countries"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "resource_types": gettext_lazy("Resources committed"),
    "resources_description": gettext_lazy("Resources: description"),
    "resources_amount": gettext_lazy("Resources: amount"),
    "resources_currency": gettext_lazy("Resources: currency"),
    "expected_results": gettext_lazy("Expected results"),
    "language": gettext_lazy("Language of the text"),
    "links": gettext_lazy("Links"),
}
DELIVERABLE_LABELS = {
    "title": gettext_lazy("What will be delivered"),
    "indicator": gettext_lazy("Indicator"),
    "baseline": gettext_lazy("Baseline"),
    "target": gettext_lazy("Target"),
    "due_date": gettext_lazy("Due date"),
}


@dataclass
class Vocabulary:
    """Names of the vocabulary codes, for display (built by `selectors.vocabulary`)."""

    thematic_areas: dict[str, str] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    sdgs: dict[int, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)


def _iso(value) -> str | None:
    if value in (None, ""):
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _amount(value) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return None


def parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def normalize(raw: dict) -> dict:
    """Brings a content dict from any source (form, API, JSON) to the canonical form.

    Geography follows the level: a global action lists no region or country, a national one no
    region (a regional one may name the countries it focuses on).
    """
    content = {name: (raw.get(name) or "").strip() for name in TEXT_FIELDS}
    content["resources_currency"] = content["resources_currency"].upper()
    for name in LIST_FIELDS:
        values = raw.get(name) or []
        if name == "sdgs":
            values = sorted({int(value) for value in values})
        else:
            values = sorted({str(value) for value in values})
        content[name] = values
    content["start_date"] = _iso(raw.get("start_date"))
    content["end_date"] = _iso(raw.get("end_date"))
    content["resources_amount"] = _amount(raw.get("resources_amount"))
    content["links"] = [link.strip() for link in raw.get("links") or [] if link and link.strip()]
    if content["level"] == Level.GLOBAL:
        content["regions"], content["countries"] = [], []
    elif content["level"] == Level.NATIONAL:
        content["regions"] = []
    content["deliverables"] = [
        {
            "id": int(item["id"]) if item.get("id") else None,
            **{name: (item.get(name) or "").strip() for name in DELIVERABLE_FIELDS[:-1]},
            "due_date": _iso(item.get("due_date")),
        }
        for item in raw.get("deliverables") or []
    ]
    return content


def content_of(commitment) -> dict:
    """The commitment row's content (expects its relations prefetched to stay cheap)."""
    return normalize(
        {
            **{name: getattr(commitment, name) for name in TEXT_FIELDS},
            "thematic_areas": [area.code for area in commitment.thematic_areas.all()],
            "priorities": [priority.code for priority in commitment.priorities.all()],
            "sdgs": [goal.number for goal in commitment.sdgs.all()],
            "regions": [region.m49 for region in commitment.regions.all()],
            "countries": [country.code for country in commitment.countries],
            "resource_types": commitment.resource_types,
            "start_date": commitment.start_date,
            "end_date": commitment.end_date,
            "resources_amount": commitment.resources_amount,
            "links": commitment.links,
            "deliverables": [
                {"id": item.pk, **{name: getattr(item, name) for name in DELIVERABLE_FIELDS}}
                for item in commitment.deliverables.all()
                # A dropped deliverable is no longer part of what is promised.
                if item.status != "dropped"
            ],
        }
    )


def content_errors(content: dict) -> list[tuple[str, str]]:
    """The rules every saved commitment obeys, as (field, message) pairs; deliverable fields are
    named `deliverables.<index>.<field>`. Used by the form (all errors at once, next to their
    fields) and by the services (the first one, for every other caller)."""
    errors = []
    for name in ("title", "summary", "level", "language"):
        if not content.get(name):
            errors.append((name, _("This field is required.")))
    if not content.get("thematic_areas"):
        errors.append(("thematic_areas", _("Choose at least one thematic area.")))
    start, end = parse_date(content.get("start_date")), parse_date(content.get("end_date"))
    if start is None:
        errors.append(("start_date", _("Give the start date.")))
    if end is None:
        errors.append(("end_date", _("Give the end date.")))
    if start and end and end <= start:
        errors.append(("end_date", _("The end date comes after the start date.")))
    level = content.get("level")
    if level == Level.REGIONAL and not content.get("regions"):
        errors.append(("regions", _("A regional commitment names at least one region.")))
    if level == Level.NATIONAL and not content.get("countries"):
        errors.append(("countries", _("A national commitment names its country or countries.")))
    validate_url = URLValidator(schemes=["http", "https"])
    for link in content.get("links") or []:
        try:
            validate_url(link)
        except ValidationError:
            errors.append(
                ("links", _("“%(link)s” is not a web address (https://…).") % {"link": link})
            )
            break
    if content.get("resources_amount") and not content.get("resources_currency"):
        errors.append(("resources_currency", _("Give the currency of the amount.")))
    for index, item in enumerate(content.get("deliverables") or []):
        prefix = f"deliverables.{index}."
        if not item.get("title"):
            errors.append((prefix + "title", _("Say what will be delivered.")))
        if not item.get("indicator"):
            errors.append(
                (prefix + "indicator", _("Give a measurable indicator for this deliverable."))
            )
        if not item.get("target"):
            errors.append((prefix + "target", _("Give the target to reach.")))
        due = parse_date(item.get("due_date"))
        if due is None:
            errors.append((prefix + "due_date", _("Give the due date.")))
        elif start and end and not start <= due <= end:
            errors.append(
                (
                    prefix + "due_date",
                    _("The due date falls within the commitment's period (%(start)s to %(end)s).")
                    % {"start": start.isoformat(), "end": end.isoformat()},
                )
            )
    return errors


# Display -------------------------------------------------------------------------------------


def _names(codes, names: dict) -> str:
    return ", ".join(str(names.get(code, code)) for code in codes)


def display_value(name: str, value, vocabulary: Vocabulary) -> str:
    """A field's value as a person reads it."""
    if value in (None, "", []):
        return "—"
    if name in ("thematic_areas", "priorities", "sdgs", "regions"):
        return _names(value, getattr(vocabulary, name))
    if name == "countries":
        return ", ".join(str(all_countries.name(code) or code) for code in value)
    if name == "level":
        return str(Level(value).label) if value in Level.values else value
    if name == "resource_types":
        labels = dict(ResourceType.choices)
        return ", ".join(str(labels.get(code, code)) for code in value)
    if name == "language":
        return str(dict(WORKING_LANGUAGES).get(value, value))
    if name == "links":
        return "\n".join(value)
    return str(value)


@dataclass
class Change:
    """One difference between two contents, as shown to people."""

    label: str
    old: str
    new: str
    kind: str = "changed"  # changed, added or removed


def content_diff(old: dict, new: dict, vocabulary: Vocabulary) -> list[Change]:
    """What changed from `old` to `new`: fields, then deliverables (matched by their id)."""
    changes = []
    for name, label in FIELD_LABELS.items():
        before, after = old.get(name), new.get(name)
        if before != after and (before or after):
            changes.append(
                Change(
                    str(label),
                    display_value(name, before, vocabulary),
                    display_value(name, after, vocabulary),
                )
            )
    old_items = {item["id"]: item for item in old.get("deliverables") or [] if item.get("id")}
    seen = set()
    for item in new.get("deliverables") or []:
        previous = old_items.get(item.get("id"))
        if previous is None:
            changes.append(
                Change(
                    str(_("Deliverable added: %(title)s") % {"title": item["title"]}),
                    "—",
                    _deliverable_summary(item),
                    "added",
                )
            )
            continue
        seen.add(item["id"])
        for name, label in DELIVERABLE_LABELS.items():
            if (previous.get(name) or "") != (item.get(name) or ""):
                changes.append(
                    Change(
                        str(
                            _("Deliverable “%(title)s”: %(field)s")
                            % {"title": previous["title"], "field": label}
                        ),
                        previous.get(name) or "—",
                        item.get(name) or "—",
                    )
                )
    for item_id, item in old_items.items():
        if item_id not in seen:
            changes.append(
                Change(
                    str(_("Deliverable removed: %(title)s") % {"title": item["title"]}),
                    _deliverable_summary(item),
                    "—",
                    "removed",
                )
            )
    return changes


def _deliverable_summary(item: dict) -> str:
    return _("%(indicator)s: %(baseline)s → %(target)s by %(due)s") % {
        "indicator": item.get("indicator") or "—",
        "baseline": item.get("baseline") or "—",
        "target": item.get("target") or "—",
        "due": item.get("due_date") or "—",
    }
