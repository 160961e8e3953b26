"""The commitment pages: who may do what, the forms (errors next to their fields, nothing lost,
without JavaScript and with htmx), the browser, its CSV, and the commitment page."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commitments import services
from commitments.models import Autosave, Commitment, CoPartnership, ProgressUpdate
from tests.commitments.conftest import build_content
from tests.factories import (
    CommitmentFactory,
    EvidenceFileFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# The cast, as the permission matrix names them -------------------------------------------------


@pytest.fixture
def people(alice, bob, charlie, sam, stranger, ivan):
    return {
        "anonymous": None,
        "contributor": bob,
        "organization admin": alice,
        "other organization": charlie,
        "co-partner": ivan,
        "secretariat": sam,
        "stranger": stranger,
    }


@pytest.fixture
def as_(client, people, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = False

    def login(who):
        client.logout()
        if people[who] is not None:
            client.force_login(people[who])
        return client

    return login


@pytest.fixture
def invited(draft, initech, bob):
    """The draft names Initech (ivan's organization) as co-partner; not yet confirmed."""
    return CoPartnership.objects.create(commitment=draft, organization=initech, invited_by=bob)


def status(response) -> int | str:
    """The status, or "login" for a redirect to the login page."""
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


WHO = [
    "anonymous",
    "contributor",
    "organization admin",
    "other organization",
    "co-partner",
    "secretariat",
]


def matrix(expected: list) -> list:
    return list(zip(WHO, expected, strict=True))


@pytest.mark.parametrize(("who", "expected"), matrix([404, 200, 200, 404, 200, 200]))
def test_who_reads_a_draft(as_, draft, invited, who, expected):
    assert status(as_(who).get(reverse("commitments:detail", args=[draft.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix([200, 200, 200, 200, 200, 200]))
def test_everyone_reads_a_published_commitment(as_, published, who, expected):
    assert status(as_(who).get(reverse("commitments:detail", args=[published.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 200, 200, 404, 403, 403]))
def test_who_edits_a_draft(as_, draft, invited, who, expected):
    assert status(as_(who).get(reverse("commitments:edit", args=[draft.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 200, 200, 403, 403, 403]))
def test_who_edits_a_published_commitment(as_, published, who, expected):
    assert status(as_(who).get(reverse("commitments:edit", args=[published.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 403, 200, 404, 403, 403]))
def test_who_submits_a_draft(as_, draft, invited, who, expected):
    assert status(as_(who).get(reverse("commitments:submit", args=[draft.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 403, 200, 403, 403, 403]))
@pytest.mark.parametrize("page", ["commitments:withdraw", "commitments:complete"])
def test_who_withdraws_or_completes_on_the_site(as_, published, page, who, expected):
    # The Secretariat withdraws and completes from its admin.
    assert status(as_(who).get(reverse(page, args=[published.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 200, 200, 403, 403, 403]))
def test_who_reports_progress(as_, published, who, expected):
    url = reverse("commitments:progress_create", args=[published.pk])
    assert status(as_(who).get(url)) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("contributor", 200),
        ("organization admin", 200),
        ("other organization", 200),
        ("secretariat", 403),
        ("stranger", 403),
    ],
)
def test_who_logs_a_new_commitment(as_, who, expected):
    assert status(as_(who).get(reverse("commitments:create"))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 302, 302, 404, 403, 403]))
def test_who_discards_pending_edits(as_, published, bob, who, expected):
    services.commitment_update(
        commitment=published,
        actor=bob,
        content=build_content(title="Changed"),
        lock_version=published.lock_version,
    )
    url = reverse("commitments:revision_discard", args=[published.pk])
    # A member of another organization may read the published commitment, not edit it.
    expected = 403 if who == "other organization" else expected
    assert status(as_(who).post(url)) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("contributor", 404),
        ("organization admin", 403),
        ("co-partner", 302),
        ("secretariat", 403),
    ],
)
def test_only_the_co_partners_admins_confirm_its_participation(as_, draft, invited, who, expected):
    response = as_(who).post(
        reverse("commitments:copartner_respond", args=[draft.pk]),
        {"organization": invited.organization_id, "answer": "confirm"},
    )
    if who == "contributor":
        expected = 403  # bob reads the draft (his organization's) but does not answer for Initech
    assert status(response) == expected
    invited.refresh_from_db()
    assert (invited.status == "confirmed") == (expected == 302)


@pytest.mark.parametrize(("who", "expected"), matrix(["login", 200, 200, 404, 403, 403]))
def test_who_autosaves_a_draft(as_, draft, invited, who, expected):
    response = as_(who).post(reverse("commitments:autosave", args=[draft.pk]), {"title": "x"})
    assert status(response) == expected


def test_the_smart_score_endpoint_needs_a_login(client):
    assert status(client.post(reverse("commitments:smart"), {})) == "login"


# Drafts, returned, withdrawn: what the public sees ---------------------------------------------


def test_drafts_and_returned_commitments_never_appear_publicly(client, draft, acme, sam):
    returned = CommitmentFactory(
        lead_organization=acme, status="returned", status_reason="Vague", title="Returned one"
    )
    submitted = CommitmentFactory(lead_organization=acme, status="submitted", title="In review")

    listing = client.get(reverse("commitments:list")).content.decode()
    export = b"".join(client.get(reverse("commitments:export")).streaming_content).decode()
    profile = client.get(reverse("partners:profile", args=[acme.pk])).content.decode()

    for commitment in (draft, returned, submitted):
        assert commitment.title not in listing
        assert commitment.title not in export
        assert commitment.title not in profile
        assert client.get(reverse("commitments:detail", args=[commitment.pk])).status_code == 404


def test_a_withdrawn_commitment_stays_readable_with_its_reason_but_leaves_the_listing(
    client, published, alice
):
    services.commitment_withdraw(
        commitment=published, actor=alice, reason="The programme lost its funding."
    )

    page = client.get(reverse("commitments:detail", args=[published.pk])).content.decode()
    assert "This commitment was withdrawn" in page
    assert "The programme lost its funding." in page
    listing = client.get(reverse("commitments:list")).content.decode()
    assert published.title not in listing
    withdrawn = client.get(reverse("commitments:list"), {"status": "withdrawn"})
    assert published.title in withdrawn.content.decode()


# Writing a commitment -------------------------------------------------------------------------


def form_data(content: dict | None = None, **extra) -> dict:
    """The POST of the commitment form for a content (deliverables as formset rows)."""
    content = content or build_content()
    data = {
        key: value
        for key, value in content.items()
        if key not in ("deliverables", "links") and value not in (None, [])
    }
    data["links"] = "\n".join(content.get("links", []))
    rows = content["deliverables"]
    data.update(
        {
            "deliverables-TOTAL_FORMS": str(len(rows)),
            "deliverables-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
            "deliverables-MIN_NUM_FORMS": "0",
            "deliverables-MAX_NUM_FORMS": "30",
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is not None:
                data[f"deliverables-{index}-{key}"] = value
    data.update(extra)
    return data


def test_a_member_logs_a_draft_with_two_deliverables(client, bob, acme):
    client.force_login(bob)

    response = client.post(
        reverse("commitments:create"), form_data(lead_organization=acme.pk), follow=True
    )

    commitment = Commitment.objects.get()
    assert response.redirect_chain[-1][0] == commitment.get_absolute_url()
    assert commitment.status == "draft"
    assert commitment.deliverables.count() == 2
    assert [g.number for g in commitment.sdgs.all()] == [4, 8]


def test_errors_show_next_to_their_fields_and_nothing_typed_is_lost(client, bob, acme):
    client.force_login(bob)
    content = build_content(start_date="2026-01-01", end_date="2025-01-01")
    content["deliverables"][1]["indicator"] = ""

    response = client.post(
        reverse("commitments:create"), form_data(content, lead_organization=acme.pk)
    )

    assert response.status_code == 200
    assert not Commitment.objects.exists()
    page = response.content.decode()
    assert "The end date comes after the start date." in page
    assert "Give a measurable indicator for this deliverable." in page
    # The error is tied to its field, and the values typed come back.
    assert 'aria-invalid="true"' in page
    assert 'id="id_end_date_error"' in page
    assert 'value="Apprenticeships for 500 young people in Nairobi"' in page
    assert 'value="Jobs after the apprenticeship"' in page


def test_without_javascript_add_a_deliverable_submits_and_returns_one_more_row(client, bob, acme):
    client.force_login(bob)
    data = form_data(lead_organization=acme.pk, add_deliverable="1")

    response = client.post(reverse("commitments:create"), data)

    assert response.status_code == 200
    assert not Commitment.objects.exists()
    page = response.content.decode()
    assert 'name="deliverables-TOTAL_FORMS" value="3"' in page
    assert 'name="deliverables-2-title"' in page
    assert "errorlist" not in page  # adding a row is not a save: no error shown yet


def test_with_htmx_add_a_deliverable_returns_only_the_rows(client, bob, acme):
    client.force_login(bob)
    data = form_data(lead_organization=acme.pk, add_deliverable="1")

    response = client.post(reverse("commitments:create"), data, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<fieldset id="deliverables"')
    assert 'name="deliverables-2-title"' in page
    assert "<html" not in page


def test_removing_a_row_without_javascript(client, bob, draft):
    client.force_login(bob)
    url = reverse("commitments:edit", args=[draft.pk])
    data = form_data(edit_content(draft), lock_version=draft.lock_version)

    # "Remove this deliverable" submits the form; it comes back with the row set aside.
    response = client.post(url, {**data, "remove_deliverable": "1"})
    page = response.content.decode()
    assert "Deliverable 2 (“Jobs after the apprenticeship”) will be removed when you save." in page
    assert 'name="deliverables-1-DELETE" value="True"' in page
    assert draft.deliverables.count() == 2

    # "Keep it" brings it back; saving with it set aside deletes it.
    kept = client.post(url, {**data, "deliverables-1-DELETE": "True", "keep_deliverable": "1"})
    assert (
        'name="deliverables-1-title" value="Jobs after the apprenticeship"' in kept.content.decode()
    )
    client.post(url, {**data, "deliverables-1-DELETE": "True"})
    assert draft.deliverables.count() == 1


def test_with_htmx_removing_a_row_returns_only_the_rows(client, bob, draft):
    client.force_login(bob)
    data = form_data(edit_content(draft), lock_version=draft.lock_version, remove_deliverable="0")

    response = client.post(
        reverse("commitments:edit", args=[draft.pk]), data, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<fieldset id="deliverables"')
    assert "Deliverable 1 (“Apprenticeship places opened”) will be removed" in page


def edit_content(commitment) -> dict:
    from commitments.content import content_of

    return content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))


def test_a_stale_save_is_refused_and_shows_what_changed(client, alice, bob, draft):
    opened_at = draft.lock_version
    services.commitment_update(
        commitment=draft,
        actor=alice,
        content=edit_content(draft) | {"title": "Alice's title"},
        lock_version=opened_at,
    )
    client.force_login(bob)
    data = form_data(edit_content(draft) | {"title": "Bob's title"}, lock_version=opened_at)

    response = client.post(reverse("commitments:edit", args=[draft.pk]), data)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this commitment meanwhile" in page
    assert "Alice&#x27;s title" in page and "Bob&#x27;s title" in page
    assert f'name="lock_version" value="{opened_at + 1}"' in page
    assert Commitment.objects.get(pk=draft.pk).title == "Alice's title"

    # Saving again, knowingly, keeps Bob's version.
    data["lock_version"] = opened_at + 1
    client.post(reverse("commitments:edit", args=[draft.pk]), data)
    assert Commitment.objects.get(pk=draft.pk).title == "Bob's title"


def test_editing_a_published_commitment_keeps_the_public_version(client, bob, published):
    client.force_login(bob)
    data = form_data(
        edit_content(published) | {"title": "A brand new title"},
        lock_version=published.lock_version,
    )

    client.post(reverse("commitments:edit", args=[published.pk]), data)

    client.logout()
    page = client.get(reverse("commitments:detail", args=[published.pk])).content.decode()
    assert "A brand new title" not in page
    assert published.title in page
    assert published.revisions.get().content["title"] == "A brand new title"


def test_the_preview_before_submitting_shows_the_smart_score(client, alice, draft):
    client.force_login(alice)

    page = client.get(reverse("commitments:submit", args=[draft.pk])).content.decode()

    assert "Preview and submit" in page
    assert "SMART score: 5 of 5" in page
    assert "Apprenticeship places opened" in page


def test_submitting_edits_shows_their_difference_and_asks_the_reason(client, alice, published):
    content = edit_content(published)
    content["deliverables"][0]["target"] = "400"
    services.commitment_update(
        commitment=published, actor=alice, content=content, lock_version=published.lock_version
    )
    client.force_login(alice)
    url = reverse("commitments:submit", args=[published.pk])

    page = client.get(url).content.decode()
    assert "What changes against the published version" in page
    assert "Deliverable “Apprenticeship places opened”: Target" in page

    response = client.post(url, {"reason": ""})
    assert 'id="id_reason_error"' in response.content.decode()
    client.post(url, {"reason": "Fewer employers joined."})
    assert published.revisions.get().status == "submitted"


def test_the_commitment_page_shows_what_changed_between_versions(client, alice, sam, published):
    content = edit_content(published)
    content["deliverables"][0]["target"] = "400"
    services.commitment_update(
        commitment=published, actor=alice, content=content, lock_version=published.lock_version
    )
    services.commitment_submit(commitment=published, actor=alice, reason="Fewer employers.")
    services.commitment_publish(commitment=published, actor=sam)

    page = client.get(reverse("commitments:detail", args=[published.pk])).content.decode()

    assert "History of what was promised" in page
    assert "Version 2, published" in page
    assert "Fewer employers." in page
    assert "<del>500</del>" in page and "<ins>400</ins>" in page


def test_the_live_smart_score_is_an_htmx_fragment(client, bob):
    client.force_login(bob)
    data = form_data(build_content(sdgs=[]))

    response = client.post(reverse("commitments:smart"), data, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="smart-score"')
    assert "SMART score: 4 of 5" in page
    assert "Relevant</strong>" in page and "(not met)" in page


def test_autosave_keeps_the_typing_and_the_form_offers_it_back(client, bob, draft):
    client.force_login(bob)

    response = client.post(
        reverse("commitments:autosave", args=[draft.pk]),
        {"title": "Half-typed title", "csrfmiddlewaretoken": "x"},
    )
    assert "What you typed is kept" in response.content.decode()
    assert Autosave.objects.get().data == {"title": ["Half-typed title"]}

    page = client.get(reverse("commitments:edit", args=[draft.pk])).content.decode()
    assert "You have unsaved changes" in page
    restored = client.get(reverse("commitments:edit", args=[draft.pk]), {"restore": "1"})
    assert 'value="Half-typed title"' in restored.content.decode()


def test_a_save_discards_the_autosave(client, bob, draft):
    client.force_login(bob)
    client.post(reverse("commitments:autosave", args=[draft.pk]), {"title": "typing"})

    client.post(
        reverse("commitments:edit", args=[draft.pk]),
        form_data(edit_content(draft), lock_version=draft.lock_version),
    )

    assert not Autosave.objects.exists()


# The partner's decisions -----------------------------------------------------------------------


def test_an_admin_withdraws_with_a_reason(client, alice, published):
    client.force_login(alice)
    url = reverse("commitments:withdraw", args=[published.pk])

    response = client.post(url, {"reason": ""})
    assert 'id="id_reason_error"' in response.content.decode()

    client.post(url, {"reason": "Our funding ended."})
    published.refresh_from_db()
    assert published.status == "withdrawn"
    assert published.status_reason == "Our funding ended."


def test_a_member_posts_a_progress_update_with_a_file(client, bob, published, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(bob)
    deliverable = published.deliverables.order_by("position")[0]

    response = client.post(
        reverse("commitments:progress_create", args=[published.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "narrative": "The first 120 apprentices started.",
            "links": "https://acme.example.org/report",
            f"deliverable_{deliverable.pk}": "on_track",
            "files": SimpleUploadedFile("report.pdf", b"%PDF-1.7 report", "application/pdf"),
        },
    )

    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.files.get().name == "report.pdf"
    page = client.get(reverse("commitments:detail", args=[published.pk])).content.decode()
    assert "The first 120 apprentices started." in page
    assert "Apprenticeship places opened: Planned → On track" in page
    assert "Evidence: Evidence attached" in page


def test_a_refused_file_is_an_error_next_to_the_field(client, bob, published, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(bob)

    response = client.post(
        reverse("commitments:progress_create", args=[published.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "files": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/octet-stream"),
        },
    )

    assert response.status_code == 200
    assert 'id="id_files_error"' in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_hidden_update_and_its_files_are_for_members_and_the_secretariat(
    client, bob, published, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    update = ProgressUpdateFactory(
        commitment=published, narrative="Names of workers", hidden=True, hidden_reason="Privacy"
    )
    evidence = EvidenceFileFactory(update=update)
    url = reverse("commitments:evidence", args=[published.pk, evidence.pk])

    assert "Names of workers" not in client.get(published.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 404
    client.force_login(bob)
    assert (
        "Hidden from the public by the Secretariat"
        in client.get(published.get_absolute_url()).content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    response.close()


# The browser and its CSV ------------------------------------------------------------------------


def test_the_browser_takes_the_api_filter_names(client, acme):
    CommitmentFactory(published=True, lead_organization=acme, title="Kenya jobs", sdgs=[8])
    CommitmentFactory(published=True, lead_organization=acme, title="Other", sdgs=[1])

    page = client.get(reverse("commitments:list"), {"sdg": "8", "country": "KE"}).content.decode()

    assert "1 commitment" in page
    assert "Kenya jobs" in page and ">Other<" not in page
    assert "export.csv?sdg=8&amp;country=KE" in page  # the current filter, downloadable


def test_the_browser_answers_htmx_with_its_results_only(client, acme):
    CommitmentFactory(published=True, lead_organization=acme, title="Kenya jobs")

    response = client.get(reverse("commitments:list"), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="results"')
    assert "Kenya jobs" in page


def test_the_csv_download_has_the_filtered_rows_and_neutralizes_formulas(client, acme):
    CommitmentFactory(published=True, lead_organization=acme, title="=HYPERLINK(1)", sdgs=[8])
    CommitmentFactory(published=True, lead_organization=acme, title="Not this one", sdgs=[1])

    response = client.get(reverse("commitments:export"), {"sdg": "8"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["title"] for row in rows] == ["'=HYPERLINK(1)"]
    assert rows[0]["sdgs"] == "8"
    assert rows[0]["lead_partner"] == "Acme Workers Union"


def test_the_pages_are_translated(client, published):
    page = client.get("/fr/commitments/").content.decode()
    assert '<html lang="fr"' in page
    detail = client.get(f"/fr/commitments/{published.pk}/")
    assert detail.status_code == 200


# What partners' pages show ---------------------------------------------------------------------


def test_the_partner_profile_lists_its_public_and_joint_commitments(client, acme, globex, draft):
    led = CommitmentFactory(published=True, lead_organization=acme, title="Led by Acme")
    joint = CommitmentFactory(published=True, lead_organization=globex, title="Globex's joint")
    CoPartnershipFactory_ = CoPartnership.objects.create
    CoPartnershipFactory_(commitment=joint, organization=acme, status="confirmed")

    page = client.get(reverse("partners:profile", args=[acme.pk])).content.decode()

    assert led.title in page
    assert "Globex&#x27;s joint" in page and "Co-partner; led by Globex" in page
    assert draft.title not in page


def test_the_workspace_shows_commitments_by_status_and_what_needs_attention(
    client, alice, acme, sam, submitted, initech, ivan
):
    services.commitment_return(commitment=submitted, actor=sam, reason="Add a baseline.")
    late = CommitmentFactory(published=True, lead_organization=acme, title="Late one")
    from tests.factories import DeliverableFactory

    DeliverableFactory(
        commitment=late,
        title="Overdue report",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    client.force_login(alice)

    page = client.get(reverse("partners:workspace")).content.decode()

    assert "Needs your attention" in page
    assert "Returned by the Secretariat:" in page and "Add a baseline." in page
    assert "Overdue report" in page
    assert "Returned for changes" in page and "Published" in page


def test_a_co_partner_admin_sees_the_invitation_in_the_workspace(client, draft, invited, ivan):
    client.force_login(ivan)

    page = client.get(reverse("partners:workspace")).content.decode()

    assert "invites you as a co-partner" in page
    assert draft.title in page


def test_a_user_without_a_membership_is_told_how_to_log_commitments(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("commitments:create")).status_code == 403


def test_a_partners_commitments_are_one_link_away_from_its_profile(client, acme):
    CommitmentFactory(published=True, lead_organization=acme, title="Led by Acme")
    CommitmentFactory(published=True, title="Someone else's")

    page = client.get(reverse("commitments:list"), {"partner": acme.pk}).content.decode()

    assert "Led by Acme" in page and "Someone else" not in page
    assert "Partner: Acme Workers Union" in page
    assert f'<input type="hidden" name="partner" value="{acme.pk}">' in page


def test_bad_parameters_never_make_the_browser_fail(client):
    for query in (
        {"search": "\x00abc"},
        {"partner": "99999999999999999999"},
        {"year": "99999999999"},
        {"page": "last"},
        {"ordering": "secret"},
        {"updated_since": "yesterday"},
    ):
        assert client.get(reverse("commitments:list"), query).status_code == 200
        assert client.get(reverse("commitments:export"), query).status_code == 200


def test_the_form_shows_the_smart_score_of_what_is_saved(client, bob, draft):
    client.force_login(bob)

    page = client.get(reverse("commitments:edit", args=[draft.pk])).content.decode()

    assert "SMART score: 5 of 5" in page


def test_the_secretariat_is_sent_to_its_admin_not_offered_the_partners_buttons(
    client, sam, published, settings
):
    client.force_login(sam)

    page = client.get(reverse("commitments:detail", args=[published.pk])).content.decode()

    assert "For your organization" not in page
    assert reverse("admin:commitments_commitment_change", args=[published.pk]) in page


def test_submitting_a_draft_needs_no_more_than_the_button(client, alice, draft):
    client.force_login(alice)

    response = client.post(reverse("commitments:submit", args=[draft.pk]))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"
