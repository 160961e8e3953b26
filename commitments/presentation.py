"""What a commitment's content looks like to people: the same shape whether it comes from the
published row (the commitment page) or from a content dict (the preview before submitting, a
pending edit), so that one template shows both and they can't diverge."""

from dataclasses import dataclass

from django_countries import countries as all_countries

from commitments.content import Change, Vocabulary, content_diff, display_value, parse_date
from commitments.models import Commitment, CommitmentVersion, Deliverable, Level


def present_row(commitment: Commitment, data: dict) -> dict:
    """From the row and the relations `selectors.commitment_page_data` fetched."""
    return {
        "title": commitment.title,
        "summary": commitment.summary,
        "description": commitment.description,
        "language": commitment.get_language_display(),
        "language_code": commitment.language,
        "thematic_areas": [area.name for area in data["thematic_areas"]],
        "priorities": [priority.name for priority in data["priorities"]],
        "sdgs": [(goal.number, goal.name) for goal in data["sdgs"]],
        "level": commitment.get_level_display(),
        "regions": [region.name for region in data["regions"]],
        "countries": [country.name for country in commitment.countries],
        "start_date": commitment.start_date,
        "end_date": commitment.end_date,
        "resource_types": commitment.get_resource_type_labels(),
        "resources_description": commitment.resources_description,
        "resources_amount": commitment.resources_amount,
        "resources_currency": commitment.resources_currency,
        "expected_results": commitment.expected_results,
        "links": commitment.links,
        "deliverables": [
            {
                "title": item.title,
                "indicator": item.indicator,
                "baseline": item.baseline,
                "target": item.target,
                "due_date": item.due_date,
                "status": item.get_status_display(),
                "status_code": item.status,
            }
            for item in data["deliverables"]
        ],
    }


def present_content(content: dict, vocabulary: Vocabulary) -> dict:
    """From a content dict (a draft's preview, a pending edit, a published version)."""
    level = content.get("level")
    return {
        "title": content.get("title"),
        "summary": content.get("summary"),
        "description": content.get("description"),
        "language": display_value("language", content.get("language"), vocabulary),
        "language_code": content.get("language"),
        "thematic_areas": [
            vocabulary.thematic_areas.get(code, code) for code in content.get("thematic_areas", [])
        ],
        "priorities": [
            vocabulary.priorities.get(code, code) for code in content.get("priorities", [])
        ],
        "sdgs": [
            (number, vocabulary.sdgs.get(number, str(number)).split(". ", 1)[-1])
            for number in content.get("sdgs", [])
        ],
        "level": Level(level).label if level in Level.values else "",
        "regions": [vocabulary.regions.get(code, code) for code in content.get("regions", [])],
        "countries": [all_countries.name(code) or code for code in content.get("countries", [])],
        "start_date": parse_date(content.get("start_date")),
        "end_date": parse_date(content.get("end_date")),
        "resource_types": display_value(
            "resource_types", content.get("resource_types"), vocabulary
        ).split(", ")
        if content.get("resource_types")
        else [],
        "resources_description": content.get("resources_description"),
        "resources_amount": content.get("resources_amount"),
        "resources_currency": content.get("resources_currency"),
        "expected_results": content.get("expected_results"),
        "links": content.get("links", []),
        "deliverables": [
            {
                "title": item.get("title"),
                "indicator": item.get("indicator"),
                "baseline": item.get("baseline"),
                "target": item.get("target"),
                "due_date": parse_date(item.get("due_date")),
                "status": Deliverable.Status.PLANNED.label if not item.get("id") else "",
                "status_code": "",
            }
            for item in content.get("deliverables", [])
        ],
    }


@dataclass
class VersionChanges:
    version: CommitmentVersion
    changes: list[Change]


def version_history(versions: list[CommitmentVersion], vocabulary: Vocabulary | None):
    """Each published version with what changed since the one before, newest first."""
    history = []
    previous = None
    for version in versions:
        changes = (
            content_diff(previous.content, version.content, vocabulary)
            if previous is not None and vocabulary is not None
            else []
        )
        history.append(VersionChanges(version, changes))
        previous = version
    return list(reversed(history))
