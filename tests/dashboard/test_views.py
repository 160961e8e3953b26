"""The dashboard page, its map and downloads, the annual report, and `/api/v1/stats/`."""

import csv
import io
import re

import orjson
import pytest
from django.urls import reverse

from commitments.filters import CommitmentFilter
from commitments.models import Commitment


def _map_links(html: str) -> dict[str, tuple[int, str]]:
    found = re.findall(
        r'<a href="([^"]+)" aria-label="[^"]*"><path d="[^"]+" fill="#[0-9a-f]+" '
        r'stroke="[^"]+" stroke-width="[^"]+" data-country="(\w\w)" data-commitments="(\d+)"',
        html,
    )
    return {code: (int(count), href.replace("&amp;", "&")) for href, code, count in found}


def test_the_dashboard_shows_every_figure_with_its_table_and_download(client, registry):
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("partners_by_constituency", "commitments_by_sdg", "resources_by_region"):
        assert f'id="fig-{slug}"' in html
        assert f"/dashboard/data/{slug}.csv" in html
    assert 'style="' not in html  # the Content Security Policy refuses inline styles
    assert "<script" not in html.split("</head>")[1]


def test_each_country_of_the_map_links_to_the_list_that_has_its_number(client, registry):
    html = client.get("/dashboard/").content.decode()
    links = _map_links(html)
    assert len(links) > 150  # every country of world-atlas with an ISO code
    assert links["KE"][0] == 2 and links["AR"][0] == 0
    for code in ("KE", "TZ", "ET", "BR", "UG", "FR"):
        count, href = links[code]
        assert href == f"/commitments/?country={code}"
        listed = client.get(href)
        assert listed.context["page"].paginator.count == count, code


def test_the_map_keeps_the_filters_of_the_page(client, registry):
    html = client.get("/dashboard/?sdg=8&level=national").content.decode()
    count, href = _map_links(html)["KE"]
    assert href == "/commitments/?sdg=8&level=national&country=KE"
    assert client.get(href).context["page"].paginator.count == count == 1


def test_the_country_table_lists_the_figures_of_the_map(client, registry):
    response = client.get("/dashboard/")
    rows = {row["code"]: row for row in response.context["countries"]}
    links = _map_links(response.content.decode())
    for code, row in rows.items():
        if code in links:
            assert links[code][0] == row["commitments"]


def test_a_figure_downloads_as_csv_with_the_page_filters(client, registry):
    response = client.get("/dashboard/data/commitments_by_level.csv?thematic_area=employment")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["code"]: row["value"] for row in rows} == {
        "global": "1",
        "regional": "0",
        "national": "2",
    }
    countries = client.get("/dashboard/data/countries.csv").content.decode()
    assert "KE,Kenya,2,1" in countries
    assert client.get("/dashboard/data/nothing.csv").status_code == 404


def test_a_bad_filter_is_reported_not_a_server_error(client, registry):
    response = client.get("/dashboard/?sdg=99&country=XX&year=abc")
    assert response.status_code == 200
    assert response.context["totals"]["commitments"] == 4


@pytest.mark.parametrize("prefix", ["", "/fr", "/es"])
def test_the_dashboard_is_translated(client, registry, prefix):
    response = client.get(f"{prefix}/dashboard/")
    assert response.status_code == 200
    lang = prefix.strip("/") or "en"
    assert f'<html lang="{lang}">' in response.content.decode()
    # Vocabulary labels follow the language; numbers in SVG are never localized ("12,5").
    themes = response.context["figures"]["commitments_by_thematic_area"]
    expected = {"": "Providing", "/fr": "Assurer", "/es": "Brindar"}[prefix]
    assert any(row["label"].startswith(expected) for row in themes)
    heading = {
        "": "<h1>Dashboard</h1>",
        "/fr": "<h1>Tableau de bord</h1>",
        "/es": "<h1>Panel de datos</h1>",
    }
    assert heading[prefix] in response.content.decode()
    assert not re.search(r'width="\d+,\d', response.content.decode())


