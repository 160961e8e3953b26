"""Errors are JSON with a stable code and a message per field, and bad input is never a 500:
wrong types, unknown values, bad dates, huge page sizes, bad cursors, malformed JSON, NUL
characters, unknown formats and addresses. Throttled clients get 429 with Retry-After."""

import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine

from tests.api.conftest import body, build_content, make_published


def assert_field_error(response, field: str, code: str | None = None):
    assert response.status_code == 400, response.content
    payload = body(response)
    assert payload["code"] == "invalid"
    assert payload["message"]
    assert field in payload["fields"], payload
    errors = payload["fields"][field]
    assert all(error["message"] and error["code"] for error in errors)
    if code is not None:
        assert code in {error["code"] for error in errors}, errors


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("page_size=abc", "page_size", "invalid"),
        ("page_size=0", "page_size", "out_of_range"),
        ("page_size=1000001", "page_size", "out_of_range"),
        ("page_size=-5", "page_size", "out_of_range"),
        ("cursor=garbage", "cursor", "invalid_cursor"),
        ("cursor=eyJ9", "cursor", "invalid_cursor"),
        ("cursor=WyJ1cGRhdGVkX2F0IiwxLDEsMV0", "cursor", "invalid_cursor"),
        ("ordering=secret", "ordering", "invalid_choice"),
        ("updated_since=yesterday", "updated_since", "invalid"),
        ("updated_since=2025-13-45T00:00:00Z", "updated_since", "invalid"),
        ("sdg=18", "sdg", "max_value"),
        ("sdg=eight", "sdg", "invalid"),
        ("thematic_area=astrology", "thematic_area", "invalid_choice"),
        ("level=planetary", "level", "invalid_choice"),
        ("country=XX", "country", "invalid_choice"),
        ("region=999", "region", "invalid_choice"),
        ("partner=0", "partner", "min_value"),
        ("partner=acme", "partner", "invalid"),
        ("updated_since=0001-01-01T00:00:00%2B01:00", "updated_since", "invalid"),
        ("year=1066", "year", "min_value"),
        ("status=lost", "status", "invalid_choice"),
    ],
)
def test_bad_list_parameters_are_400_with_the_field(api, query, field, code, db):
    assert_field_error(api.get(f"commitments/?{query}"), field, code)


def test_a_cursor_of_another_ordering_is_refused(api, acme, alice, sam):
    make_published(acme, alice, sam, title="A")
    make_published(acme, alice, sam, title="B")
    page = body(api.get("commitments/?page_size=1&ordering=title"))
    cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
    response = api.get(f"commitments/?ordering=-id&cursor={cursor}")
    assert_field_error(response, "cursor", "invalid_cursor")


def test_an_unknown_partner_id_matches_nothing(api, published):
    assert body(api.get("commitments/?partner=987654321"))["results"] == []
    response = api.get("commitments/?partner=99999999999999999999")
    assert_field_error(response, "partner", "max_value")


def test_updated_since_with_an_offset_is_read_in_utc(api, published):
    moment = published.updated_at.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    query = urlencode({"updated_since": moment.isoformat()})
    assert len(body(api.get(f"commitments/?{query}"))["results"]) == 1
    assert len(body(api.get(f"partners/?{query}"))["results"]) == 0


def test_an_offset_postgresql_refuses_is_read_in_utc(api, published):
    response = api.get("commitments/?updated_since=1013-06-03T20:02:36.4772%2B22:47")
    assert response.status_code == 200
    assert len(body(response)["results"]) == 1


def test_nul_characters_are_refused_not_sent_to_the_database(api, db):
    response = api.get("commitments/?search=%00abc")
    assert response.status_code == 400
    assert body(response)["code"] == "invalid"


def test_unknown_addresses_are_json_404(api, db):
    response = api.get("no-such-resource/")
    assert response.status_code == 404
    assert body(response) == {
        "code": "not_found",
        "message": "There is nothing at this address.",
        "fields": {},
    }


def test_an_unknown_record_is_json_404(api, db):
    for path in ("partners/999999/", "commitments/999999/", "sdgs/99/", "regions/000/"):
        response = api.get(path)
        assert response.status_code == 404
        assert body(response)["code"] == "not_found"


def test_an_unknown_format_is_406(api, db):
    response = api.get("partners/?format=xml")
    assert response.status_code == 406
    assert body(response)["code"] == "not_acceptable"


def test_csv_is_for_lists_only(api, acme):
    response = api.get(f"partners/{acme.pk}/?format=csv")
    assert response.status_code == 406


def test_an_unsupported_accept_header_is_406(api, db):
    response = api.get("partners/", headers={"Accept": "application/xml"})
    assert response.status_code == 406


def test_errors_of_a_csv_request_are_json(api, db):
    response = api.get("partners/?format=csv&page_size=0")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_a_method_not_allowed_is_405(api, acme, alice_token):
    response = api.delete(f"partners/{acme.pk}/", token=alice_token)
    assert response.status_code == 405
    assert body(response)["code"] == "method_not_allowed"


def test_options_is_not_served(api, db):
    assert api.client.options("/api/v1/partners/").status_code == 405


