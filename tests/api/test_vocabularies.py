"""thematic-areas/, priorities/, sdgs/, constituencies/, regions/: the fixed lists, by code."""

import pytest

from tests.api.conftest import body


def test_a_thematic_area_is_shown_exactly_so(api, db):
    assert body(api.get("thematic-areas/social-dialogue/")) == {
        "code": "social-dialogue",
        "names": {
            "en": "Reinforcing institutions of social dialogue",
            "fr": "Renforcer les institutions du dialogue social",
            "es": "Reforzar las instituciones del diálogo social",
        },
        "position": 6,
    }


def test_a_priority_is_shown_exactly_so(api, db):
    record = body(api.get("priorities/social-dialogue/"))
    assert record["code"] == "social-dialogue"
    assert record["names"]["en"] == "Promoting social dialogue"
    assert record["description_en"].startswith("Strengthening social dialogue")
    assert set(record) == {"code", "names", "position", "description_en"}


def test_an_sdg_is_shown_exactly_so(api, db):
    assert body(api.get("sdgs/8/")) == {
        "number": 8,
        "names": {
            "en": "Decent work and economic growth",
            "fr": "Travail décent et croissance économique",
            "es": "Trabajo decente y crecimiento económico",
        },
        "colour": "#A21942",
    }


def test_a_constituency_is_shown_exactly_so(api, db):
    record = body(api.get("constituencies/academia/"))
    assert record == {
        "code": "academia",
        "names": {"en": "Academia", "fr": "Milieu universitaire", "es": "Mundo académico"},
        "position": record["position"],
    }


def test_a_region_is_shown_exactly_so(api, db):
    assert body(api.get("regions/155/")) == {
        "m49": "155",
        "kind": "sub-region",
        "parent": "150",
        "names": {"en": "Western Europe", "fr": "Europe occidentale", "es": "Europa occidental"},
        "countries": ["AT", "BE", "CH", "DE", "FR", "LI", "LU", "MC", "NL"],
    }


@pytest.mark.parametrize(
    ("path", "count", "first"),
    [
        ("thematic-areas/", 6, "inequality"),
        ("priorities/", 4, "employment-social-protection"),
        ("sdgs/", 17, 1),
        ("constituencies/", 8, "government"),
    ],
)
def test_lists_come_whole_in_their_order(api, path, count, first, db):
    results = body(api.get(path))["results"]
    assert len(results) == count
    assert results[0].get("code", results[0].get("number")) == first


def test_vocabularies_are_csv_too(api, db):
    response = api.get("sdgs/?format=csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "number,names.en,names.fr,names.es,colour"
    assert lines[1] == "1,No poverty,Pas de pauvreté,Fin de la pobreza,#E5243B"
    assert len(lines) == 18


def test_a_list_costs_one_query(api, django_assert_num_queries, db):
    with django_assert_num_queries(1):
        api.get("regions/")
