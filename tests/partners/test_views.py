import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from coalition.models import Constituency
from partners.models import Invitation, Membership, Organization
from tests.factories import ApplicationFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def application_data(**overrides):
    return {
        "name": "Sunrise Cooperative",
        "acronym": "SC",
        "constituency": Constituency.objects.get(code="enterprise").pk,
        "country": "GH",
        "description": "Solar panels assembled by a worker cooperative.",
        "website": "https://sunrise.example.org",
        "languages": ["en", "fr"],
        "endorsed": "on",
        **overrides,
    }


# Who sees what: the permission matrix of every partners page.
# alice: admin of Acme; bob: contributor of Acme; charlie: admin of Globex; sam: Secretariat.
@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 200), ("stranger", 200), ("bob", 200), ("alice", 200), ("charlie", 200), ("sam", 200)],
)
def test_everyone_reads_the_directory_and_an_approved_profile(client, request, acme, who, expected):
    user = request.getfixturevalue(who) if who else None
    login(client, user)
    assert client.get(reverse("partners:directory")).status_code == expected
    assert client.get(acme.get_absolute_url()).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 404), ("stranger", 404), ("charlie", 404), ("alice", 200), ("sam", 200)],
)
def test_a_pending_partner_is_seen_only_by_its_members_and_the_secretariat(
    client, request, acme, alice, who, expected
):
    Organization.objects.filter(pk=acme.pk).update(status=Organization.Status.APPLIED)
    login(client, request.getfixturevalue(who) if who else None)
    response = client.get(acme.get_absolute_url())
    assert response.status_code == expected
    if expected == 200:
        assert "This profile is not public" in response.text


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("stranger", 403), ("bob", 403), ("charlie", 403), ("alice", 200)],
)
def test_only_organization_admins_edit_the_profile_and_manage_members(
    client, request, acme, alice, bob, who, expected
):
    login(client, request.getfixturevalue(who) if who else None)
    for name in ("partners:organization_edit", "partners:members"):
        response = client.get(reverse(name, args=[acme.pk]))
        assert response.status_code == expected
        if expected == 302:
            assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["stranger", "bob", "charlie"])
def test_people_who_are_not_admins_cannot_change_members(client, request, acme, alice, bob, who):
    login(client, request.getfixturevalue(who))
    membership = Membership.objects.get(user=alice)
    response = client.post(
        reverse("partners:membership_change", args=[acme.pk, membership.pk]), {"remove": "1"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_join_form_and_workspace_ask_to_log_in(client):
    for name in ("partners:apply", "partners:workspace"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_join_form_quotes_both_commitments(client, stranger):
    login(client, stranger)
    response = client.get(reverse("partners:apply"))
    assert "fundamental principles and rights at work" in response.text
    assert "significantly advancing social justice" in response.text


def test_applying_in_the_browser_creates_a_pending_partner(client, stranger):
    login(client, stranger)
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("partners:apply"), application_data(logo=logo), follow=True)

    assert response.redirect_chain[-1][0] == reverse("partners:workspace")
    assert "is with the Secretariat" in response.text
    organization = Organization.objects.get(name="Sunrise Cooperative")
    assert organization.status == Organization.Status.APPLIED
    assert organization.languages == ["en", "fr"]
    assert organization.logo.name.endswith(".png")
    assert organization.application.applicant == stranger


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"endorsed": ""}, "endorsed", "endorse both commitments"),
        ({"name": ""}, "name", "This field is required"),
        ({"constituency": "999"}, "constituency", "Select a valid choice"),
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"website": "not a url"}, "website", "Enter a valid URL"),
        ({"languages": ["tlh"]}, "languages", "Select a valid choice"),
        ({"name": "Acme Workers Union"}, "name", "already registered"),
    ],
)
def test_bad_input_on_the_join_form_gets_a_field_error_and_stores_nothing(
    client, stranger, acme, overrides, field, message
):
    login(client, stranger)
    before = Organization.objects.count()
    response = client.post(reverse("partners:apply"), application_data(**overrides))

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert 'aria-invalid="true"' in response.text
    assert Organization.objects.count() == before


def test_a_logo_that_is_too_big_or_not_an_image_is_refused(client, stranger, settings):
    login(client, stranger)
    settings.LOGO_MAX_BYTES = 10
    response = client.post(
        reverse("partners:apply"),
        application_data(
            logo=SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
        ),
    )
    assert "1 MB" not in str(response.context["form"].errors["logo"])
    assert "at most" in str(response.context["form"].errors["logo"])

    settings.LOGO_MAX_BYTES = 1_048_576
    svg = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml")
    response = client.post(reverse("partners:apply"), application_data(logo=svg))
    assert "logo" in response.context["form"].errors
    assert not Organization.objects.filter(name="Sunrise Cooperative").exists()


def test_an_admin_edits_the_profile(client, alice, acme):
    login(client, alice)
    data = application_data(name="Acme Workers Union", description="New description.")
    data.pop("endorsed")
    response = client.post(reverse("partners:organization_edit", args=[acme.pk]), data)

    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.description == "New description."
    assert acme.history.first().history_user == alice


