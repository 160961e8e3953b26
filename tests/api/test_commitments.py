"""commitments/: the public record of each commitment, the browser's filters, and the writes a
token makes through the services (drafts, edits, submission, moderation, progress)."""

import datetime
from datetime import UTC

import pytest
import time_machine
from django.utils import timezone

from coalition.api import dumps
from coalition.models import Region
from commitments import services
from commitments.models import Commitment, CommitmentRevision, CoPartnership, Deliverable
from tests.api.conftest import body, build_content, make_draft, make_published, token_of
from tests.factories import MembershipFactory, OrganizationFactory

FROZEN = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@time_machine.travel(FROZEN, tick=False)
def test_a_commitment_is_shown_exactly_so(api, acme, alice, sam, globex, charlie):
    commitment = make_published(
        acme,
        alice,
        sam,
        level="regional",
        regions=["014"],
        countries=["KE", "UG"],
        description="Paid apprenticeships.",
    )
    invitation = CoPartnership.objects.create(commitment=commitment, organization=globex)
    services.copartnership_respond(copartnership=invitation, actor=charlie, accept=True)
    deliverable = commitment.deliverables.get()

    response = api.get(f"commitments/{commitment.pk}/")

    assert response.status_code == 200
    assert body(response) == {
        "id": commitment.pk,
        "public": True,
        "status": "published",
        "status_reason": None,
        "title": "Apprenticeships for 500 young people in Nairobi",
        "summary": "Employers and unions open apprenticeships for young people.",
        "description": "Paid apprenticeships.",
        "lead_organization": {"id": acme.pk, "name": "Acme Workers Union", "acronym": "AWU"},
        "co_partners": [globex.pk],
        "thematic_areas": ["employment"],
        "priorities": ["employment-social-protection"],
        "sdgs": [4, 8],
        "level": "regional",
        "regions": ["014"],
        "countries": ["KE", "UG"],
        "start_date": "2026-02-20",
        "end_date": "2028-02-20",
        "resource_types": ["financial", "staff"],
        "resources_description": "Two coordinators and the apprentices' wages.",
        "resources_amount": "250000.00",
        "resources_currency": "USD",
        "expected_results": "500 young people complete an apprenticeship.",
        "language": "en",
        "links": ["https://example.org/apprenticeships"],
        "deliverables": [
            {
                "id": deliverable.pk,
                "title": "Apprenticeship places opened",
                "indicator": "Young people starting an apprenticeship",
                "baseline": "0",
                "target": "500",
                "due_date": "2026-09-18",
                "status": "planned",
            }
        ],
        "first_published_at": "2026-03-02T09:30:00Z",
        "published_at": "2026-03-02T09:30:00Z",
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
        "web_url": body(response)["web_url"],
        "lock_version": None,
        "pending_edit": None,
    }
    web_url = body(response)["web_url"]
    assert web_url is None or web_url.endswith(f"/commitments/{commitment.pk}/")
    listed = body(api.get("commitments/"))["results"]
    assert listed == [{k: v for k, v in body(response).items() if k != "pending_edit"}]


def test_members_see_the_edit_number_and_their_pending_edits(api, published, alice_token):
    own = body(api.get(f"commitments/{published.pk}/", token=alice_token))
    assert own["lock_version"] == published.lock_version
    response = api.patch(
        f"commitments/{published.pk}/",
        {"title": "A better title", "lock_version": own["lock_version"]},
        token=alice_token,
    )
    assert response.status_code == 200, response.content
    edited = body(response)
    assert edited["title"] == own["title"]  # the public row waits for the Secretariat
    assert edited["pending_edit"]["status"] == "draft"
    assert edited["pending_edit"]["content"]["title"] == "A better title"
    public = body(api.get(f"commitments/{published.pk}/"))
    assert public["pending_edit"] is None and public["lock_version"] is None


def test_only_members_read_why_their_commitment_was_returned(
    api, submitted, sam, alice_token, charlie_token
):
    services.commitment_return(commitment=submitted, actor=sam, reason="Add a baseline.")
    assert body(api.get(f"commitments/{submitted.pk}/", token=alice_token))["status_reason"] == (
        "Add a baseline."
    )
    assert api.get(f"commitments/{submitted.pk}/", token=charlie_token).status_code == 404
    assert api.get(f"commitments/{submitted.pk}/").status_code == 404


