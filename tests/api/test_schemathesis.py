"""A property-based run over the whole schema (schemathesis, bounded examples): whatever it sends,
valid or not, with or without a token, the API never answers 5xx and every response conforms
to the schema (status code, content type, headers, body).

As NOTES-STACK.md says: the schema is loaded eagerly (`from_dict`; `from_fixture` crashes under
pytest 9), and Django's `close_old_connections` is disconnected from the request signals while
schemathesis calls the WSGI application in process, or it would close the test's connection."""

import itertools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.api.conftest import build_openapi, make_published, token_of
from tests.factories import EvidenceFileFactory

schema = schemathesis.openapi.from_dict(build_openapi())
application = get_wsgi_application()


@pytest.fixture
def keep_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(settings, tmp_path, acme, globex, alice, charlie, sam, draft, submitted, progress):
    """Records for the generated ids to find, and the three kinds of client, taken in turn."""
    settings.MEDIA_ROOT = tmp_path
    make_published(globex, charlie, sam, title="Globex commitment")
    EvidenceFileFactory(update=progress)
    return itertools.cycle(
        [{}, *({"Authorization": f"Token {token_of(user)}"} for user in (alice, sam))]
    )


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_a_server_error_or_leaves_the_schema(case, world, keep_connection):
    headers = next(world)  # anonymous, a member of Acme, the Secretariat
    response = case.call(app=application, base_url="http://localhost", headers=headers)
    assert response.status_code < 500, case.as_curl_command()
    # Schema-valid is not always acceptable: a cursor is opaque, and the content of a commitment
    # obeys rules across fields (dates, deliverables within the period) that a schema cannot
    # state; those are 400 with the field, as documented.
    # `ignored_auth` probes an operation that needs a token (webhooks/) again without one, over
    # the network, where nothing listens (this app is called in process): tests/api/
    # test_webhooks_api.py checks that each of them answers 401 without a token.
    # `negative_data_rejection` counts a case whose token schemathesis left out as invalid, and
    # this test sends each request with the token of its turn's client: an operation for token
    # holders then rightly answers 200 or 201 (tests/api/test_permissions.py checks the 401s).
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=[positive_data_acceptance, negative_data_rejection, ignored_auth],
    )
