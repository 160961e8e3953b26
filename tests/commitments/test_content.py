"""Content dicts: normalization, the rules, and the differences between two versions."""

from commitments.content import Vocabulary, content_diff, content_errors, normalize
from tests.commitments.conftest import build_content

VOCABULARY = Vocabulary(
    thematic_areas={"employment": "Employment", "protection": "Protection"},
    sdgs={8: "8. Decent work"},
)


def with_ids(content: dict) -> dict:
    content = normalize(content)
    for index, item in enumerate(content["deliverables"], start=1):
        item["id"] = index
    return content


def test_a_valid_content_has_no_errors():
    assert content_errors(normalize(build_content())) == []


def test_all_errors_are_reported_at_once_with_their_fields():
    content = build_content(title="", level="regional", regions=[])
    content["deliverables"][0]["indicator"] = ""

    fields = [field for field, _message in content_errors(normalize(content))]
    assert fields == ["title", "regions", "deliverables.0.indicator"]


def test_the_difference_shows_a_lowered_target_and_a_moved_date():
    old = with_ids(build_content())
    new = with_ids(build_content(end_date="2030-01-01"))
    new["deliverables"][0]["target"] = "400"

    changes = content_diff(old, new, VOCABULARY)

    assert [(c.label, c.old, c.new) for c in changes] == [
        ("End date", old["end_date"], "2030-01-01"),
        ("Deliverable “Apprenticeship places opened”: Target", "500", "400"),
    ]


def test_the_difference_names_added_and_removed_deliverables_and_vocabularies():
    old = with_ids(build_content())
    new = with_ids(build_content(thematic_areas=["employment", "protection"]))
    new["deliverables"] = [
        new["deliverables"][0],
        {**new["deliverables"][1], "id": None, "title": "A new one"},
    ]

    changes = content_diff(old, new, VOCABULARY)

    assert [(c.kind, c.label) for c in changes] == [
        ("changed", "Thematic areas"),
        ("added", "Deliverable added: A new one"),
        ("removed", "Deliverable removed: Jobs after the apprenticeship"),
    ]
    assert changes[0].new == "Employment, Protection"


def test_normalize_is_stable():
    content = normalize(build_content())
    assert normalize(content) == content
