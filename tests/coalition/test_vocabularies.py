"""The reference vocabularies loaded by the migrations, and how the admin shows them."""

import importlib
import re
from collections import Counter

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django_countries import countries as known_countries

from coalition import vocabularies
from coalition.models import (
    Constituency,
    Priority,
    Region,
    SustainableDevelopmentGoal,
    ThematicArea,
    User,
)

pytestmark = pytest.mark.django_db

# M49 puts Antarctica in no region.
COUNTRIES_WITHOUT_REGION = {"AQ"}

VOCABULARY_MODELS = {
    "constituency": Constituency,
    "thematicarea": ThematicArea,
    "priority": Priority,
    "sustainabledevelopmentgoal": SustainableDevelopmentGoal,
    "region": Region,
}


def codes(model) -> list[str]:
    return list(model.objects.values_list("code", flat=True))


def test_it_loads_the_eight_constituencies_of_the_seed_in_order():
    assert codes(Constituency) == [
        "government",
        "employers-organization",
        "workers-organization",
        "international-organization",
        "financial-institution",
        "enterprise",
        "ingo",
        "academia",
    ]
    assert Constituency.objects.get(code="ingo").name_en == (
        "International non-governmental organization"
    )


def test_it_loads_the_six_areas_of_immediate_action():
    assert codes(ThematicArea) == [
        "inequality",
        "labour-rights",
        "employment",
        "protection",
        "just-transitions",
        "social-dialogue",
    ]
    assert ThematicArea.objects.get(code="protection").name_en == (
        "Providing protection and building resilience"
    )


def test_it_loads_the_four_initial_priorities():
    assert codes(Priority) == [
        "employment-social-protection",
        "reducing-inequalities",
        "multilateral-coherence",
        "social-dialogue",
    ]
    assert all(Priority.objects.values_list("description_en", flat=True))


def test_the_global_accelerator_belongs_to_the_first_priority():
    first = Priority.objects.get(code="employment-social-protection")
    assert "Global Accelerator on Jobs and Social Protection for Just Transitions" in (
        first.description_en
    )


@pytest.mark.parametrize("model", [Constituency, ThematicArea, Priority])
def test_every_term_is_named_in_the_three_languages(model):
    for term in model.objects.all():
        assert term.name_en and term.name_fr and term.name_es, term.code
        assert term.name_fr != term.name_en, term.code


def test_a_term_is_shown_in_the_language_of_the_request():
    from django.utils import translation

    government = Constituency.objects.get(code="government")
    with translation.override("fr"):
        assert str(government) == "Gouvernement"
    with translation.override("es"):
        assert str(government) == "Gobierno"


def test_it_loads_the_seventeen_goals_with_their_official_titles():
    assert list(SustainableDevelopmentGoal.objects.values_list("number", flat=True)) == list(
        range(1, 18)
    )
    decent_work = SustainableDevelopmentGoal.objects.get(number=8)
    assert (decent_work.name_en, decent_work.name_fr, decent_work.name_es) == (
        "Decent work and economic growth",
        "Travail décent et croissance économique",
        "Trabajo decente y crecimiento económico",
    )


def test_every_goal_has_its_own_colour():
    colours = dict(SustainableDevelopmentGoal.objects.values_list("number", "colour"))
    assert all(re.fullmatch(r"#[0-9A-F]{6}", colour) for colour in colours.values())
    assert len(set(colours.values())) == 17
    assert (colours[1], colours[8], colours[17]) == ("#E5243B", "#A21942", "#19486A")


def test_it_loads_the_m49_regions_sub_regions_and_intermediate_regions():
    kinds = Counter(Region.objects.values_list("kind", flat=True))
    assert kinds == {"region": 5, "sub-region": 17, "intermediate": 8}
    assert set(Region.objects.filter(kind="region").values_list("m49", "name_en", "parent")) == {
        ("002", "Africa", None),
        ("019", "Americas", None),
        ("142", "Asia", None),
        ("150", "Europe", None),
        ("009", "Oceania", None),
    }
    assert Region.objects.get(m49="202").parent.m49 == "002"
    assert Region.objects.get(m49="830").parent.name_en == "Northern Europe"


def test_each_area_sits_under_an_area_of_the_kind_just_above():
    parent_kind = {"region": None, "sub-region": "region", "intermediate": "sub-region"}
    for region in Region.objects.select_related("parent"):
        assert (region.parent.kind if region.parent else None) == parent_kind[region.kind]


@pytest.mark.parametrize("kind", ["region", "sub-region"])
def test_every_country_belongs_to_exactly_one_area_of_each_level(kind):
    memberships = Counter(
        code for region in Region.objects.filter(kind=kind) for code in region.country_codes
    )
    expected = {country.code for country in known_countries} - COUNTRIES_WITHOUT_REGION
    assert set(memberships) == expected
    assert {code for code, count in memberships.items() if count > 1} == set()


def test_antarctica_belongs_to_no_region():
    assert not [region for region in Region.objects.all() if "AQ" in region.country_codes]


def test_an_area_holds_exactly_the_countries_of_the_areas_it_contains():
    for parent in Region.objects.prefetch_related("children"):
        children = list(parent.children.all())
        if not children:
            continue
        in_children = [code for child in children for code in child.country_codes]
        assert len(in_children) == len(set(in_children)), parent.name_en
        assert set(in_children) <= set(parent.country_codes), parent.name_en
        # Only Northern Europe lists countries beside its intermediate region (Channel Islands).
        if parent.kind == "region" or parent.m49 in ("202", "419"):
            assert set(in_children) == set(parent.country_codes), parent.name_en