def test_everyone_reads_why_a_commitment_was_withdrawn(api, published, alice):
    services.commitment_withdraw(commitment=published, actor=alice, reason="Funding ended.")
    record = body(api.get(f"commitments/{published.pk}/"))
    assert record["public"] is False
    assert record["status"] == "withdrawn" and record["status_reason"] == "Funding ended."
    assert body(api.get("commitments/"))["results"] == []


def test_invited_co_partners_are_not_shown_until_they_confirm(api, published, globex):
    CoPartnership.objects.create(commitment=published, organization=globex)
    assert body(api.get(f"commitments/{published.pk}/"))["co_partners"] == []


def test_drafts_are_listed_only_for_their_members_and_when_asked(
    api, draft, published, alice_token, charlie_token, sam_token
):
    def ids(query="", token=None):
        return [
            item["id"] for item in body(api.get(f"commitments/{query}", token=token))["results"]
        ]

    assert ids() == [published.pk]
    assert ids(token=alice_token) == [published.pk]
    assert ids("?status=draft", token=alice_token) == [draft.pk]
    assert ids("?status=draft", token=charlie_token) == []
    assert ids("?status=draft") == []
    assert ids("?status=draft", token=sam_token) == [draft.pk]


def test_co_partner_members_read_a_draft_they_were_invited_to(api, draft, globex, charlie_token):
    CoPartnership.objects.create(commitment=draft, organization=globex)
    record = body(api.get(f"commitments/{draft.pk}/", token=charlie_token))
    assert record["status"] == "draft"
    assert record["lock_version"] is None  # reading is not editing


# Filters -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(acme, alice, sam, globex, charlie):
    kenya = make_published(
        acme,
        alice,
        sam,
        title="Apprenticeships in Nairobi",
        thematic_areas=["employment"],
        priorities=["employment-social-protection"],
        sdgs=[8],
        level="national",
        countries=["KE"],
    )
    from coalition.models import Constituency

    globex.constituency = Constituency.objects.get(code="financial-institution")
    globex.save()
    europe = make_published(
        globex,
        charlie,
        sam,
        title="Social dialogue for a just transition",
        summary="Tripartite councils on the energy transition.",
        thematic_areas=["social-dialogue", "just-transitions"],
        priorities=["social-dialogue"],
        sdgs=[13, 16],
        level="regional",
        regions=["155"],
        countries=[],
    )
    return {"kenya": kenya, "europe": europe}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=Nairobi", ["kenya"]),
        ("search=tripartite", ["europe"]),
        ("search=astronomy", []),
        ("thematic_area=employment", ["kenya"]),
        ("thematic_area=protection", []),
        ("priority=social-dialogue", ["europe"]),
        ("priority=reducing-inequalities", []),
        ("sdg=13", ["europe"]),
        ("sdg=1", []),
        ("constituency=financial-institution", ["europe"]),
        ("constituency=academia", []),
        ("region=150", ["europe"]),
        ("region=014", ["kenya"]),
        ("region=009", []),
        ("country=FR", ["europe"]),
        ("country=KE", ["kenya"]),
        ("country=JP", []),
        ("level=national", ["kenya"]),
        ("level=global", []),
        ("status=published", ["europe", "kenya"]),
        ("status=completed", []),
        ("year=2027", ["europe", "kenya"]),
        ("year=2001", []),
        ("reporting_status=on_track", ["europe", "kenya"]),
        ("reporting_status=inactive", []),
        ("updated_since=2000-01-01T00:00:00Z", ["europe", "kenya"]),
        ("updated_since=2999-01-01T00:00:00Z", []),
        ("thematic_area=employment&sdg=8&country=KE", ["kenya"]),
        ("thematic_area=employment&sdg=13&country=KE", []),
    ],
)
def test_each_filter_matches_and_misses(api, catalogue, query, expected):
    names = {commitment.pk: name for name, commitment in catalogue.items()}
    found = sorted(names[item["id"]] for item in body(api.get(f"commitments/?{query}"))["results"])
    assert found == expected


