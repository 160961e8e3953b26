"""The OpenAPI schema: it builds without a warning, is valid OpenAPI 3, documents what is served
(the `api` client checks every response of these tests against it), and shows nothing private:
a field-level audit of every serializer it describes, then of every response to clients not
entitled to private data. And the docs page, which loads nothing from another host."""

import re
from urllib.parse import urlsplit

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from commitments import services
from commitments.models import Commitment, EvidenceFile, ProgressUpdate
from forum.models import ForumEdition, Session
from partners.models import Membership, Organization
from secretariat.models import GoodPractice
from tests.api.conftest import body, build_openapi, make_published, token_of
from tests.factories import (
    ApplicationFactory,
    CoPartnershipFactory,
    EvidenceFileFactory,
    ForumEditionFactory,
    GoodPracticeFactory,
    MembershipFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)


def test_the_schema_builds_without_warnings_or_errors(db):
    GENERATOR_STATS.reset()
    schema = build_openapi()
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    validate_schema(schema)


def test_the_schema_is_served_as_json_and_yaml(client, db):
    assert client.get("/api/v1/schema/?format=json").json()["openapi"].startswith("3.")
    yaml = client.get("/api/v1/schema/")
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi: 3.")


EXPECTED_PATHS = {
    "/api/v1/",
    "/api/v1/partners/",
    "/api/v1/partners/{id}/",
    "/api/v1/commitments/",
    "/api/v1/commitments/{id}/",
    "/api/v1/commitments/{id}/submit/",
    "/api/v1/commitments/{id}/publish/",
    "/api/v1/commitments/{id}/return/",
    "/api/v1/commitments/{id}/withdraw/",
    "/api/v1/commitments/{id}/complete/",
    "/api/v1/commitments/{commitment_pk}/progress/",
    "/api/v1/commitments/{commitment_pk}/progress/{id}/",
    "/api/v1/commitments/{commitment_pk}/progress/{id}/validate/",
    "/api/v1/commitments/{commitment_pk}/progress/{id}/hide/",
    "/api/v1/commitments/{commitment_pk}/progress/{id}/files/{file_pk}/",
    "/api/v1/good-practices/",
    "/api/v1/good-practices/{id}/",
    "/api/v1/forum/editions/",
    "/api/v1/forum/editions/{id}/",
    "/api/v1/forum/sessions/",
    "/api/v1/forum/sessions/{id}/",
    "/api/v1/thematic-areas/",
    "/api/v1/thematic-areas/{code}/",
    "/api/v1/priorities/",
    "/api/v1/priorities/{code}/",
    "/api/v1/sdgs/",
    "/api/v1/sdgs/{number}/",
    "/api/v1/constituencies/",
    "/api/v1/constituencies/{code}/",
    "/api/v1/regions/",
    "/api/v1/regions/{m49}/",
    "/api/v1/stats/",  # secretariat/api: the dashboard's figures
    # secretariat/api/webhooks.py: a token owner's own webhooks
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{id}/",
    "/api/v1/webhooks/{id}/deliveries/",
    "/api/v1/webhooks/{id}/ping/",
    "/api/v1/webhooks/{id}/rotate-secret/",
}


def test_every_resource_is_described(openapi):
    assert set(openapi["paths"]) == EXPECTED_PATHS


def test_every_operation_documents_its_errors_and_headers(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "401", "406", "429"} <= set(responses), (method, path)
            assert "Retry-After" in responses["429"]["headers"]
            if method == "get":
                assert {"ETag", "Last-Modified"} <= set(responses["200"]["headers"])
                assert "304" in responses
            else:
                assert {"403", "404", "415"} <= set(responses), (method, path)


def test_list_filters_are_documented(openapi):
    def names(path):
        return {p["name"] for p in openapi["paths"][path]["get"]["parameters"]}

    commitment_filters = {
        "constituency", "country", "region", "thematic_area", "priority", "sdg", "level",
        "status", "partner", "search", "updated_since", "ordering", "cursor", "page_size",
        "format", "year", "reporting_status",
    }  # fmt: skip
    assert commitment_filters <= names("/api/v1/commitments/")
    partner_filters = {"constituency", "country", "region", "search", "updated_since", "ordering"}
    assert partner_filters <= names("/api/v1/partners/")


def test_the_description_documents_the_sync_loop(openapi):
    description = openapi["info"]["description"]
    assert "updated_since" in description and "next_updated_since" in description
    assert '"public": false' in description and "def sync" in description


def test_token_authentication_is_documented(openapi):
    assert openapi["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": openapi["components"]["securitySchemes"]["tokenAuth"]["description"],
    }
    reading = openapi["paths"]["/api/v1/commitments/"]["get"]["security"]
    assert {} in reading  # anonymous reads


