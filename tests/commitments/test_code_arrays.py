"""The codes of a commitment's vocabulary relations and countries, kept on its row for the API's
filters (commitments.models, CODE_ARRAYS): after every writer, the arrays say exactly what the
relations say."""

from importlib import import_module

import pytest
import tablib
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from coalition.models import Priority, Region
from commitments import demo as commitments_demo
from commitments import services
from commitments.models import Commitment, filter_keys_of
from commitments.search import refresh_search_vectors
from partners import demo as partners_demo
from secretariat.resources import CommitmentResource
from tests.api.conftest import build_content, make_draft, make_published
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

ARRAYS = (
    "theme_codes",
    "priority_codes",
    "sdg_numbers",
    "region_codes",
    "country_codes",
    "filter_keys",
)


def relations_of(commitment: Commitment) -> dict:
    codes = {
        "theme_codes": sorted(commitment.thematic_areas.values_list("code", flat=True)),
        "priority_codes": sorted(commitment.priorities.values_list("code", flat=True)),
        "sdg_numbers": sorted(commitment.sdgs.values_list("number", flat=True)),
        "region_codes": sorted(commitment.regions.values_list("m49", flat=True)),
        "country_codes": sorted(country.code for country in commitment.countries),
    }
    return {**codes, "filter_keys": filter_keys_of(**codes)}


def arrays_of(commitment: Commitment) -> dict:
    return Commitment.objects.filter(pk=commitment.pk).values(*ARRAYS).get()


def test_the_filter_keys_name_every_area_a_commitment_is_in():
    keys = filter_keys_of(
        theme_codes=["employment"],
        priority_codes=[],
        sdg_numbers=[8],
        region_codes=["014"],  # Eastern Africa, in sub-Saharan Africa, in Africa
        country_codes=["FR"],  # in Western Europe, in Europe
    )

    assert keys == [
        "area:002",
        "area:014",
        "area:150",
        "area:155",
        "area:202",
        "sdg:8",
        "theme:employment",
    ]


def assert_arrays_match(queryset=None) -> int:
    commitments = list(queryset if queryset is not None else Commitment.objects.all())
    for commitment in commitments:
        assert arrays_of(commitment) == relations_of(commitment), commitment.pk
    return len(commitments)


def test_creating_a_commitment_keeps_its_codes_on_the_row(acme, alice):
    commitment = make_draft(
        acme, alice, level="regional", regions=["014", "011"], countries=["UG", "KE"], sdgs=[8, 4]
    )

    assert arrays_of(commitment) == {
        "theme_codes": ["employment"],
        "priority_codes": ["employment-social-protection"],
        "sdg_numbers": [4, 8],
        "region_codes": ["011", "014"],
        "country_codes": ["KE", "UG"],
        "filter_keys": [
            "area:002",
            "area:011",
            "area:014",
            "area:202",
            "priority:employment-social-protection",
            "sdg:4",
            "sdg:8",
            "theme:employment",
        ],
    }
    assert_arrays_match()


def test_editing_a_draft_changes_them_with_the_relations(acme, alice):
    commitment = make_draft(acme, alice)

    services.commitment_update(
        commitment=commitment,
        actor=alice,
        content=build_content(
            thematic_areas=["protection", "inequality"],
            priorities=[],
            sdgs=[1],
            level="regional",
            regions=["002"],
            countries=[],
        ),
        lock_version=commitment.lock_version,
    )

    assert arrays_of(commitment)["theme_codes"] == ["inequality", "protection"]
    assert arrays_of(commitment)["country_codes"] == []
    assert_arrays_match()


def test_edits_of_a_published_commitment_change_them_only_once_published(acme, alice, sam):
    commitment = make_published(acme, alice, sam)
    services.commitment_update(
        commitment=commitment,
        actor=alice,
        content=build_content(thematic_areas=["labour-rights"], sdgs=[5, 10], countries=["TZ"]),
        lock_version=commitment.lock_version,
    )
    assert arrays_of(commitment)["theme_codes"] == ["employment"]  # the public content
    commitment.refresh_from_db()
    services.commitment_submit(commitment=commitment, actor=alice, reason="New focus.")
    revision = commitment.revisions.get()

    services.revision_publish(revision=revision, actor=sam)

    assert arrays_of(commitment)["sdg_numbers"] == [5, 10]
    assert arrays_of(commitment)["country_codes"] == ["TZ"]
    assert_arrays_match()


def test_the_factory_and_refresh_codes_copy_relations_written_directly():
    commitment = CommitmentFactory(thematic_areas=["employment", "protection"], sdgs=[8, 1])
    assert_arrays_match()

    commitment.regions.set(Region.objects.filter(m49__in=["014"]))
    commitment.priorities.set(Priority.objects.filter(code="social-dialogue"))
    Commitment.objects.filter(pk=commitment.pk).update(countries="KE,UG")
    assert Commitment.objects.filter(pk=commitment.pk).refresh_codes() == 1

    assert arrays_of(commitment)["region_codes"] == ["014"]
    assert arrays_of(commitment)["country_codes"] == ["KE", "UG"]
    assert_arrays_match()


def test_an_import_keeps_them_with_the_imported_relations(acme):
    commitment = CommitmentFactory(lead_organization=acme, sdgs=[8])
    dataset = CommitmentResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row.update(thematic_areas="protection,inequality", sdgs="1,5", regions="014", countries="TZ")
    changed = tablib.Dataset(list(row.values()), headers=list(row))

    result = CommitmentResource().import_data(changed, dry_run=False)

    assert not result.has_errors(), [row.errors for row in result.rows]
    assert arrays_of(commitment)["theme_codes"] == ["inequality", "protection"]
    assert arrays_of(commitment)["sdg_numbers"] == [1, 5]
    assert_arrays_match()


def test_the_migrations_fill_them_for_the_rows_that_exist():
    CommitmentFactory(thematic_areas=["employment"], sdgs=[8, 3])
    other = CommitmentFactory(thematic_areas=["protection"], sdgs=[])
    other.regions.set(Region.objects.filter(m49__in=["002", "014"]))
    Commitment.objects.update(**{array: [] for array in ARRAYS})
    arrays = import_module("commitments.migrations.0003_vocabulary_code_arrays")
    keys = import_module("commitments.migrations.0004_commitment_filter_keys")

    with connection.schema_editor() as editor:
        arrays.fill(apps, editor)
        keys.fill(apps, editor)

    assert arrays_of(other)["region_codes"] == ["002", "014"]
    assert assert_arrays_match() == 2


def test_the_demo_keeps_them():
    cast = partners_demo.seed()

    created = commitments_demo.seed(secretariat=cast["secretariat"])

    assert created
    assert assert_arrays_match() == Commitment.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale loads with COPY")
def test_the_scale_loader_writes_them_with_the_relations():
    call_command("seed_scale", reset=True, partners=40, commitments=300, verbosity=0)

    assert assert_arrays_match() == 300
    assert Commitment.objects.filter(level="regional").exclude(region_codes=[]).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale loads with COPY")
def test_the_scale_loader_writes_the_search_vectors_postgresql_computes():
    call_command("seed_scale", reset=True, partners=40, commitments=300, verbosity=0)
    written = dict(Commitment.objects.values_list("pk", "search_vector"))

    assert refresh_search_vectors(Commitment.objects.all()) == 300

    computed = dict(Commitment.objects.values_list("pk", "search_vector"))
    assert written == computed
    assert Commitment.objects.filter(language="fr").exists()
    assert Commitment.objects.filter(language="es").exists()
