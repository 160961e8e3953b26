"""Import and export of partners and commitments in the admin (CSV and XLSX): spreadsheet
formula injection is neutralized in every exported cell, and an import goes in with history."""

import csv
import io

import openpyxl
import pytest
import tablib
from django.urls import reverse
from import_export.formats import base_formats

from commitments.models import Commitment
from partners.models import Organization
from secretariat.resources import CommitmentResource, OrganizationResource, neutralize
from tests.factories import CommitmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://evil.example")', "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_value_starting_like_a_formula_is_neutralized(value):
    assert neutralize(value) == f"'{value}"


@pytest.mark.parametrize("value", ["Acme", "", "1-2", "a=b", None, 12])
def test_a_harmless_value_is_left_alone(value):
    assert neutralize(value) == value


@pytest.fixture
def evil(db):
    organization = OrganizationFactory(
        name='=HYPERLINK("http://evil.example","Click")', acronym="@EVIL", description="+1+1"
    )
    CommitmentFactory(
        lead_organization=organization, title="-2+3 jobs", summary="\t=cmd|' /C calc'!A0"
    )
    return organization


def test_the_csv_export_neutralizes_formulas(evil):
    data = base_formats.CSV().export_data(OrganizationResource().export())
    rows = list(csv.DictReader(io.StringIO(data)))
    (row,) = rows
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["acronym"] == "'@EVIL"
    assert row["description"] == "'+1+1"
    data = base_formats.CSV().export_data(CommitmentResource().export())
    (row,) = list(csv.DictReader(io.StringIO(data)))
    assert row["title"] == "'-2+3 jobs"
    assert row["summary"].startswith("'\t=cmd")
    assert row["lead_organization_name"].startswith("'=HYPERLINK")


def test_the_xlsx_export_holds_text_never_formulas(evil):
    for resource in (OrganizationResource(), CommitmentResource()):
        data = base_formats.XLSX().export_data(resource.export())
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
        assert cells
        assert all(cell.data_type != "f" for cell in cells)
        values = [cell.value for cell in cells if isinstance(cell.value, str)]
        assert not [value for value in values if value.startswith(("=", "+", "-", "@", "\t"))]


def test_the_admin_offers_import_and_export_to_the_secretariat(client, sam, evil):
    client.force_login(sam)
    for name in ("partners_organization", "commitments_commitment"):
        assert client.get(reverse(f"admin:{name}_export")).status_code == 200
        assert client.get(reverse(f"admin:{name}_import")).status_code == 200
        changelist = client.get(reverse(f"admin:{name}_changelist"))
        assert changelist.status_code == 200
        assert reverse(f"admin:{name}_export") in changelist.content.decode()


@pytest.mark.parametrize("who", ["bob", "stranger"])
def test_partners_cannot_reach_the_import_and_export(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("partners_organization", "commitments_commitment"):
        assert client.get(reverse(f"admin:{name}_export")).status_code == 302  # to the login


def test_an_organization_import_creates_it_with_its_history(db):
    dataset = tablib.Dataset(
        headers=[
            "id",
            "name",
            "acronym",
            "constituency",
            "country",
            "countries",
            "regions",
            "website",
            "description",
            "status",
        ]
    )
    dataset.append(
        [
            "",
            "Imported Union",
            "IU",
            "workers-organization",
            "gh",
            "GH,TG",
            "",
            "",
            "A union.",
            "approved",
        ]
    )
    result = OrganizationResource().import_data(dataset, dry_run=False)
    assert not result.has_errors(), [row.errors for row in result.rows]
    organization = Organization.objects.get(name="Imported Union")
    assert organization.constituency.code == "workers-organization"
    assert organization.country.code == "GH"
    assert [country.code for country in organization.countries] == ["GH", "TG"]
    assert organization.history.count() == 1


def test_a_commitment_export_then_import_round_trips(acme):
    commitment = CommitmentFactory(lead_organization=acme, title="Jobs for youth", sdgs=[1, 8])
    dataset = CommitmentResource().export()
    Commitment.objects.filter(pk=commitment.pk).update(title="Changed")
    result = CommitmentResource().import_data(dataset, dry_run=False)
    assert not result.has_errors(), [row.errors for row in result.rows]
    commitment.refresh_from_db()
    assert commitment.title == "Jobs for youth"
    assert sorted(goal.number for goal in commitment.sdgs.all()) == [1, 8]
