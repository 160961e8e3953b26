"""The commitment lifecycle, its rules and its audit history, through the services."""

import datetime
import itertools

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments import services
from commitments.models import (
    Commitment,
    CommitmentRevision,
    CoPartnership,
    Deliverable,
    ProgressUpdate,
)
from commitments.services import ALLOWED_TRANSITIONS, CommitmentError, NotAllowed, StaleEdit
from partners.models import Organization
from tests.commitments.conftest import build_content
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

Status = Commitment.Status


def reload(commitment: Commitment) -> Commitment:
    return Commitment.objects.get(pk=commitment.pk)


# Creation and validation ----------------------------------------------------------------------


def test_a_contributor_logs_a_draft_with_its_deliverables(acme, bob, content):
    commitment = services.commitment_create(organization=acme, actor=bob, content=content)

    assert commitment.status == Status.DRAFT
    assert commitment.lead_organization == acme
    assert [d.title for d in commitment.deliverables.all()] == [
        "Apprenticeship places opened",
        "Jobs after the apprenticeship",
    ]
    assert {a.code for a in commitment.thematic_areas.all()} == {"employment"}
    assert {g.number for g in commitment.sdgs.all()} == {4, 8}
    assert commitment.countries[0].code == "KE"
    assert str(commitment.resources_amount) == "250000.00"
    assert commitment.history.first().history_user == bob


def test_it_refuses_a_commitment_for_an_organization_the_actor_is_not_a_member_of(
    acme, charlie, content
):
    with pytest.raises(NotAllowed):
        services.commitment_create(organization=acme, actor=charlie, content=content)


def test_it_refuses_a_commitment_for_a_partner_that_is_not_approved(acme, alice, content):
    Organization.objects.filter(pk=acme.pk).update(status=Organization.Status.SUSPENDED)
    acme.refresh_from_db()

    with pytest.raises(NotAllowed):
        services.commitment_create(organization=acme, actor=alice, content=content)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"thematic_areas": []}, "thematic_areas"),
        ({"end_date": "2020-01-01", "start_date": "2020-01-01"}, "end_date"),
        ({"end_date": "2019-01-01", "start_date": "2020-01-01"}, "end_date"),
        ({"level": "regional", "regions": [], "countries": []}, "regions"),
        ({"level": "national", "countries": []}, "countries"),
        ({"resources_currency": ""}, "resources_currency"),
        ({"thematic_areas": ["no-such-area"]}, "thematic_areas"),
    ],
)
def test_it_refuses_content_that_breaks_a_rule(acme, alice, overrides, field):
    content = build_content(**overrides)
    if field in ("end_date",):
        content["deliverables"] = []

    with pytest.raises(CommitmentError) as refused:
        services.commitment_create(organization=acme, actor=alice, content=content)

    assert refused.value.field == field


def test_a_deliverable_needs_a_measurable_indicator_and_a_due_date_inside_the_period(
    acme, alice, content
):
    content["deliverables"][0]["indicator"] = ""
    with pytest.raises(CommitmentError) as refused:
        services.commitment_create(organization=acme, actor=alice, content=content)
    assert refused.value.field == "deliverables.0.indicator"

    content = build_content()
    content["deliverables"][1]["due_date"] = "2999-01-01"
    with pytest.raises(CommitmentError) as refused:
        services.commitment_create(organization=acme, actor=alice, content=content)
    assert refused.value.field == "deliverables.1.due_date"


def test_geography_follows_the_level(acme, alice):
    commitment = services.commitment_create(
        organization=acme,
        actor=alice,
        content=build_content(level="global", regions=["002"], countries=["KE"]),
    )
    assert list(commitment.regions.all()) == []
    assert not commitment.countries

    regional = services.commitment_create(
        organization=acme,
        actor=alice,
        content=build_content(level="regional", regions=["014"], countries=["KE", "TZ"]),
    )
    assert [r.m49 for r in regional.regions.all()] == ["014"]
    assert [c.code for c in regional.countries] == ["KE", "TZ"]


def test_the_database_refuses_an_end_before_the_start(draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=draft.pk).update(end_date=draft.start_date)


# Transitions ----------------------------------------------------------------------------------