# The field-level audit -----------------------------------------------------------------------

# Names that would carry a person or a private judgement: no response schema may have them.
FORBIDDEN = re.compile(
    r"email|password|key_hash|^key$|token|motivation|reviewer|author|_by$|^user|full_name"
    r"|hidden_reason|search_vector|autosave|phone|^application|membership|invitation"
)
# Fields that only clients entitled to them see filled (others get null): checked below.
ENTITLED_ONLY = {
    ("Commitment", "lock_version"),
    ("CommitmentDetail", "lock_version"),
    ("CommitmentDetail", "pending_edit"),
}
# Every property a response may carry, reviewed once: a new one fails here until classified.
REVIEWED = {
    "Commitment": {
        "id", "public", "status", "status_reason", "title", "summary", "description",
        "lead_organization", "co_partners", "thematic_areas", "priorities", "sdgs", "level",
        "regions", "countries", "start_date", "end_date", "resource_types",
        "resources_description", "resources_amount", "resources_currency", "expected_results",
        "language", "links", "deliverables", "first_published_at", "published_at",
        "created_at", "updated_at", "web_url", "lock_version",
    },
    "PendingEdit": {"status", "content", "reason", "decision_reason", "updated_at"},
    "OrganizationRef": {"id", "name", "acronym"},
    "Deliverable": {"id", "title", "indicator", "baseline", "target", "due_date", "status"},
    "Partner": {
        "id", "public", "name", "acronym", "constituency", "country", "regions", "countries",
        "website", "description", "logo", "languages", "status", "approved_at", "created_at",
        "updated_at", "web_url",
    },
    "PartnerRemoved": {"id", "public", "status", "updated_at"},
    "ProgressUpdate": {
        "id", "public", "commitment", "date", "narrative", "links", "resources_mobilised",
        "evidence_level", "status_changes", "files", "created_at", "updated_at",
    },
    "ProgressUpdateRemoved": {"id", "public", "updated_at"},
    "StatusChange": {"deliverable", "old_status", "new_status"},
    "EvidenceFile": {"id", "name", "content_type", "size", "url", "api_url"},
    "ThematicArea": {"code", "names", "position"},
    "Constituency": {"code", "names", "position"},
    "Priority": {"code", "names", "position", "description_en"},
    "Sdg": {"number", "names", "colour"},
    "Region": {"m49", "kind", "parent", "names", "countries"},
    "Names": {"en", "fr", "es"},
    "GoodPractice": {
        "id", "public", "title", "summary", "what_worked", "results", "organization",
        "countries", "thematic_areas", "sdgs", "language", "published_at", "created_at",
        "updated_at", "web_url",
    },
    "GoodPracticeOrganization": {"id", "name", "acronym"},
    "GoodPracticeRemoved": {"id", "public", "updated_at"},
    "ForumEdition": {
        "id", "public", "year", "theme", "description", "starts_on", "ends_on", "time_zone",
        "in_person", "online", "place", "registration_opens_at", "registration_closes_at",
        "created_at", "updated_at", "web_url",
    },
    "Session": {
        "id", "public", "edition", "year", "title", "description", "thematic_area",
        "starts_at", "ends_at", "room", "link", "speakers", "created_at", "updated_at",
        "web_url",
    },
    "Speaker": {"name", "affiliation", "role"},
    "ForumEditionRemoved": {"id", "public", "updated_at"},
    "SessionRemoved": {"id", "public", "updated_at"},
    # A webhook is shown to its owner only (tests/api/test_webhooks_api.py): the secret in
    # the answers to its creation and rotation, the body of each delivery (public data).
    "Webhook": {
        "id", "name", "description", "url", "events", "active", "disabled_at",
        "disabled_reason", "consecutive_failures", "secret_hint", "deliveries_url",
        "created_at", "updated_at",
    },
    "WebhookDelivery": {
        "id", "event", "status", "attempts", "created_at", "last_attempt_at",
        "next_attempt_at", "delivered_at", "response_status", "response_excerpt", "error",
        "payload",
    },
    "Error": {"code", "message", "fields"},
    "ErrorDetail": {"code", "message"},
}  # fmt: skip
REVIEWED["CommitmentDetail"] = REVIEWED["Commitment"] | {"pending_edit"}
REVIEWED["WebhookWithSecret"] = REVIEWED["Webhook"] | {"secret"}


def response_components(openapi) -> dict[str, dict]:
    """The object schemas of responses (requests end in `Request`; lists are envelopes)."""
    return {
        name: schema
        for name, schema in openapi["components"]["schemas"].items()
        if "properties" in schema
        and not name.endswith("Request")
        and not name.startswith("Paginated")
        and not name.endswith("List")
    }


