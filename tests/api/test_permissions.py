"""The permission matrix: every endpoint and method, for an anonymous client, a token of a member
of the organization concerned (alice, admin of Acme), a token of another organization's member
(charlie of Globex) and a Secretariat token (sam).

The state: Acme has a draft, a submitted and a published commitment (with a progress update);
Hooli has applied and is not public."""

import pytest
from django.utils import timezone

from tests.api.conftest import build_content, token_of

ANONYMOUS, MEMBER, OTHER, SECRETARIAT = "anonymous", "member", "other", "secretariat"
ACTORS = (ANONYMOUS, MEMBER, OTHER, SECRETARIAT)


def content_for(world):
    return build_content(lead_organization=world["acme"].pk)


def update_for(world, name):
    commitment = world[name]
    commitment.refresh_from_db()
    return {"title": "Changed", "lock_version": commitment.lock_version}


def progress_body(world):
    return {"date": timezone.localdate().isoformat(), "narrative": "Half way there."}


# (method, path, body, {actor: expected status})
MATRIX = [
    # Vocabularies and the root: read-only, public.
    ("get", "", None, dict.fromkeys(ACTORS, 200)),
    ("get", "sdgs/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "sdgs/8/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "thematic-areas/employment/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "priorities/social-dialogue/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "constituencies/academia/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "regions/002/", None, dict.fromkeys(ACTORS, 200)),
    ("post", "sdgs/", {}, dict.fromkeys(ACTORS, 405)),
    ("get", "stats/", None, dict.fromkeys(ACTORS, 200)),
    # Partners: read-only; a non-public one only for its members and the Secretariat.
    ("get", "partners/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "partners/{acme}/", None, dict.fromkeys(ACTORS, 200)),
    (
        "get",
        "partners/{hooli}/",
        None,
        {ANONYMOUS: 404, MEMBER: 404, OTHER: 404, SECRETARIAT: 200},
    ),
    ("patch", "partners/{acme}/", {}, dict.fromkeys(ACTORS, 405)),
    ("delete", "partners/{acme}/", None, dict.fromkeys(ACTORS, 405)),
    # Good practices and the Forum: read-only; drafts and unpublished editions for no one.
    ("get", "good-practices/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "good-practices/{practice}/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "good-practices/{practice_draft}/", None, dict.fromkeys(ACTORS, 404)),
    ("post", "good-practices/", {}, dict.fromkeys(ACTORS, 405)),
    ("patch", "good-practices/{practice}/", {}, dict.fromkeys(ACTORS, 405)),
    ("get", "forum/editions/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "forum/editions/{edition}/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "forum/editions/{edition_hidden}/", None, dict.fromkeys(ACTORS, 404)),
    ("post", "forum/editions/", {}, dict.fromkeys(ACTORS, 405)),
    ("get", "forum/sessions/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "forum/sessions/{session}/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "forum/sessions/{session_hidden}/", None, dict.fromkeys(ACTORS, 404)),
    ("delete", "forum/sessions/{session}/", None, dict.fromkeys(ACTORS, 405)),
    # Commitments: reading.
    ("get", "commitments/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "commitments/{published}/", None, dict.fromkeys(ACTORS, 200)),
    (
        "get",
        "commitments/{draft}/",
        None,
        {ANONYMOUS: 404, MEMBER: 200, OTHER: 404, SECRETARIAT: 200},
    ),
    (
        "get",
        "commitments/{submitted}/",
        None,
        {ANONYMOUS: 404, MEMBER: 200, OTHER: 404, SECRETARIAT: 200},
    ),
    # Commitments: writing.
    (
        "post",
        "commitments/",
        content_for,
        {ANONYMOUS: 401, MEMBER: 201, OTHER: 403, SECRETARIAT: 403},
    ),
    (
        "patch",
        "commitments/{draft}/",
        lambda world: update_for(world, "draft"),
        {ANONYMOUS: 401, MEMBER: 200, OTHER: 404, SECRETARIAT: 403},
    ),
    (
        "put",
        "commitments/{draft}/",
        lambda world: {**build_content(), "lock_version": world["draft"].lock_version},
        {ANONYMOUS: 401, MEMBER: 200, OTHER: 404, SECRETARIAT: 403},
    ),
    (
        "patch",
        "commitments/{published}/",
        lambda world: update_for(world, "published"),
        {ANONYMOUS: 401, MEMBER: 200, OTHER: 403, SECRETARIAT: 403},
    ),
    ("delete", "commitments/{draft}/", None, dict.fromkeys(ACTORS, 405)),
    (
        "post",
        "commitments/{draft}/submit/",
        {},
        {ANONYMOUS: 401, MEMBER: 200, OTHER: 404, SECRETARIAT: 403},
    ),
    # Moderation: the Secretariat's.
    (
        "post",
        "commitments/{submitted}/publish/",
        {},
        {ANONYMOUS: 401, MEMBER: 403, OTHER: 404, SECRETARIAT: 200},
    ),
    (
        "post",
        "commitments/{submitted}/return/",
        {"reason": "Add a baseline."},
        {ANONYMOUS: 401, MEMBER: 403, OTHER: 404, SECRETARIAT: 200},
    ),
    (
        "post",
        "commitments/{published}/withdraw/",
        {"reason": "Funding ended."},
        {ANONYMOUS: 401, MEMBER: 200, OTHER: 403, SECRETARIAT: 200},
    ),
    (
        "post",
        "commitments/{published}/complete/",
        {},
        {ANONYMOUS: 401, MEMBER: 200, OTHER: 403, SECRETARIAT: 200},
    ),
    # Progress.
    ("get", "commitments/{published}/progress/", None, dict.fromkeys(ACTORS, 200)),
    ("get", "commitments/{published}/progress/{progress}/", None, dict.fromkeys(ACTORS, 200)),
    (
        "get",
        "commitments/{draft}/progress/",
        None,
        {ANONYMOUS: 404, MEMBER: 200, OTHER: 404, SECRETARIAT: 200},
    ),
    (
        "post",
        "commitments/{published}/progress/",
        progress_body,
        {ANONYMOUS: 401, MEMBER: 201, OTHER: 403, SECRETARIAT: 403},
    ),
    (
        "post",
        "commitments/{draft}/progress/",
        progress_body,
        {ANONYMOUS: 401, MEMBER: 400, OTHER: 404, SECRETARIAT: 403},
    ),
]

# Progress moderation (the Secretariat's) ---------------------------------------------------------
MATRIX += [
    (
        "post",
        "commitments/{published}/progress/{progress}/validate/",
        {"reason": "Report checked."},
        {ANONYMOUS: 401, MEMBER: 403, OTHER: 403, SECRETARIAT: 200},
    ),
    (
        "post",
        "commitments/{published}/progress/{progress}/hide/",
        {"reason": "Personal data."},
        {ANONYMOUS: 401, MEMBER: 403, OTHER: 403, SECRETARIAT: 200},
    ),
    # An update is addressed under its own commitment only.
    (
        "post",
        "commitments/{draft}/progress/{progress}/hide/",
        {"reason": "Personal data."},
        {ANONYMOUS: 401, MEMBER: 404, OTHER: 404, SECRETARIAT: 404},
    ),
    ("get", "commitments/{published}/progress/{progress}/hide/", None, dict.fromkeys(ACTORS, 405)),
    (
        "put",
        "commitments/{published}/progress/{progress}/validate/",
        {},
        dict.fromkeys(ACTORS, 405),
    ),
]

CASES = [
    pytest.param(method, path, data, actor, expected[actor], id=f"{method} {path} as {actor}")
    for method, path, data, expected in MATRIX
    for actor in ACTORS
]


@pytest.fixture
def world(acme, globex, alice, bob, charlie, sam, draft, submitted, published, progress):
    from partners.models import Organization
    from tests.factories import (
        ForumEditionFactory,
        GoodPracticeFactory,
        OrganizationFactory,
        SessionFactory,
    )

    hooli = OrganizationFactory(
        name="Hooli Foundation", status=Organization.Status.APPLIED, approved_at=None
    )
    return {
        "acme": acme,
        "hooli": hooli,
        "draft": draft,
        "submitted": submitted,
        "published": published,
        "progress": progress,
        "practice": GoodPracticeFactory(organization=acme, published=True),
        "practice_draft": GoodPracticeFactory(organization=acme),
        "edition": (edition := ForumEditionFactory()),
        "session": SessionFactory(edition=edition),
        "edition_hidden": (hidden := ForumEditionFactory(is_published=False)),
        "session_hidden": SessionFactory(edition=hidden),
        "tokens": {
            ANONYMOUS: None,
            MEMBER: token_of(alice),
            OTHER: token_of(charlie),
            SECRETARIAT: token_of(sam),
        },
    }


@pytest.mark.parametrize(("method", "path", "data", "actor", "expected"), CASES)
def test_permission_matrix(api, world, method, path, data, actor, expected):
    url = path.format(**{name: getattr(value, "pk", None) for name, value in world.items()})
    payload = data(world) if callable(data) else data
    token = world["tokens"][actor]
    if method in ("get", "delete"):
        response = api.request(method, url, token=token)
    else:
        response = api.request(method, url, token=token, data=payload)
    assert response.status_code == expected, response.content[:300]


# Evidence files: the same POST as multipart/form-data ---------------------------------------------

EVIDENCE_MATRIX = [
    ("published", {ANONYMOUS: 401, MEMBER: 201, OTHER: 403, SECRETARIAT: 403}),
    ("draft", {ANONYMOUS: 401, MEMBER: 400, OTHER: 404, SECRETARIAT: 403}),
]


@pytest.mark.parametrize(
    ("commitment", "actor", "expected"),
    [
        pytest.param(name, actor, expected[actor], id=f"evidence on {name} as {actor}")
        for name, expected in EVIDENCE_MATRIX
        for actor in ACTORS
    ],
)
def test_evidence_file_permission_matrix(api, world, commitment, actor, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.test_progress_evidence import PDF, post_form

    data = {**progress_body(world), "files": [SimpleUploadedFile("report.pdf", PDF)]}
    path = f"commitments/{world[commitment].pk}/progress/"
    response = post_form(api, path, data, token=world["tokens"][actor])
    assert response.status_code == expected, response.content[:300]