def test_an_organization_admin_submits_a_draft(draft, alice):
    commitment = services.commitment_submit(commitment=draft, actor=alice)

    assert commitment.status == Status.SUBMITTED
    assert commitment.submitted_by == alice
    assert commitment.submitted_at is not None


def test_a_contributor_cannot_submit(draft, bob):
    with pytest.raises(NotAllowed):
        services.commitment_submit(commitment=draft, actor=bob)
    assert reload(draft).status == Status.DRAFT


def test_a_member_of_another_organization_cannot_submit(draft, charlie):
    with pytest.raises(NotAllowed):
        services.commitment_submit(commitment=draft, actor=charlie)


def test_a_draft_without_deliverables_cannot_be_submitted(acme, alice):
    commitment = services.commitment_create(
        organization=acme, actor=alice, content=build_content(deliverables=[])
    )

    with pytest.raises(CommitmentError) as refused:
        services.commitment_submit(commitment=commitment, actor=alice)
    assert refused.value.field == "deliverables"


def test_the_secretariat_publishes_a_submitted_commitment_as_version_1(submitted, sam):
    commitment = services.commitment_publish(commitment=submitted, actor=sam)

    assert commitment.status == Status.PUBLISHED
    assert commitment.first_published_at == commitment.published_at
    version = commitment.versions.get()
    assert version.number == 1
    assert version.content["title"] == "Apprenticeships for 500 young people in Nairobi"
    assert len(version.content["deliverables"]) == 2
    assert version.published_by == sam


def test_a_partner_cannot_publish_its_own_commitment(submitted, alice):
    with pytest.raises(NotAllowed):
        services.commitment_publish(commitment=submitted, actor=alice)
    assert reload(submitted).status == Status.SUBMITTED


def test_it_refuses_to_publish_a_draft(draft, sam):
    with pytest.raises(CommitmentError, match="draft cannot become published"):
        services.commitment_publish(commitment=draft, actor=sam)


def test_the_secretariat_returns_a_submission_with_its_reason(submitted, sam):
    commitment = services.commitment_return(
        commitment=submitted, actor=sam, reason="Please add a target for the second deliverable."
    )

    assert commitment.status == Status.RETURNED
    assert commitment.status_reason == "Please add a target for the second deliverable."
    latest = commitment.history.first()
    assert latest.history_user == sam
    assert latest.history_change_reason == "Please add a target for the second deliverable."


def test_a_return_needs_a_reason(submitted, sam):
    with pytest.raises(CommitmentError) as refused:
        services.commitment_return(commitment=submitted, actor=sam, reason="  ")
    assert refused.value.field == "reason"


def test_a_returned_commitment_is_edited_and_resubmitted(submitted, sam, alice):
    services.commitment_return(commitment=submitted, actor=sam, reason="Too vague.")
    commitment = reload(submitted)

    services.commitment_update(
        commitment=commitment,
        actor=alice,
        content=build_content(title="A sharper title"),
        lock_version=commitment.lock_version,
    )
    assert reload(commitment).status == Status.RETURNED
    resubmitted = services.commitment_submit(commitment=commitment, actor=alice)

    assert resubmitted.status == Status.SUBMITTED
    assert resubmitted.title == "A sharper title"
    assert resubmitted.status_reason == ""


def test_an_admin_completes_a_published_commitment(published, alice):
    commitment = services.commitment_complete(commitment=published, actor=alice)
    assert commitment.status == Status.COMPLETED


def test_an_admin_withdraws_a_published_commitment_with_a_reason(published, alice):
    commitment = services.commitment_withdraw(
        commitment=published, actor=alice, reason="The programme lost its funding."
    )

    assert commitment.status == Status.WITHDRAWN
    assert commitment.status_reason == "The programme lost its funding."


def test_a_withdrawal_needs_a_reason(published, alice):
    with pytest.raises(CommitmentError):
        services.commitment_withdraw(commitment=published, actor=alice, reason="")


def test_a_contributor_cannot_withdraw_or_complete(published, bob):
    with pytest.raises(NotAllowed):
        services.commitment_withdraw(commitment=published, actor=bob, reason="No.")
    with pytest.raises(NotAllowed):
        services.commitment_complete(commitment=published, actor=bob)