def test_the_partner_filter_matches_lead_and_confirmed_co_partners(api, catalogue, acme, globex):
    europe = catalogue["europe"]
    CoPartnership.objects.create(
        commitment=europe, organization=acme, status=CoPartnership.Status.CONFIRMED
    )
    initech = OrganizationFactory(name="Initech")

    def ids(partner):
        return sorted(i["id"] for i in body(api.get(f"commitments/?partner={partner}"))["results"])

    assert ids(acme.pk) == sorted([catalogue["kenya"].pk, europe.pk])
    assert ids(globex.pk) == [europe.pk]
    assert ids(initech.pk) == []


# Writes ------------------------------------------------------------------------------------


def test_a_member_creates_a_draft(api, acme, bob, bob_token):
    content = build_content(lead_organization=acme.pk)
    response = api.post("commitments/", content, token=bob_token)

    assert response.status_code == 201, response.content
    created = body(response)
    assert response["Location"] == f"http://testserver/api/v1/commitments/{created['id']}/"
    assert created["status"] == "draft" and created["public"] is False
    assert created["lock_version"] == 1
    assert created["deliverables"][0]["title"] == "Apprenticeship places opened"
    commitment = Commitment.objects.get(pk=created["id"])
    assert commitment.created_by == bob and commitment.lead_organization == acme


def test_a_member_invites_co_partners_who_confirm_on_the_website(api, acme, globex, alice_token):
    content = build_content(lead_organization=acme.pk, co_partners=[globex.pk])
    created = body(api.post("commitments/", content, token=alice_token))
    assert created["co_partners"] == []  # invited, not confirmed
    assert CoPartnership.objects.get(commitment_id=created["id"]).organization == globex


def test_unknown_co_partners_are_refused(api, acme, alice_token):
    content = build_content(lead_organization=acme.pk, co_partners=[987654])
    response = api.post("commitments/", content, token=alice_token)
    assert response.status_code == 400
    assert "co_partners" in body(response)["fields"]


def test_a_member_replaces_and_patches_a_draft(api, draft, alice_token):
    record = body(api.get(f"commitments/{draft.pk}/", token=alice_token))
    replaced = api.put(
        f"commitments/{draft.pk}/",
        {**build_content(title="Replaced"), "lock_version": record["lock_version"]},
        token=alice_token,
    )
    assert replaced.status_code == 200, replaced.content
    assert body(replaced)["title"] == "Replaced"

    patched = api.patch(
        f"commitments/{draft.pk}/",
        {"summary": "Shorter.", "lock_version": body(replaced)["lock_version"]},
        token=alice_token,
    )
    assert patched.status_code == 200, patched.content
    assert body(patched)["title"] == "Replaced" and body(patched)["summary"] == "Shorter."
    assert len(body(patched)["deliverables"]) == 1


def test_a_patch_needs_the_lock_version(api, draft, alice_token):
    response = api.patch(f"commitments/{draft.pk}/", {"title": "x"}, token=alice_token)
    assert response.status_code == 400
    assert body(response)["fields"]["lock_version"][0]["code"] == "required"


def test_an_edit_begun_before_another_save_is_a_409(api, draft, alice_token, bob_token):
    version = body(api.get(f"commitments/{draft.pk}/", token=alice_token))["lock_version"]
    first = api.patch(
        f"commitments/{draft.pk}/", {"title": "Bob's", "lock_version": version}, token=bob_token
    )
    assert first.status_code == 200
    second = api.patch(
        f"commitments/{draft.pk}/", {"title": "Alice's", "lock_version": version}, token=alice_token
    )
    assert second.status_code == 409
    assert body(second)["code"] == "conflict"
    draft.refresh_from_db()
    assert draft.title == "Bob's"


def test_deliverables_are_changed_with_the_content(api, draft, alice_token):
    record = body(api.get(f"commitments/{draft.pk}/", token=alice_token))
    kept = {k: v for k, v in record["deliverables"][0].items() if k != "status"}
    added = {**kept, "id": None, "title": "Jobs after the apprenticeship", "target": "300"}
    response = api.patch(
        f"commitments/{draft.pk}/",
        {"deliverables": [kept, added], "lock_version": record["lock_version"]},
        token=alice_token,
    )
    assert response.status_code == 200, response.content
    titles = [item["title"] for item in body(response)["deliverables"]]
    assert titles == ["Apprenticeship places opened", "Jobs after the apprenticeship"]
    assert Deliverable.objects.filter(commitment=draft).count() == 2