def test_malformed_json_is_400(api, acme, alice_token):
    response = api.post("commitments/", b'{"title": ', token=alice_token)
    assert response.status_code == 400
    assert body(response)["code"] == "parse_error"


def test_a_body_that_is_not_json_is_415(api, acme, alice_token):
    response = api.post(
        "commitments/",
        b"title=x",
        token=alice_token,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert body(response)["code"] == "unsupported_media_type"


def test_a_json_body_that_is_not_an_object_is_400(api, acme, alice_token):
    response = api.post("commitments/", b"[1, 2]", token=alice_token)
    assert_field_error(response, "non_field_errors")


def test_a_json_body_with_a_nul_character_is_400(api, acme, alice_token):
    content = build_content(title="Nul \u0000 byte", lead_organization=acme.pk)
    response = api.post("commitments/", content, token=alice_token)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"title": ""}, "title", "blank"),
        ({"title": ["a", "list"]}, "title", "invalid"),
        ({"title": "x" * 201}, "title", "max_length"),
        ({"sdgs": [18]}, "sdgs.0", "invalid_choice"),
        ({"sdgs": "8"}, "sdgs", "not_a_list"),
        ({"thematic_areas": []}, "thematic_areas", "min_length"),
        ({"thematic_areas": ["astrology"]}, "thematic_areas.0", "invalid_choice"),
        ({"level": "planetary"}, "level", "invalid_choice"),
        ({"start_date": "31/12/2025"}, "start_date", "invalid"),
        ({"start_date": "2025-02-30"}, "start_date", "invalid"),
        ({"resources_amount": "-5"}, "resources_amount", "min_value"),
        ({"resources_amount": "1e400"}, "resources_amount", None),
        ({"resources_amount": "12.345"}, "resources_amount", "max_decimal_places"),
        ({"countries": ["XX"]}, "countries.0", "invalid_choice"),
        ({"links": ["not a url"]}, "links.0", "invalid"),
        ({"deliverables": [{"title": "x"}]}, "deliverables.0.indicator", "required"),
        ({"deliverables": "many"}, "deliverables", "not_a_list"),
        ({"lead_organization": "acme"}, "lead_organization", "invalid"),
        ({"lead_organization": "9" * 30}, "lead_organization", None),
        ({"co_partners": [0]}, "co_partners.0", "min_value"),
    ],
)
def test_bad_commitment_fields_are_400_with_the_field(api, acme, alice_token, change, field, code):
    content = build_content(lead_organization=acme.pk)
    content.update(change)
    assert_field_error(api.post("commitments/", content, token=alice_token), field, code)


def test_a_rule_of_the_domain_is_400_next_to_its_field(api, acme, alice_token):
    content = build_content(lead_organization=acme.pk, level="regional", regions=[])
    response = api.post("commitments/", content, token=alice_token)
    assert_field_error(response, "regions", "refused")


def test_a_rule_of_the_domain_without_a_field_is_refused(api, published, alice_token):
    response = api.post(f"commitments/{published.pk}/submit/", {}, token=alice_token)
    assert response.status_code == 400
    assert body(response)["code"] == "refused"


def test_messages_follow_the_accept_language(api, db):
    response = api.get("commitments/?page_size=x", headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert body(response)["code"] == "invalid"


# Throttling ------------------------------------------------------------------------------------


# Counters are per calendar minute: the clock stands still so that a test never straddles two.
@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, 10, tzinfo=datetime.UTC), tick=False)
def test_anonymous_clients_are_throttled_with_retry_after(api, settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "100/min"},
    }
    statuses = [api.get("sdgs/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("sdgs/")
    assert response.status_code == 429
    assert response["Retry-After"] == "50"  # the rest of the minute
    assert body(response)["code"] == "throttled"


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, 10, tzinfo=datetime.UTC), tick=False)
def test_token_clients_have_their_own_budget(api, settings, alice_token, charlie_token):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "2/min"},
    }
    assert [api.get("sdgs/", token=alice_token).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("sdgs/", token=charlie_token).status_code == 200
    assert api.get("sdgs/").status_code == 200


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, 10, tzinfo=datetime.UTC), tick=False)
def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(api, settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "100/min"},
    }
    statuses = [
        api.get("sdgs/", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_a_new_minute_gives_a_new_budget(api, settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "100/min"},
    }
    start = datetime.datetime(2026, 3, 2, 9, 30, 59, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert [api.get("sdgs/").status_code for _ in range(2)] == [200, 429]
    with time_machine.travel(start + datetime.timedelta(seconds=2), tick=False):
        assert api.get("sdgs/").status_code == 200


def test_a_domain_error_keeps_its_code_with_or_without_a_field():
    from coalition.api import exception_handler
    from coalition.errors import ApplicationError

    class SessionFull(ApplicationError):
        code = "session_full"

    on_field = exception_handler(SessionFull("No seat is left.", field="seats"), {})
    on_action = exception_handler(SessionFull("No seat is left."), {})

    assert on_field.data["fields"]["seats"][0]["code"] == "session_full"
    assert (on_action.status_code, on_action.data["code"]) == (400, "session_full")