def test_the_secretariat_may_withdraw_a_published_commitment(published, sam):
    commitment = services.commitment_withdraw(
        commitment=published, actor=sam, reason="The partner left the Coalition."
    )
    assert commitment.status == Status.WITHDRAWN


def test_it_refuses_to_withdraw_a_draft(draft, alice):
    with pytest.raises(CommitmentError, match="draft cannot become withdrawn"):
        services.commitment_withdraw(commitment=draft, actor=alice, reason="Changed our mind.")


REFUSED = [
    (source, target)
    for source, target in itertools.product(Status.values, Status.values)
    if target not in ALLOWED_TRANSITIONS[source]
]


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_transition_outside_the_lifecycle_is_refused(draft, sam, source, target):
    Commitment.objects.filter(pk=draft.pk).update(status=source, status_reason="Set by the test")
    commitment = reload(draft)

    with pytest.raises(CommitmentError, match="cannot become"):
        services._transition(commitment, target, actor=sam, reason="Because")
    assert reload(draft).status == source


def test_the_lifecycle_table_matches_the_design():
    assert {
        "draft": {"submitted"},
        "submitted": {"published", "returned"},
        "returned": {"submitted"},
        "published": {"completed", "withdrawn"},
        "completed": set(),
        "withdrawn": set(),
    } == ALLOWED_TRANSITIONS


def test_every_change_is_in_the_history_with_who_and_why(published, alice):
    services.commitment_withdraw(commitment=published, actor=alice, reason="Funding ended.")

    rows = list(reload(published).history.order_by("history_date"))
    assert [(row.status, row.history_user.email) for row in rows] == [
        ("draft", "bob@example.org"),
        ("submitted", "alice@example.org"),
        ("published", "sam@example.org"),
        ("withdrawn", "alice@example.org"),
    ]
    assert rows[-1].history_change_reason == "Funding ended."


# Editing, optimistic locking and revisions ----------------------------------------------------


def test_a_save_that_began_before_another_is_refused_and_shows_what_is_saved(draft, alice, bob):
    version_seen_by_both = draft.lock_version
    services.commitment_update(
        commitment=draft,
        actor=alice,
        content=build_content(title="Alice's title"),
        lock_version=version_seen_by_both,
    )

    with pytest.raises(StaleEdit) as refused:
        services.commitment_update(
            commitment=draft,
            actor=bob,
            content=build_content(title="Bob's title"),
            lock_version=version_seen_by_both,
        )

    assert refused.value.current["title"] == "Alice's title"
    assert refused.value.edited_by == alice
    assert refused.value.lock_version == version_seen_by_both + 1
    assert reload(draft).title == "Alice's title"


def test_a_submitted_commitment_cannot_be_edited(submitted, alice):
    with pytest.raises(CommitmentError):
        services.commitment_update(
            commitment=submitted,
            actor=alice,
            content=build_content(),
            lock_version=submitted.lock_version,
        )


def test_removing_a_deliverable_of_a_draft_deletes_it(draft, bob):
    content = build_content()
    content["deliverables"] = [{**content["deliverables"][0], "id": draft.deliverables.first().pk}]
    services.commitment_update(
        commitment=draft, actor=bob, content=content, lock_version=draft.lock_version
    )

    assert draft.deliverables.count() == 1


def edit_of(commitment, **changes) -> dict:
    """The content of a commitment with `changes`, deliverables keeping their ids."""
    from commitments.content import content_of

    content = content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))
    content.update(changes)
    return content


def test_edits_of_a_published_commitment_wait_in_a_revision(published, bob):
    updated_at = reload(published).updated_at

    services.commitment_update(
        commitment=published,
        actor=bob,
        content=edit_of(published, title="A new title"),
        lock_version=published.lock_version,
    )

    commitment = reload(published)
    assert commitment.title == "Apprenticeships for 500 young people in Nairobi"
    assert commitment.updated_at == updated_at
    revision = commitment.revisions.get()
    assert revision.status == CommitmentRevision.Status.DRAFT
    assert revision.content["title"] == "A new title"
    assert revision.base_version == 1
    assert commitment.lock_version == published.lock_version + 1


