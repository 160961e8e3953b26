"""Fixtures of the API tests: a client that checks every response against the OpenAPI schema,
tokens for the cast, and commitments at each stage of their life (made by the services).

Every request the tests send through `api` is checked: its status code, content type and
headers are documented for that operation, and a JSON body matches the documented schema
exactly (no missing and no undocumented property)."""

import datetime
import re
from copy import deepcopy
from uuid import uuid4

import jsonschema
import orjson
import pytest
import redis
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import timezone, translation
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from coalition.api import SchemaView
from coalition.tokens import api_token_create
from commitments import services
from partners.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory

API = "/api/v1/"


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Fresh throttle counters for each test. The cache is the Redis database other test runs
    use at the same time: each test writes under its own key prefix and deletes only its keys."""
    prefix = f"test-api-{uuid4().hex}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(autouse=True)
def _generous_throttles(settings):
    """The throttle tests set their own rates; the others must never meet them."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }


@pytest.fixture(autouse=True)
def _english():
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# The schema and the validating client ------------------------------------------------------------


def build_openapi() -> dict:
    request = RequestFactory().get(f"{API}schema/?format=json", HTTP_ACCEPT="application/json")
    response = SchemaView.as_view()(request)
    response.render()
    return orjson.loads(response.content)


@pytest.fixture(scope="session")
def openapi(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return build_openapi()


def to_json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema (draft 4): `nullable` becomes a null option."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return {"anyOf": [node, {"type": "null"}]}
    return node


class SchemaChecker:
    """Finds the operation a request addressed and checks the response against it."""

    def __init__(self, openapi: dict):
        self.openapi = openapi
        self.components = to_json_schema(openapi["components"])
        root = {"components": self.components}
        self.registry = Registry().with_resource("", Resource(contents=root, specification=DRAFT4))
        self.routes = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            for path in openapi["paths"]
        ]

    def operation(self, method: str, path: str) -> dict | None:
        for pattern, template in self.routes:
            if pattern.match(path):
                return self.openapi["paths"][template].get(method.lower())
        return None

    def check(self, method: str, path: str, response) -> None:
        operation = self.operation(method, path)
        if operation is None:
            # Only unknown addresses, the schema and the docs are outside the schema.
            assert response.status_code in (404, 405) or path.startswith(
                (f"{API}schema/", f"{API}docs/")
            ), f"{method} {path} is not in the schema"
            return
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method} {path} answered {status}, not documented: {response.content[:300]}"
        )
        spec = operation["responses"][status]
        documented_headers = set(spec.get("headers", {}))
        for header in ("ETag", "Last-Modified", "Link", "Retry-After"):
            if header in response:
                assert header in documented_headers, f"{header} not documented on {status}"
        if "content" not in spec:
            assert not response.content, f"{method} {path} {status} has an undocumented body"
            return
        content_type = response["Content-Type"].split(";")[0]
        assert content_type in spec["content"], f"{content_type} not documented for {status}"
        if content_type == "application/json":
            schema = to_json_schema(spec["content"][content_type]["schema"])
            validator = jsonschema.Draft4Validator(
                {**schema, "components": self.components}, registry=self.registry
            )
            errors = sorted(validator.iter_errors(orjson.loads(response.content)), key=str)
            assert not errors, f"{method} {path} {status}: " + "; ".join(
                f"{list(error.absolute_path)}: {error.message}" for error in errors[:5]
            )


@pytest.fixture(scope="session")
def schema_checker(openapi) -> SchemaChecker:
    return SchemaChecker(openapi)