def test_the_annual_report_prints_the_year(client, registry):
    response = client.get(reverse("dashboard:report", kwargs={"year": 2025}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "css/print" in html and 'media="print"' in html
    running = CommitmentFilter({"year": "2025"}, queryset=Commitment.objects.public()).qs
    assert response.context["totals"]["commitments"] == running.count()
    assert len(response.context["gaps"]) == 3
    assert client.get("/dashboard/report/?year=2026").url == "/dashboard/report/2026/"
    assert client.get("/dashboard/report/1900/").status_code == 404


def test_the_stats_endpoint_gives_the_dashboard_figures(client, registry):
    response = client.get("/api/v1/stats/?thematic_area=employment")
    assert response.status_code == 200
    data = orjson.loads(response.content)
    page = client.get("/dashboard/?thematic_area=employment").context["figures"]
    assert data["totals"] == page["totals"]
    assert data["commitments_by_sdg"] == page["commitments_by_sdg"]
    assert data["resources_by_thematic_area"] == [
        {**row, "value": f"{row['value']:.2f}", "mobilised": f"{row['mobilised']:.2f}"}
        for row in page["resources_by_thematic_area"]
    ]
    assert data["countries"] == page["countries"]


def test_the_stats_endpoint_refuses_a_bad_filter_with_400(client, registry):
    response = client.get("/api/v1/stats/?sdg=99")
    assert response.status_code == 400
    assert "sdg" in orjson.loads(response.content)["fields"]


def test_the_stats_endpoint_answers_exactly_as_the_schema_describes(client, registry):
    from tests.api.conftest import SchemaChecker, build_openapi

    checker = SchemaChecker(build_openapi())
    for query in ("", "?country=KE", "?format=csv", "?sdg=99"):
        checker.check("get", "/api/v1/stats/", client.get(f"/api/v1/stats/{query}"))


def test_the_stats_endpoint_is_described_in_the_schema(client, db):
    from tests.api.conftest import build_openapi

    schema = build_openapi()
    operation = schema["paths"]["/api/v1/stats/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"thematic_area", "country", "region", "sdg", "year", "level"} <= names
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "countries" in component["properties"] and "growth" in component["properties"]


def test_the_stats_endpoint_gives_every_figure_as_one_csv_table(client, registry):
    response = client.get("/api/v1/stats/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    levels = {row["code"]: row["value"] for row in rows if row["figure"] == "commitments_by_level"}
    assert levels == {"global": "1", "regional": "1", "national": "2"}
    kenya = [
        row for row in rows if row["figure"] == "commitments_by_country" and row["code"] == "KE"
    ]
    assert kenya[0]["value"] == "2"


@pytest.mark.parametrize(
    "query",
    ["search=apprenticeships", "status=withdrawn", "year=2025", "region=002", "priority=x"],
)
def test_every_browser_filter_works_on_the_page_and_the_api(client, registry, query):
    page = client.get(f"/dashboard/?{query}")
    assert page.status_code == 200
    api = client.get(f"/api/v1/stats/?{query}")
    assert api.status_code == (400 if query == "priority=x" else 200)
    listed = client.get(f"/commitments/?{query}").context["page"].paginator.count
    assert page.context["totals"]["commitments"] == listed


def test_the_partner_filter_counts_what_the_partner_leads_or_joins(client, registry):
    kenya = registry["partners"][0]
    figures = client.get(f"/dashboard/?partner={kenya.pk}").context["figures"]
    assert figures["totals"] == {"partners": 1, "commitments": 1, "deliverables": 2}
    data = orjson.loads(client.get(f"/api/v1/stats/?partner={kenya.pk}").content)
    assert data["totals"] == figures["totals"]


def test_resources_pledged_and_mobilised_have_a_chart_a_table_and_a_csv(client, registry):
    from tests.factories import ProgressUpdateFactory

    ProgressUpdateFactory(commitment=registry["first"], resources_mobilised="300.00")
    for query in ("", "?level=national"):  # the summary, and figures computed for a filter
        html = client.get(f"/dashboard/{query}").content.decode()
        assert "Resources pledged and mobilised by thematic area" in html
        assert "Amount mobilised" in html and "Mobilised" in html
        response = client.get(f"/dashboard/data/resources_by_thematic_area.csv{query}")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["code", "label", "currency", "pledged", "mobilised"]
        employment = [row for row in rows if row[0] == "employment"]
        assert [row[2:] for row in employment] == [["USD", "1250.00", "300.00"]]
    data = orjson.loads(client.get("/api/v1/stats/").content)
    africa = [row for row in data["resources_by_region"] if row["code"] == "002"]
    assert {(row["currency"], row["value"], row["mobilised"]) for row in africa} == {
        ("USD", "1000.00", "300.00"),
        ("EUR", "500.00", "0.00"),
    }
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/stats/?format=csv").content.decode()))
    )
    constituency = [row for row in rows if row["figure"] == "resources_by_constituency"]
    assert {(row["code"], row["mobilised"]) for row in constituency} >= {("government", "300.00")}
    report = client.get("/dashboard/report/2026/").content.decode()
    assert "Resources pledged and mobilised by constituency" in report


def test_a_filtered_dashboard_seen_again_only_looks_up_its_filters(
    client, registry, django_assert_num_queries
):
    url = "/dashboard/?thematic_area=employment&region=002"
    first = client.get(url)
    # The two filter values (thematic area, region) are looked up to validate the form; the
    # figures, the map and the filter form come from the cache.
    with django_assert_num_queries(2):
        again = client.get(url)
    assert again.context["figures"] == first.context["figures"]
    assert 'value="employment" selected' in again.content.decode()