def is_aggregate(name: str) -> bool:
    """The figures of `stats/` (secretariat/api): counts and sums over public records, whose
    rows name categories, never records; their own tests pin their fields."""
    return name.startswith("Stats")


def test_every_response_field_was_reviewed_and_none_is_private(openapi):
    components = response_components(openapi)
    records = {name for name in components if not is_aggregate(name)}
    assert records == set(REVIEWED), records ^ set(REVIEWED)
    for name, schema in components.items():
        fields = set(schema["properties"])
        if not is_aggregate(name):
            assert fields == REVIEWED[name], (name, fields ^ REVIEWED[name])
        for field in fields:
            assert not FORBIDDEN.search(field), f"{name}.{field}"
        assert schema.get("additionalProperties") is False, name


@pytest.fixture
def secrets_world(acme, alice, bob, globex, charlie, sam):
    """Everything private the registry holds, each marked with a recognisable string."""
    MembershipFactory(organization=acme, user__email="private-member@example.org")
    ApplicationFactory(motivation="PRIVATE-MOTIVATION", applicant__email="applicant@example.org")
    published = make_published(acme, alice, sam, title="Public commitment")
    CoPartnershipFactory(commitment=published, organization=globex, status="invited")
    draft = services.commitment_create(
        organization=acme,
        actor=bob,
        content=_content(title="PRIVATE-DRAFT-TITLE"),
    )
    returned = services.commitment_create(
        organization=acme, actor=alice, content=_content(title="PRIVATE-RETURNED")
    )
    services.commitment_submit(commitment=returned, actor=alice)
    services.commitment_return(commitment=returned, actor=sam, reason="PRIVATE-RETURN-REASON")
    services.commitment_update(
        commitment=published,
        actor=alice,
        content=_content(title="PRIVATE-PENDING-EDIT"),
        lock_version=published.lock_version,
    )
    published.refresh_from_db()
    services.commitment_submit(commitment=published, actor=alice, reason="PRIVATE-EDIT-REASON")
    from commitments.models import CommitmentRevision

    services.revision_return(
        revision=CommitmentRevision.objects.get(commitment=published),
        actor=sam,
        reason="PRIVATE-REVISION-RETURN",
    )
    from django.utils import timezone

    update = services.progress_update_create(
        commitment=published, actor=alice, date=timezone.localdate(), narrative="PRIVATE-HIDDEN"
    )
    EvidenceFileFactory(update=update, name="PRIVATE-FILE.pdf")
    services.progress_update_hide(update=update, actor=sam, reason="PRIVATE-HIDE-REASON")
    services.progress_update_create(
        commitment=published, actor=alice, date=timezone.localdate(), narrative="Public news."
    )
    # Good practices that are not published, and the Forum's private side.
    GoodPracticeFactory(organization=acme, title="Public practice", published=True)
    GoodPracticeFactory(organization=acme, title="PRIVATE-PRACTICE-DRAFT")
    GoodPracticeFactory(organization=acme, title="PRIVATE-PRACTICE-SUBMITTED", submitted=True)
    GoodPracticeFactory(
        organization=acme,
        title="PRIVATE-PRACTICE-RETURNED",
        status="returned",
        status_reason="PRIVATE-PRACTICE-REASON",
    )
    forum = ForumEditionFactory(theme="Public Forum")
    SpeakerFactory(
        session=SessionFactory(edition=forum),
        name="",
        user=MembershipFactory(organization=acme, user__email="speaker@example.org").user,
    )
    RegistrationFactory(
        edition=forum, accessibility_needs="PRIVATE-NEEDS", user__email="reg@example.org"
    )
    hidden = ForumEditionFactory(theme="PRIVATE-UNPUBLISHED-FORUM", is_published=False)
    SessionFactory(edition=hidden, title="PRIVATE-UNPUBLISHED-SESSION")
    from forum import services as forum_services

    withdrawn = ForumEditionFactory(theme="PRIVATE-WITHDRAWN-FORUM", place="PRIVATE-PLACE")
    SessionFactory(edition=withdrawn, title="PRIVATE-WITHDRAWN-SESSION")
    forum_services.edition_unpublish(edition=withdrawn, actor=sam)
    return {"published": published, "draft": draft, "returned": returned}


def _content(**changes):
    from tests.api.conftest import build_content

    return build_content(**changes)


SECRET_MARKS = ("PRIVATE-", "@example.org")


