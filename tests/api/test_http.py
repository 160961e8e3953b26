"""HTTP details: ETag and Last-Modified with 304 on unchanged pages and records, CSV lists, and
the headers every response carries."""

import csv
import io
from datetime import timedelta

import time_machine
from django.utils import timezone
from django.utils.http import http_date

from commitments import services
from tests.api.conftest import body, make_published


def test_an_unchanged_list_page_is_304_by_etag(api, published):
    first = api.get("commitments/")
    assert first.status_code == 200 and first["ETag"].startswith('"')
    again = api.get("commitments/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"] and not again.content


def test_a_changed_list_page_is_200_again(api, published, alice):
    etag = api.get("commitments/")["ETag"]
    services.progress_update_create(
        commitment=published, actor=alice, date=timezone.localdate(), narrative="News."
    )
    services.commitment_withdraw(commitment=published, actor=alice, reason="Stopped.")
    response = api.get("commitments/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


def test_an_unchanged_record_is_304_by_etag_and_by_date(api, published):
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        first = api.get(f"commitments/{published.pk}/")
        assert first["Last-Modified"] == http_date(published.updated_at.timestamp())
        by_etag = api.get(
            f"commitments/{published.pk}/", headers={"If-None-Match": f"W/{first['ETag']}"}
        )
        assert by_etag.status_code == 304
        by_date = api.get(
            f"commitments/{published.pk}/", headers={"If-Modified-Since": first["Last-Modified"]}
        )
        assert by_date.status_code == 304
        older = http_date((published.updated_at - timedelta(days=1)).timestamp())
        assert (
            api.get(
                f"commitments/{published.pk}/", headers={"If-Modified-Since": older}
            ).status_code
            == 200
        )


def test_a_list_is_last_modified_when_anything_it_shows_last_changed(api, published, globex):
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        response = api.get("commitments/")
        latest = max(published.updated_at, globex.updated_at)
        assert response["Last-Modified"] == http_date(latest.timestamp())
        assert (
            api.get(
                "commitments/", headers={"If-Modified-Since": response["Last-Modified"]}
            ).status_code
            == 304
        )


def test_last_modified_waits_until_its_second_is_over(api, published):
    with time_machine.travel(published.updated_at, tick=False):
        response = api.get(f"commitments/{published.pk}/")
    assert "Last-Modified" not in response and response["ETag"]


def test_if_none_match_wins_over_if_modified_since(api, published):
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        first = api.get(f"commitments/{published.pk}/")
        response = api.get(
            f"commitments/{published.pk}/",
            headers={"If-None-Match": '"other"', "If-Modified-Since": first["Last-Modified"]},
        )
    assert response.status_code == 200


def test_members_get_no_last_modified_as_their_view_changes_with_edits(api, published, alice_token):
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        response = api.get(f"commitments/{published.pk}/", token=alice_token)
    assert "Last-Modified" not in response
    assert response["Cache-Control"] == "private, no-cache"


def test_responses_vary_by_token_and_format(api, published):
    response = api.get("commitments/")
    vary = {value.strip() for value in response["Vary"].split(",")}
    assert {"Accept", "Authorization"} <= vary
    assert response["Cache-Control"] == "no-cache"


def test_a_list_is_csv_with_a_column_per_field(api, published):
    response = api.get("commitments/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(published.pk)
    assert row["lead_organization.name"] == "Acme Workers Union"
    assert row["sdgs"] == "4;8"
    assert row["public"] == "true"
    assert row["status_reason"] == ""


def test_csv_neutralises_spreadsheet_formulas(api, acme, alice, sam):
    make_published(acme, alice, sam, title='=HYPERLINK("http://evil")', summary="+1 -2 @3")
    rows = list(csv.DictReader(io.StringIO(api.get("commitments/?format=csv").content.decode())))
    assert rows[0]["title"].startswith("'=")
    assert rows[0]["summary"].startswith("'+")


def test_csv_pages_like_json(api, acme, alice, sam):
    for n in range(3):
        make_published(acme, alice, sam, title=f"Commitment {n}")
    response = api.get("commitments/?format=csv&page_size=2")
    assert len(response.content.decode().splitlines()) == 3  # the header and two rows
    assert 'rel="next"' in response["Link"] and "format=csv" in response["Link"]


def test_an_empty_csv_list_still_has_its_header(api, db):
    lines = api.get("commitments/?format=csv").content.decode().splitlines()
    assert lines[0].startswith("id,public,status,")
    assert len(lines) == 1


def test_partners_as_csv(api, acme):
    lines = api.get("partners/?format=csv").content.decode().splitlines()
    assert lines[0].split(",")[:3] == ["id", "public", "name"]
    assert "Acme Workers Union" in lines[1]


def test_json_lists_are_utf8_without_escapes(api, db):
    response = api.get("regions/002/")
    assert "África" in response.content.decode()
    assert response["Content-Type"] == "application/json"


def test_the_root_lists_the_resources(api, db):
    root = body(api.get(""))
    for name in (
        "partners",
        "commitments",
        "thematic-areas",
        "priorities",
        "sdgs",
        "schema",
        "docs",
    ):
        assert root[name].startswith("http://testserver/api/v1/")