def test_the_data_names_only_countries_that_django_countries_knows():
    named = {code for row in vocabularies.m49_rows() for code in row.countries}
    assert named <= {country.code for country in known_countries}


def test_the_migration_can_be_undone_and_run_again():
    migration = importlib.import_module("coalition.migrations.0002_vocabularies")
    migration.remove_vocabularies(django_apps, None)
    assert not Region.objects.exists()
    assert not Constituency.objects.exists()
    assert not SustainableDevelopmentGoal.objects.exists()

    migration.load_vocabularies(django_apps, None)
    migration.load_vocabularies(django_apps, None)
    assert Constituency.objects.count() == 8
    assert ThematicArea.objects.count() == 6
    assert Priority.objects.count() == 4
    assert SustainableDevelopmentGoal.objects.count() == 17
    assert Region.objects.count() == 30


# The admin.


@pytest.fixture(autouse=True)
def _no_two_factor_for_staff(settings):
    # Staff must set up TOTP before using the admin in production; not what these tests check.
    settings.REQUIRE_STAFF_TWO_FACTOR = False


@pytest.fixture
def viewer(db):
    """Secretariat staff who may view the vocabularies and nothing more."""
    user = User.objects.create_user(email="vera@example.org", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="coalition",
            codename__in=[f"view_{name}" for name in VOCABULARY_MODELS],
        )
    )
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.org", password="x")


def admin_url(model_name: str, suffix: str = "") -> str:
    return f"/admin/coalition/{model_name}/{suffix}"


def first_pk(model) -> str:
    return str(model.objects.order_by("pk").values_list("pk", flat=True)[0])


@pytest.mark.parametrize("model_name", VOCABULARY_MODELS)
def test_staff_see_a_vocabulary_in_the_admin_without_the_means_to_change_it(
    client, viewer, model_name
):
    model = VOCABULARY_MODELS[model_name]
    client.force_login(viewer)

    listing = client.get(admin_url(model_name))
    assert listing.status_code == 200
    assert not listing.context["has_add_permission"]
    assert b'value="delete_selected"' not in listing.content

    change = client.get(admin_url(model_name, f"{first_pk(model)}/change/"))
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    assert b'name="_save"' not in change.content
    assert b'name="name_en"' not in change.content


@pytest.mark.parametrize("model_name", VOCABULARY_MODELS)
def test_staff_cannot_add_change_or_delete_a_vocabulary_entry(client, viewer, model_name):
    model = VOCABULARY_MODELS[model_name]
    pk = first_pk(model)
    client.force_login(viewer)

    assert client.get(admin_url(model_name, "add/")).status_code == 403
    assert client.post(admin_url(model_name, f"{pk}/change/"), {"name_en": "X"}).status_code == 403
    assert client.post(admin_url(model_name, f"{pk}/delete/"), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=pk).exists()
    assert "X" not in model.objects.values_list("name_en", flat=True)


def test_staff_without_the_view_permission_do_not_see_the_vocabularies(client):
    clerk = User.objects.create_user(email="clerk@example.org", password="x", is_staff=True)
    client.force_login(clerk)
    assert client.get(admin_url("constituency")).status_code == 403


@pytest.mark.parametrize("model_name", VOCABULARY_MODELS)
def test_a_superuser_may_edit_a_vocabulary(client, superuser, model_name):
    model = VOCABULARY_MODELS[model_name]
    client.force_login(superuser)

    assert client.get(admin_url(model_name, "add/")).status_code == 200
    change = client.get(admin_url(model_name, f"{first_pk(model)}/change/"))
    assert change.context["has_change_permission"]
    assert b'name="name_en"' in change.content


def test_a_superuser_can_fix_the_name_of_a_constituency(client, superuser):
    academia = Constituency.objects.get(code="academia")
    client.force_login(superuser)

    response = client.post(
        admin_url("constituency", f"{academia.pk}/change/"),
        {
            "code": "academia",
            "name_en": "Academia and research",
            "name_fr": "Milieu universitaire et recherche",
            "name_es": "Mundo académico e investigación",
            "position": "8",
        },
    )

    assert response.status_code == 302
    academia.refresh_from_db()
    assert academia.name_en == "Academia and research"


def test_the_user_admin_lists_and_searches_people_by_email_and_name(client, superuser):
    User.objects.create_user(email="amina@example.org", full_name="Amina Diallo")
    User.objects.create_user(email="jonas@example.org", full_name="Jonas Berg")
    client.force_login(superuser)

    response = client.get("/admin/coalition/user/", {"q": "diallo"})

    assert response.status_code == 200
    assert [user.email for user in response.context["cl"].result_list] == ["amina@example.org"]
    assert client.get("/admin/coalition/user/", {"is_staff__exact": "1"}).status_code == 200


def test_the_user_admin_creates_a_person_from_an_email_and_a_password(client, superuser):
    client.force_login(superuser)

    response = client.post(
        "/admin/coalition/user/add/",
        {
            "email": "new.person@example.org",
            "full_name": "New Person",
            "language": "fr",
            "usable_password": "true",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.org")
    assert person.check_password("a long and unusual passphrase")
    assert person.language == "fr"


def test_the_user_admin_refuses_an_email_that_differs_only_by_case(client, superuser):
    User.objects.create_user(email="amina@example.org")
    client.force_login(superuser)

    response = client.post(
        "/admin/coalition/user/add/",
        {
            "email": "Amina@example.org",
            "usable_password": "false",
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="amina@example.org").count() == 1