def test_submitting_edits_needs_the_partners_reason(published, alice):
    services.commitment_update(
        commitment=published,
        actor=alice,
        content=edit_of(published, title="A new title"),
        lock_version=published.lock_version,
    )

    with pytest.raises(CommitmentError) as refused:
        services.commitment_submit(commitment=published, actor=alice, reason="")
    assert refused.value.field == "reason"


def test_edits_that_change_nothing_are_not_submitted(published, alice):
    services.commitment_update(
        commitment=published,
        actor=alice,
        content=edit_of(published),
        lock_version=published.lock_version,
    )

    with pytest.raises(CommitmentError, match="do not change"):
        services.commitment_submit(commitment=published, actor=alice, reason="Nothing")


def test_published_edits_make_version_2_with_the_reason(published, alice, sam):
    content = edit_of(published)
    content["deliverables"][0]["target"] = "400"
    content["end_date"] = (published.end_date + datetime.timedelta(days=90)).isoformat()
    content["deliverables"] = content["deliverables"][:1]
    dropped = published.deliverables.order_by("position")[1]
    services.commitment_update(
        commitment=published, actor=alice, content=content, lock_version=published.lock_version
    )
    services.commitment_submit(
        commitment=published, actor=alice, reason="Fewer employers joined than planned."
    )
    revision = published.revisions.get()

    services.revision_publish(revision=revision, actor=sam)

    commitment = reload(published)
    assert commitment.end_date == published.end_date + datetime.timedelta(days=90)
    assert commitment.deliverables.order_by("position")[0].target == "400"
    dropped.refresh_from_db()
    assert dropped.status == Deliverable.Status.DROPPED
    version = commitment.versions.get(number=2)
    assert version.reason == "Fewer employers joined than planned."
    assert version.content["deliverables"][0]["target"] == "400"
    assert len(version.content["deliverables"]) == 1
    revision.refresh_from_db()
    assert revision.status == CommitmentRevision.Status.PUBLISHED


def test_the_secretariat_returns_edits_and_the_published_version_stays(published, alice, sam):
    services.commitment_update(
        commitment=published,
        actor=alice,
        content=edit_of(published, title="A new title"),
        lock_version=published.lock_version,
    )
    services.commitment_submit(commitment=published, actor=alice, reason="Clearer")

    services.commitment_return(commitment=published, actor=sam, reason="Keep the old title.")

    revision = published.revisions.get()
    assert revision.status == CommitmentRevision.Status.RETURNED
    assert revision.decision_reason == "Keep the old title."
    assert reload(published).title == "Apprenticeships for 500 young people in Nairobi"
    assert reload(published).status == Status.PUBLISHED


def test_submitted_edits_cannot_be_edited_again(published, alice):
    services.commitment_update(
        commitment=published,
        actor=alice,
        content=edit_of(published, title="A new title"),
        lock_version=published.lock_version,
    )
    services.commitment_submit(commitment=published, actor=alice, reason="Clearer")

    with pytest.raises(CommitmentError, match="with the Secretariat"):
        services.commitment_update(
            commitment=published,
            actor=alice,
            content=edit_of(published, title="Another"),
            lock_version=reload(published).lock_version,
        )


def test_a_member_discards_pending_edits(published, bob):
    services.commitment_update(
        commitment=published,
        actor=bob,
        content=edit_of(published, title="A new title"),
        lock_version=published.lock_version,
    )
    revision = published.revisions.get()

    services.revision_discard(revision=revision, actor=bob)

    revision.refresh_from_db()
    assert revision.status == CommitmentRevision.Status.DISCARDED


def test_withdrawing_discards_pending_edits(published, alice):
    services.commitment_update(
        commitment=published,
        actor=alice,
        content=edit_of(published, title="A new title"),
        lock_version=published.lock_version,
    )

    services.commitment_withdraw(commitment=published, actor=alice, reason="Ended early.")

    assert published.revisions.get().status == CommitmentRevision.Status.DISCARDED


# Co-partners ---------------------------------------------------------------------------------


def test_co_partners_are_invited_and_shown_once_they_confirm(acme, alice, initech, ivan):
    commitment = services.commitment_create(
        organization=acme, actor=alice, content=build_content(), co_partners=[initech]
    )
    copartnership = commitment.co_partnerships.get()
    assert copartnership.status == CoPartnership.Status.INVITED
    assert not Commitment.objects.involving(initech).exists()

    services.copartnership_respond(copartnership=copartnership, actor=ivan, accept=True)

    copartnership.refresh_from_db()
    assert copartnership.status == CoPartnership.Status.CONFIRMED
    assert copartnership.responded_by == ivan
    assert Commitment.objects.involving(initech).get() == commitment