def test_the_lifecycle_through_the_api(api, draft, alice_token, sam_token):
    submitted = api.post(f"commitments/{draft.pk}/submit/", {}, token=alice_token)
    assert submitted.status_code == 200 and body(submitted)["status"] == "submitted"

    no_reason = api.post(f"commitments/{draft.pk}/return/", {}, token=sam_token)
    assert no_reason.status_code == 400 and "reason" in body(no_reason)["fields"]
    returned = api.post(
        f"commitments/{draft.pk}/return/", {"reason": "Add a baseline."}, token=sam_token
    )
    assert body(returned)["status"] == "returned"
    assert body(returned)["status_reason"] == "Add a baseline."

    api.post(f"commitments/{draft.pk}/submit/", {}, token=alice_token)
    published = api.post(f"commitments/{draft.pk}/publish/", {}, token=sam_token)
    assert body(published)["status"] == "published" and body(published)["public"] is True
    assert body(published)["status_reason"] is None

    completed = api.post(f"commitments/{draft.pk}/complete/", {}, token=alice_token)
    assert body(completed)["status"] == "completed"


def test_edits_of_a_published_commitment_are_published_by_the_secretariat(
    api, published, alice_token, sam_token
):
    version = body(api.get(f"commitments/{published.pk}/", token=alice_token))["lock_version"]
    api.patch(
        f"commitments/{published.pk}/",
        {"title": "Now 600 young people", "lock_version": version},
        token=alice_token,
    )
    submitted = api.post(
        f"commitments/{published.pk}/submit/", {"reason": "More places."}, token=alice_token
    )
    assert body(submitted)["pending_edit"]["status"] == "submitted"
    assert body(api.get(f"commitments/{published.pk}/"))["title"] != "Now 600 young people"

    done = api.post(f"commitments/{published.pk}/publish/", {}, token=sam_token)
    assert body(done)["title"] == "Now 600 young people"
    assert body(done)["pending_edit"] is None
    assert CommitmentRevision.objects.get().status == CommitmentRevision.Status.PUBLISHED


def test_withdrawal_needs_a_reason(api, published, alice_token):
    response = api.post(f"commitments/{published.pk}/withdraw/", {}, token=alice_token)
    assert response.status_code == 400
    done = api.post(
        f"commitments/{published.pk}/withdraw/", {"reason": "Funding ended."}, token=alice_token
    )
    assert body(done)["status"] == "withdrawn"


def test_a_contributor_may_not_submit(api, draft, bob_token):
    response = api.post(f"commitments/{draft.pk}/submit/", {}, token=bob_token)
    assert response.status_code == 403
    assert body(response)["code"] == "permission_denied"


def test_a_member_of_a_suspended_partner_may_not_create(api, acme, alice_token, sam):
    from partners import services as partner_services
    from partners.models import Organization

    partner_services.organization_set_status(
        organization=acme, status=Organization.Status.SUSPENDED, actor=sam, reason="Review"
    )
    response = api.post("commitments/", build_content(lead_organization=acme.pk), token=alice_token)
    assert response.status_code == 403


def test_a_member_of_two_organizations_creates_for_either(api, acme, globex, alice, alice_token):
    MembershipFactory(organization=globex, user=alice)
    for organization in (acme, globex):
        content = build_content(lead_organization=organization.pk)
        assert api.post("commitments/", content, token=alice_token).status_code == 201


# Queries -----------------------------------------------------------------------------------