def test_an_admin_invites_changes_roles_and_removes_members(
    client, alice, bob, acme, run_queued_tasks
):
    login(client, alice)
    with run_queued_tasks():
        response = client.post(
            reverse("partners:members", args=[acme.pk]),
            {"email": "new@example.org", "role": "contributor"},
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(organization=acme, email="new@example.org").exists()

    bob_membership = Membership.objects.get(user=bob)
    client.post(
        reverse("partners:membership_change", args=[acme.pk, bob_membership.pk]), {"role": "admin"}
    )
    bob_membership.refresh_from_db()
    assert bob_membership.role == "admin"

    client.post(
        reverse("partners:membership_change", args=[acme.pk, bob_membership.pk]), {"remove": "1"}
    )
    assert not Membership.objects.filter(pk=bob_membership.pk).exists()


def test_the_last_admin_is_told_why_they_cannot_leave(client, alice, acme):
    login(client, alice)
    membership = Membership.objects.get(user=alice)
    response = client.post(
        reverse("partners:membership_change", args=[acme.pk, membership.pk]),
        {"remove": "1"},
        follow=True,
    )
    assert "The last admin cannot leave" in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_bad_invitation_address_gets_a_field_error(client, alice, acme):
    login(client, alice)
    response = client.post(
        reverse("partners:members", args=[acme.pk]), {"email": "nope", "role": "contributor"}
    )
    assert "email" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_an_invited_person_accepts_in_the_browser(client, alice, acme, stranger):
    invitation = Invitation.objects.create(
        organization=acme,
        email=stranger.email,
        role="contributor",
        invited_by=alice,
        token="t" * 40,
        expires_at="2999-01-01T00:00Z",
    )
    url = reverse("partners:invitation_accept", args=[invitation.token])
    assert client.get(url).status_code == 302  # log in or sign up first

    login(client, stranger)
    assert "Accept the invitation" in client.get(url).text
    response = client.post(url, follow=True)
    assert "Welcome to Acme Workers Union" in response.text
    assert Membership.objects.filter(user=stranger, organization=acme).exists()


def test_an_unknown_invitation_is_not_found(client, stranger):
    login(client, stranger)
    url = reverse("partners:invitation_accept", args=["unknown"])
    assert client.get(url).status_code == 404


def test_the_workspace_shows_the_rejection_reason(client, stranger):
    application = ApplicationFactory(applicant=stranger, decision="rejected", reason="Out of scope")
    Organization.objects.filter(pk=application.organization_id).update(status="rejected")
    Membership.objects.create(organization=application.organization, user=stranger, role="admin")
    login(client, stranger)
    response = client.get(reverse("partners:workspace"))
    assert "Out of scope" in response.text


def test_the_directory_lists_only_approved_partners(client, acme):
    OrganizationFactory(name="Pending Org", status=Organization.Status.APPLIED)
    OrganizationFactory(name="Suspended Org", status=Organization.Status.SUSPENDED)
    response = client.get(reverse("partners:directory"))
    assert "Acme Workers Union" in response.text
    assert "Pending Org" not in response.text
    assert "Suspended Org" not in response.text
    assert "1 partner" in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("constituency=enterprise", True),
        ("constituency=academia", False),
        ("country=KE", True),
        ("country=FR", False),
        ("region=002", True),  # Africa
        ("region=014", True),  # Eastern Africa
        ("region=150", False),  # Europe
        ("search=workers", True),
        ("search=AWU", True),
        ("search=nothing-matches", False),
    ],
)
def test_directory_filters(client, acme, query, found):
    response = client.get(f"{reverse('partners:directory')}?{query}")
    assert response.status_code == 200
    assert ("Acme Workers Union" in response.text) is found


def test_a_partner_working_in_a_country_is_found_by_that_country(client):
    OrganizationFactory(name="Nairobi Based", country="KE", countries=["TZ", "UG"])
    response = client.get(f"{reverse('partners:directory')}?country=UG")
    assert "Nairobi Based" in response.text


def test_htmx_gets_only_the_results(client, acme):
    response = client.get(reverse("partners:directory"), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results"')


def test_the_directory_query_count_does_not_grow_with_partners(client, django_assert_num_queries):
    OrganizationFactory.create_batch(3)
    # 1. count of the filtered partners  2. the page of partners with their constituency
    # 3. constituency choices of the filter form  4. region choices (countries need no query)
    with django_assert_num_queries(4) as few:
        client.get(reverse("partners:directory"))
    OrganizationFactory.create_batch(20)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("partners:directory"))


@pytest.mark.parametrize(
    ("moment", "valid"),
    [("1013-06-03T20:02:36+22:47", True), ("0001-01-01T00:00:00-01:00", True), ("soon", False)],
)
def test_an_offset_the_database_refuses_is_never_a_server_error(client, acme, moment, valid):
    # Times are turned to UTC before the query: PostgreSQL refuses a +22:47 offset.
    response = client.get(reverse("partners:directory"), {"updated_since": moment})
    assert response.status_code == 200
    assert ("updated_since" not in response.context["filter"].errors) is valid