class ApiClient:
    """Django's test client for the API: `token=` sends `Authorization: Token ...`, JSON bodies
    are encoded, and every response is checked against the schema."""

    def __init__(self, checker: SchemaChecker):
        self.client = Client()
        self.checker = checker

    def request(self, method: str, path: str, *, token=None, data=None, headers=None, **extra):
        url = path if path.startswith(("/", "http")) else API + path
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        kwargs = {"headers": headers, **extra}
        if method in ("post", "put", "patch"):
            body = data if isinstance(data, bytes | str) else orjson.dumps(data or {})
            kwargs.setdefault("content_type", "application/json")
            response = getattr(self.client, method)(url, body, **kwargs)
        else:
            response = getattr(self.client, method)(url, data, **kwargs)
        path_only = url.split("?")[0].removeprefix("http://testserver")
        self.checker.check(method, path_only, response)
        return response

    def get(self, path, **kwargs):
        return self.request("get", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.request("post", path, data=data, **kwargs)

    def put(self, path, data=None, **kwargs):
        return self.request("put", path, data=data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self.request("patch", path, data=data, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("delete", path, **kwargs)


@pytest.fixture
def api(schema_checker) -> ApiClient:
    return ApiClient(schema_checker)


def body(response):
    return orjson.loads(response.content)


# Tokens ------------------------------------------------------------------------------------------


def token_of(user, name: str = "Test client") -> str:
    return api_token_create(user=user, name=name)[1]


@pytest.fixture
def alice_token(alice):
    return token_of(alice)


@pytest.fixture
def bob_token(bob):
    return token_of(bob)


@pytest.fixture
def charlie_token(charlie):
    return token_of(charlie)


@pytest.fixture
def sam_token(sam):
    return token_of(sam)


# Commitments -------------------------------------------------------------------------------------


def build_content(**overrides) -> dict:
    """A commitment content that passes every rule of commitments.content."""
    today = timezone.localdate()
    content = {
        "title": "Apprenticeships for 500 young people in Nairobi",
        "summary": "Employers and unions open apprenticeships for young people.",
        "description": "Paid apprenticeships with mentoring and social protection.",
        "thematic_areas": ["employment"],
        "priorities": ["employment-social-protection"],
        "sdgs": [4, 8],
        "level": "national",
        "regions": [],
        "countries": ["KE"],
        "start_date": (today - datetime.timedelta(days=10)).isoformat(),
        "end_date": (today + datetime.timedelta(days=720)).isoformat(),
        "resource_types": ["financial", "staff"],
        "resources_description": "Two coordinators and the apprentices' wages.",
        "resources_amount": "250000.00",
        "resources_currency": "USD",
        "expected_results": "500 young people complete an apprenticeship.",
        "language": "en",
        "links": ["https://example.org/apprenticeships"],
        "deliverables": [
            {
                "title": "Apprenticeship places opened",
                "indicator": "Young people starting an apprenticeship",
                "baseline": "0",
                "target": "500",
                "due_date": (today + datetime.timedelta(days=200)).isoformat(),
            }
        ],
    }
    content.update(overrides)
    return deepcopy(content)


def make_draft(organization, actor, **overrides):
    return services.commitment_create(
        organization=organization, actor=actor, content=build_content(**overrides)
    )


def make_published(organization, admin, secretariat, **overrides):
    draft = make_draft(organization, admin, **overrides)
    services.commitment_submit(commitment=draft, actor=admin)
    return services.commitment_publish(commitment=draft, actor=secretariat)


@pytest.fixture
def draft(acme, alice, bob):
    """A draft of Acme, written by bob (a contributor)."""
    return make_draft(acme, bob, title="Draft apprenticeships")


@pytest.fixture
def submitted(acme, alice):
    commitment = make_draft(acme, alice, title="Submitted apprenticeships")
    return services.commitment_submit(commitment=commitment, actor=alice)


@pytest.fixture
def published(acme, alice, sam):
    return make_published(acme, alice, sam)


@pytest.fixture
def progress(published, alice):
    return services.progress_update_create(
        commitment=published,
        actor=alice,
        date=timezone.localdate(),
        narrative="The first 120 apprentices started.",
        links=["https://example.org/report-1"],
    )


@pytest.fixture
def applicant_org(db):
    """An organization whose application waits: never public."""
    return OrganizationFactory(
        name="Hooli Foundation", status=Organization.Status.APPLIED, approved_at=None
    )


@pytest.fixture
def hooli_member(applicant_org):
    return MembershipFactory(
        organization=applicant_org, user__email="hana@example.org", role=Membership.Role.ADMIN
    ).user