def test_the_database_writes_a_record_as_orjson_would(api, acme, alice, sam):
    # Most of a commitment's JSON is written by PostgreSQL (coalition.api.JsonMembers): its
    # strings, times and numbers must come out byte for byte as orjson writes them.
    title = 'Jobs "now" \\ for\tall\x01 — é ✓'
    due = timezone.localdate() + datetime.timedelta(days=30)
    deliverable = {"title": title, "indicator": "Places", "baseline": "0", "target": "5"}
    commitment = make_published(
        acme,
        alice,
        sam,
        title=title,
        description="Line one\nline two",
        resources_amount=None,
        deliverables=[{**deliverable, "due_date": due.isoformat()}],
    )
    moment = datetime.datetime(2026, 3, 2, 9, 30, 0, 120, tzinfo=UTC)
    Commitment.objects.filter(pk=commitment.pk).update(
        published_at=moment, first_published_at=moment.replace(microsecond=0)
    )

    content = api.get("commitments/?page_size=1").content

    for name, value in (
        ("title", title),
        ("description", "Line one\nline two"),
        ("resources_amount", None),
        ("published_at", moment),
        ("first_published_at", moment.replace(microsecond=0)),
        ("countries", ["KE"]),
        ("sdgs", [4, 8]),
        ("lead_organization", {"id": acme.pk, "name": acme.name, "acronym": acme.acronym}),
        ("co_partners", []),
        (
            "deliverables",
            [
                {
                    "id": commitment.deliverables.get().pk,
                    **deliverable,
                    "due_date": due,
                    "status": Deliverable.Status.PLANNED,
                }
            ],
        ),
    ):
        assert b'"%s":%s' % (name.encode(), dumps(value)) in content, name


@pytest.fixture
def many(acme, alice, sam):
    region = Region.objects.get(m49="014")
    first = make_published(acme, alice, sam, level="regional", regions=[region.m49])
    for n in range(11):
        make_draft(acme, alice, title=f"Draft {n}")
        Commitment.objects.filter(title=f"Draft {n}").update(
            status="published", published_at=timezone.now(), first_published_at=timezone.now()
        )
    return first


@pytest.mark.parametrize("size", [1, 5, 12])
def test_an_anonymous_page_costs_one_query_whatever_its_size(
    api, many, size, django_assert_num_queries
):
    # 1. the page: commitments with the lead partner's name, the codes of their themes,
    #    priorities, SDGs and regions, co-partners and deliverables (ARRAY subqueries), the
    #    last change of commitments and partners (Last-Modified), keyset-ordered.
    with django_assert_num_queries(1):
        page = body(api.get(f"commitments/?page_size={size}"))
    assert len(page["results"]) == size


@pytest.mark.parametrize("size", [1, 5, 12])
def test_a_token_page_costs_three_queries_whatever_its_size(
    api, many, size, alice_token, django_assert_num_queries
):
    api.get("sdgs/", token=alice_token)  # the token's first use is recorded once
    # 1. the token and its user, 2. the user's memberships (what they may edit),
    # 3. the page (public commitments and those of the user's organizations).
    with django_assert_num_queries(3):
        page = body(api.get(f"commitments/?page_size={size}", token=alice_token))
    assert len(page["results"]) == size


def test_a_filtered_page_is_one_query_too(api, many, django_assert_num_queries):
    # 1. the page: the codes of the filters are checked in memory, not looked up.
    with django_assert_num_queries(1):
        page = body(api.get("commitments/?thematic_area=employment&sdg=8&region=002&page_size=3"))
    assert len(page["results"]) == 3


def test_a_record_costs_a_constant_number_of_queries(api, many, django_assert_num_queries):
    # 1. the commitment with its reporting status (access function), 2. the page of the row.
    with django_assert_num_queries(2):
        api.get(f"commitments/{many.pk}/")


def test_creating_runs_in_one_transaction(api, acme, alice_token):
    before = Commitment.objects.count()
    content = build_content(lead_organization=acme.pk, thematic_areas=["employment"])
    content["deliverables"][0]["due_date"] = "1999-01-01"  # outside the period: refused
    response = api.post("commitments/", content, token=alice_token)
    assert response.status_code == 400
    assert "deliverables.0.due_date" in body(response)["fields"]
    assert Commitment.objects.count() == before


def test_a_token_of_a_person_without_organization_creates_nothing(api, acme, stranger):
    response = api.post(
        "commitments/", build_content(lead_organization=acme.pk), token=token_of(stranger)
    )
    assert response.status_code == 403