def test_only_the_co_partners_admins_answer_for_it(acme, alice, initech, charlie):
    commitment = services.commitment_create(
        organization=acme, actor=alice, content=build_content(), co_partners=[initech]
    )

    with pytest.raises(NotAllowed):
        services.copartnership_respond(
            copartnership=commitment.co_partnerships.get(), actor=alice, accept=True
        )


def test_a_partner_that_is_not_approved_cannot_be_a_co_partner(acme, alice):
    applicant = OrganizationFactory(status=Organization.Status.APPLIED)

    with pytest.raises(CommitmentError) as refused:
        services.commitment_create(
            organization=acme, actor=alice, content=build_content(), co_partners=[applicant]
        )
    assert refused.value.field == "co_partners"


def test_a_confirmed_co_partner_leaving_marks_the_commitment_changed(published, initech, ivan):
    copartnership = CoPartnership.objects.create(
        commitment=published, organization=initech, status=CoPartnership.Status.CONFIRMED
    )
    before = reload(published).updated_at

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        services.copartnership_respond(copartnership=copartnership, actor=ivan, accept=False)

    assert reload(published).updated_at > before


# Progress -------------------------------------------------------------------------------------


def pdf(name="report.pdf", size=None) -> SimpleUploadedFile:
    data = b"%PDF-1.7\n" + b"0" * ((size or 100) - 9)
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_a_contributor_reports_progress_and_changes_deliverable_statuses(published, bob):
    deliverable = published.deliverables.order_by("position")[0]
    before = reload(published).updated_at

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        update = services.progress_update_create(
            commitment=published,
            actor=bob,
            date=timezone.localdate(),
            narrative="The first 120 apprentices started.",
            status_changes={deliverable.pk: Deliverable.Status.ON_TRACK},
        )

    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.ON_TRACK
    change = update.status_changes.get()
    assert (change.old_status, change.new_status) == ("planned", "on_track")
    assert update.evidence_level == ProgressUpdate.EvidenceLevel.SELF_REPORTED
    assert reload(published).updated_at > before


def test_an_update_may_simply_point_to_a_published_report(published, bob):
    update = services.progress_update_create(
        commitment=published,
        actor=bob,
        date=timezone.localdate(),
        links=["https://acme.example.org/annual-report-2025.pdf"],
    )

    assert update.narrative == ""
    assert update.evidence_level == ProgressUpdate.EvidenceLevel.EVIDENCE_ATTACHED


def test_an_empty_update_is_refused(published, bob):
    with pytest.raises(CommitmentError) as refused:
        services.progress_update_create(commitment=published, actor=bob, date=timezone.localdate())
    assert refused.value.field == "narrative"


def test_progress_is_not_reported_on_a_draft(draft, bob):
    with pytest.raises(CommitmentError):
        services.progress_update_create(
            commitment=draft, actor=bob, date=timezone.localdate(), narrative="Started."
        )


def test_an_update_cannot_be_dated_in_the_future(published, bob):
    with pytest.raises(CommitmentError) as refused:
        services.progress_update_create(
            commitment=published,
            actor=bob,
            date=timezone.localdate() + datetime.timedelta(days=1),
            narrative="Soon.",
        )
    assert refused.value.field == "date"


def test_another_organization_cannot_report_progress(published, charlie):
    with pytest.raises(NotAllowed):
        services.progress_update_create(
            commitment=published, actor=charlie, date=timezone.localdate(), narrative="Hi"
        )


