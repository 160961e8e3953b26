"""The bulk files: written by the job, listed on their page, and equal to the API's public data
after a round trip through CSV, XLSX and JSON."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import orjson
import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from secretariat import open_data
from tests.factories import (
    DeliverableStatusChangeFactory,
    EvidenceFileFactory,
    ProgressUpdateFactory,
)

TABLES = (
    "partners",
    "commitments",
    "deliverables",
    "progress_updates",
    "progress_status_changes",
    "evidence_files",
)


@pytest.fixture
def progress(registry):
    """Public progress with a status change and a file; and progress nobody may download: a
    hidden update, an update of a draft."""
    first = registry["first"]
    update = ProgressUpdateFactory(
        commitment=first, date=datetime.date(2026, 1, 5), resources_mobilised=Decimal("300.00")
    )
    DeliverableStatusChangeFactory(update=update, deliverable=first.deliverables.first())
    EvidenceFileFactory(update=update)
    ProgressUpdateFactory(commitment=registry["withdrawn"], narrative="Before withdrawing.")
    ProgressUpdateFactory(
        commitment=first, hidden=True, hidden_reason="Personal data.", narrative="PRIVATE hidden"
    )
    ProgressUpdateFactory(commitment=registry["draft"], narrative="PRIVATE draft")
    return update


@pytest.fixture
def built(registry, progress, settings):
    settings.SITE_URL = "http://testserver"
    files = open_data.build()
    return {item["name"]: item for item in files}


def _read(item) -> bytes:
    with default_storage.open(item["path"]) as handle:
        return handle.read()


def _api(client, path) -> list[dict]:
    records, url = [], path
    while url:
        page = orjson.loads(client.get(url).content)
        records += page["results"]
        url = page["next"]
    return records


def test_the_json_file_holds_exactly_what_the_api_shows_the_public(client, built):
    data = orjson.loads(_read(built["coalition-open-data.json"]))
    assert data["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    tables = data["tables"]
    assert tables["partners"] == _api(client, "/api/v1/partners/")
    commitments = _api(client, "/api/v1/commitments/") + _api(
        client, "/api/v1/commitments/?status=withdrawn"
    )
    deliverables = [
        {"commitment_id": c["id"], **d} for c in commitments for d in c.pop("deliverables")
    ]
    assert tables["commitments"] == commitments
    assert tables["deliverables"] == deliverables
    assert len(tables["partners"]) == 3 and len(commitments) == 5  # no draft, no applicant
    # Progress: what `commitments/{id}/progress/` shows an anonymous client, for each of them.
    updates = [
        u for c in commitments for u in _api(client, f"/api/v1/commitments/{c['id']}/progress/")
    ]
    changes = [{"update_id": u["id"], **x} for u in updates for x in u.pop("status_changes")]
    files = [{"update_id": u["id"], **f} for u in updates for f in u.pop("files")]
    assert sorted(tables["progress_updates"], key=lambda u: u["id"]) == sorted(
        updates, key=lambda u: u["id"]
    )
    assert sorted(tables["progress_status_changes"], key=str) == sorted(changes, key=str)
    assert tables["evidence_files"] == files and len(files) == 1
    assert files[0]["url"].startswith("http://testserver/")
    assert len(updates) == 3  # the hidden one and the draft's are left out
    assert {u["resources_mobilised"] for u in updates} == {"300.00", None}
    assert "PRIVATE" not in json.dumps(tables)


def test_the_csv_files_round_trip_to_the_json_records(built):
    tables = orjson.loads(_read(built["coalition-open-data.json"]))["tables"]
    with zipfile.ZipFile(io.BytesIO(_read(built["coalition-open-data-csv.zip"]))) as zipped:
        names = set(zipped.namelist())
        assert names == {f"{table}.csv" for table in TABLES} | {
            "data-dictionary.csv",
            "LICENCE.txt",
        }
        assert "CC BY 4.0" in zipped.read("LICENCE.txt").decode()
        for table, records in tables.items():
            rows = list(csv.DictReader(io.StringIO(zipped.read(f"{table}.csv").decode())))
            assert len(rows) == len(records) > 0, table
            for row, record in zip(rows, records, strict=True):
                flat = open_data._flatten(record)
                for column, value in row.items():
                    expected = flat[column]
                    if isinstance(expected, list):
                        assert (value.split(";") if value else []) == [str(v) for v in expected]
                    elif expected is None:
                        assert value == ""
                    elif isinstance(expected, bool):
                        assert value == str(expected).lower()
                    else:
                        assert value == str(expected), (table, column)


def test_the_workbook_has_a_sheet_per_table_with_the_csv_cells(built):
    workbook = load_workbook(io.BytesIO(_read(built["coalition-open-data.xlsx"])))
    assert workbook.sheetnames == [*TABLES, "data dictionary", "licence"]
    with zipfile.ZipFile(io.BytesIO(_read(built["coalition-open-data-csv.zip"]))) as zipped:
        for table in TABLES:
            rows = list(csv.reader(io.StringIO(zipped.read(f"{table}.csv").decode())))
            cells = [
                ["" if cell is None else str(cell).lower() if isinstance(cell, bool) else str(cell)
                 for cell in row]
                for row in workbook[table].iter_rows(values_only=True)
            ]  # fmt: skip
            assert cells == rows, table


def test_the_data_dictionary_describes_every_column(built):
    dictionary = list(csv.DictReader(io.StringIO(_read(built["data-dictionary.csv"]).decode())))
    described = {(row["table"], row["column"]) for row in dictionary}
    with zipfile.ZipFile(io.BytesIO(_read(built["coalition-open-data-csv.zip"]))) as zipped:
        for table in TABLES:
            header = next(csv.reader(io.StringIO(zipped.read(f"{table}.csv").decode())))
            assert {(table, column) for column in header} <= described
    by_key = {(row["table"], row["column"]): row for row in dictionary}
    assert "published" in by_key[("commitments", "status")]["allowed_values"]
    assert by_key[("commitments", "thematic_areas")]["type"].startswith("list of string")
    assert "employment" in by_key[("commitments", "thematic_areas")]["allowed_values"]
    assert by_key[("deliverables", "status")]["allowed_values"].startswith("planned")
    assert by_key[("progress_updates", "resources_mobilised")]["type"].startswith("string")
    assert "validated" in by_key[("progress_updates", "evidence_level")]["allowed_values"]
    assert by_key[("progress_status_changes", "update_id")]["type"] == "integer"
    assert "new_status" in {column for table, column in described if table.startswith("progress")}
    assert ("evidence_files", "url") in described


def test_the_page_lists_the_files_with_date_and_size_and_serves_them(client, built):
    response = client.get("/dashboard/open-data/")
    html = response.content.decode()
    for name in built:
        assert f"/dashboard/open-data/{name}" in html
    assert built["coalition-open-data.json"]["generated_at"] in html
    download = client.get("/dashboard/open-data/coalition-open-data.json")
    assert b"".join(download.streaming_content) == _read(built["coalition-open-data.json"])
    assert client.get("/dashboard/open-data/other.txt").status_code == 404


def test_a_new_run_replaces_the_files_of_the_last(registry, settings, time_machine):
    settings.SITE_URL = "http://testserver"
    time_machine.move_to("2026-01-01T00:00:00Z")
    first = open_data.build()
    time_machine.move_to("2026-01-02T00:00:00Z")
    second = open_data.build()
    assert open_data.current_files() == second
    assert not any(default_storage.exists(item["path"]) for item in first)
    assert open_data.refresh_open_data.name == "secretariat.refresh_open_data"


def test_before_the_first_run_the_page_says_so(client, db):
    assert b"being prepared" in client.get("/dashboard/open-data/").content