def urls_of(template: str) -> list[str]:
    """The addresses of every record a GET path of the schema names, in the whole database."""
    if template == "commitments/{commitment_pk}/progress/{id}/":
        pairs = ProgressUpdate.objects.values_list("commitment_id", "pk")
        return [f"commitments/{commitment}/progress/{pk}/" for commitment, pk in pairs]
    if template == "commitments/{commitment_pk}/progress/{id}/files/{file_pk}/":
        files = EvidenceFile.objects.values_list("update__commitment_id", "update_id", "pk")
        return [f"commitments/{c}/progress/{u}/files/{pk}/" for c, u, pk in files]
    if template.startswith("commitments/{commitment_pk}/"):
        return [
            template.format(commitment_pk=pk)
            for pk in Commitment.objects.values_list("pk", flat=True)
        ]
    if template.startswith("commitments/{id}/"):
        return [template.format(id=pk) for pk in Commitment.objects.values_list("pk", flat=True)]
    if template.startswith("partners/{id}/"):
        return [template.format(id=pk) for pk in Organization.objects.values_list("pk", flat=True)]
    if template.startswith("good-practices/{id}/"):
        return [template.format(id=pk) for pk in GoodPractice.objects.values_list("pk", flat=True)]
    if template.startswith("forum/editions/{id}/"):
        return [template.format(id=pk) for pk in ForumEdition.objects.values_list("pk", flat=True)]
    if template.startswith("forum/sessions/{id}/"):
        return [template.format(id=pk) for pk in Session.objects.values_list("pk", flat=True)]
    if template.startswith("webhooks/"):
        return []  # their owner's alone, with a token (tests/api/test_webhooks_api.py)
    if "{" in template:
        assert template.split("/")[0] in VOCABULARIES, template
        return []  # the fixed lists hold nothing private
    return [template]


VOCABULARIES = {"thematic-areas", "priorities", "sdgs", "constituencies", "regions"}
QUERIES = ("", "?updated_since=2000-01-01T00:00:00Z", "?status=draft", "?status=returned")


def crawl(api, openapi, token=None) -> list[str]:
    """Every GET of the schema, for every record, plain, as a sync and as CSV."""
    texts = []
    for path, operations in openapi["paths"].items():
        if "get" not in operations:
            continue
        for url in urls_of(path.removeprefix("/api/v1/")):
            queries = (*QUERIES, "?format=csv") if url.endswith("s/") else ("",)
            for query in queries:
                response = api.get(url + query, token=token)
                assert response.status_code in (200, 404), (url, response.status_code)
                if response.status_code == 200 and response.streaming:  # an evidence file
                    content = b"".join(response.streaming_content).decode("utf-8", "replace")
                    texts.append(response["Content-Disposition"] + content)
                elif response.status_code == 200:
                    texts.append(response.content.decode())
    return texts


def test_nothing_private_reaches_an_anonymous_client(api, openapi, secrets_world):
    texts = crawl(api, openapi)
    assert texts
    for text in texts:
        for mark in SECRET_MARKS:
            assert mark not in text, (mark, text[:500])


def test_nothing_private_of_another_organization_reaches_a_member(
    api, openapi, secrets_world, charlie
):
    texts = crawl(api, openapi, token=token_of(charlie))
    for text in texts:
        for mark in SECRET_MARKS:
            assert mark not in text, (mark, text[:500])


def test_members_see_their_own_private_records_without_people(api, openapi, secrets_world, alice):
    token = token_of(alice)
    returned = body(api.get(f"commitments/{secrets_world['returned'].pk}/", token=token))
    assert returned["status_reason"] == "PRIVATE-RETURN-REASON"
    published = body(api.get(f"commitments/{secrets_world['published'].pk}/", token=token))
    assert published["pending_edit"]["decision_reason"] == "PRIVATE-REVISION-RETURN"
    for text in crawl(api, openapi, token=token):
        assert "@example.org" not in text
        assert "PRIVATE-HIDE-REASON" not in text  # the moderation note stays with the Secretariat


def test_the_secretariat_sees_hidden_updates_but_never_people(api, openapi, secrets_world, sam):
    texts = crawl(api, openapi, token=token_of(sam))
    assert any("PRIVATE-HIDDEN" in text for text in texts)
    for text in texts:
        assert "@example.org" not in text


def test_a_contributor_is_a_member_too(api, secrets_world, bob):
    assert Membership.objects.get(user=bob).role == "contributor"
    record = body(api.get(f"commitments/{secrets_world['draft'].pk}/", token=token_of(bob)))
    assert record["lock_version"] is not None


# The docs page ---------------------------------------------------------------------------------


def test_the_docs_page_loads_nothing_from_another_host(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.text
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert '<html lang="en">' in html
    assert "<style" not in html and " style=" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert not urlsplit(source).netloc, source
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    init = client.get(
        re.search(r'<script src="([^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    )
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in init.text
    assert not re.search(r"https?://(?!testserver)", init.text)