def test_evidence_files_are_kept_with_their_checked_type(published, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    update = services.progress_update_create(
        commitment=published, actor=bob, date=timezone.localdate(), files=[pdf()]
    )

    evidence = update.files.get()
    assert evidence.content_type == "application/pdf"
    assert evidence.name == "report.pdf"
    assert evidence.size == 100
    assert update.evidence_level == ProgressUpdate.EvidenceLevel.EVIDENCE_ATTACHED


def test_a_file_that_is_not_what_its_name_says_is_refused(published, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script>", "application/pdf")

    with pytest.raises(CommitmentError) as refused:
        services.progress_update_create(
            commitment=published, actor=bob, date=timezone.localdate(), files=[fake]
        )
    assert refused.value.field == "files"
    assert not ProgressUpdate.objects.exists()


def test_a_file_over_10_mb_is_refused(published, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(CommitmentError, match="at most"):
        services.progress_update_create(
            commitment=published,
            actor=bob,
            date=timezone.localdate(),
            files=[pdf(size=10 * 1024 * 1024 + 1)],
        )


def test_the_secretariat_hides_an_update_with_a_reason(published, bob, sam):
    update = services.progress_update_create(
        commitment=published, actor=bob, date=timezone.localdate(), narrative="Spam link"
    )

    services.progress_update_hide(update=update, actor=sam, reason="Personal data in the text.")

    update.refresh_from_db()
    assert update.hidden
    assert update.hidden_reason == "Personal data in the text."
    assert update.hidden_by == sam


def test_hiding_needs_a_reason_and_the_secretariat(published, bob, alice, sam):
    update = services.progress_update_create(
        commitment=published, actor=bob, date=timezone.localdate(), narrative="Started"
    )

    with pytest.raises(NotAllowed):
        services.progress_update_hide(update=update, actor=alice, reason="Mine")
    with pytest.raises(CommitmentError):
        services.progress_update_hide(update=update, actor=sam, reason="")


def test_the_secretariat_validates_the_evidence_of_an_update(published, bob, sam):
    update = services.progress_update_create(
        commitment=published,
        actor=bob,
        date=timezone.localdate(),
        links=["https://example.org/report"],
    )

    services.progress_update_validate(update=update, actor=sam)

    update.refresh_from_db()
    assert update.evidence_level == ProgressUpdate.EvidenceLevel.VALIDATED
    assert update.validated_by == sam


# Emails ---------------------------------------------------------------------------------------


def test_each_decision_queues_an_email_to_the_partner_once_committed(
    submitted, sam, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_return(commitment=submitted, actor=sam, reason="Add SDGs.")

    assert queued == [("commitments.send_commitment_decision", (submitted.pk, "returned", None))]


def test_a_partners_own_withdrawal_sends_no_decision_email(
    published, alice, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.commitment_withdraw(commitment=published, actor=alice, reason="Ended.")

    assert queued == []


def test_inviting_a_co_partner_queues_its_invitation(
    acme, alice, initech, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        commitment = services.commitment_create(
            organization=acme, actor=alice, content=build_content(), co_partners=[initech]
        )

    copartnership = commitment.co_partnerships.get()
    assert queued == [("commitments.send_copartner_invitation", (copartnership.pk,))]


def test_nothing_is_queued_for_a_refused_decision(
    draft, sam, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommitmentError):
        services.commitment_publish(commitment=draft, actor=sam)

    assert queued == []


# Autosave -------------------------------------------------------------------------------------


def test_an_autosave_is_kept_once_per_person_and_form(acme, bob, draft):
    services.autosave_store(user=bob, organization=acme, commitment=draft, data={"a": ["1"]})
    services.autosave_store(user=bob, organization=acme, commitment=draft, data={"a": ["2"]})
    services.autosave_store(user=bob, organization=acme, commitment=None, data={"b": ["3"]})

    from commitments.models import Autosave

    assert Autosave.objects.count() == 2
    assert Autosave.objects.get(commitment=draft).data == {"a": ["2"]}


def test_only_members_autosave(acme, charlie):
    with pytest.raises(NotAllowed):
        services.autosave_store(user=charlie, organization=acme, commitment=None, data={})


def test_only_web_links_are_kept(acme, alice, published, bob):
    with pytest.raises(CommitmentError) as refused:
        services.commitment_create(
            organization=acme,
            actor=alice,
            content=build_content(links=["javascript:alert(1)"]),
        )
    assert refused.value.field == "links"

    with pytest.raises(CommitmentError) as refused:
        services.progress_update_create(
            commitment=published,
            actor=bob,
            date=timezone.localdate(),
            links=["data:text/html,<script>alert(1)</script>"],
        )
    assert refused.value.field == "links"
