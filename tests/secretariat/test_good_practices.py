"""The good-practice workflow: a member shares a draft, attaches a file, submits it; the
Secretariat returns it with a reason, the member corrects and resubmits, the Secretariat
publishes it; the organization is emailed once per decision; every step is in the history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalition.errors import ApplicationError
from coalition.models import SustainableDevelopmentGoal, ThematicArea
from secretariat import selectors, services, tasks
from secretariat.filters import GoodPracticeFilter
from secretariat.models import EmailDelivery, GoodPractice
from tests.factories import CommitmentFactory, GoodPracticeFactory, MembershipFactory
from tests.secretariat.conftest import translated

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a small report\n"


def practice_data(**overrides) -> dict:
    data = {
        "title": "Apprenticeships co-designed with unions",
        "summary": "Employers and unions designed apprenticeships together.",
        "what_worked": "A joint board chose the trades and the curriculum.",
        "results": "Two thirds of the apprentices were hired.",
        "countries": ["KE"],
        "language": "en",
        "thematic_areas": list(ThematicArea.objects.filter(code="employment")),
        "sdgs": list(SustainableDevelopmentGoal.objects.filter(number=8)),
        "commitments": [],
    }
    return {**data, **overrides}


def test_the_good_practice_workflow_in_the_browser_pages(
    client, alice, bob, acme, sam, run_queued_tasks, mailoutbox
):
    commitment = CommitmentFactory(lead_organization=acme, published=True)
    client.force_login(alice)

    # alice shares a draft: only Acme and the Secretariat see it.
    response = client.post(
        reverse("good_practices:create"),
        {
            "organization": acme.pk,
            "title": "Apprenticeships co-designed with unions",
            "summary": "Employers and unions designed apprenticeships together.",
            "what_worked": "A joint board chose the trades and the curriculum.",
            "results": "Two thirds of the apprentices were hired.",
            "thematic_areas": [ThematicArea.objects.get(code="employment").pk],
            "sdgs": [8],
            "countries": ["KE"],
            "commitments": [commitment.pk],
            "language": "en",
        },
    )
    practice = GoodPractice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("good_practices:edit", kwargs={"pk": practice.pk})
    assert practice.status == GoodPractice.Status.DRAFT
    assert list(practice.commitments.all()) == [commitment]
    detail = reverse("good_practices:detail", kwargs={"pk": practice.pk})
    client.logout()
    assert client.get(detail).status_code == 404

    # bob attaches a report and submits it.
    client.force_login(bob)
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("good_practices:attachment_add", kwargs={"pk": practice.pk}), {"file": upload}
    )
    assert response.status_code == 302
    assert practice.attachments.get().name == "report.pdf"
    client.post(reverse("good_practices:submit", kwargs={"pk": practice.pk}))
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.SUBMITTED
    # Submitted, it waits for the Secretariat and can no longer be edited.
    assert practice in [item.obj for item in selectors.waiting_for_review()]
    edit = reverse("good_practices:edit", kwargs={"pk": practice.pk})
    assert client.get(edit).status_code == 403

    # The Secretariat returns it with a reason: Acme's members are emailed, once.
    with run_queued_tasks():
        services.good_practice_return(
            practice=practice, actor=sam, reason="Add figures on the results."
        )
    returned = sorted(email.to[0] for email in mailoutbox)
    assert returned == ["alice@example.org", "bob@example.org"]
    assert "Add figures on the results." in mailoutbox[0].body
    tasks.send_good_practice_decision(practice.pk)  # a retried task sends nothing more
    assert len(mailoutbox) == 2

    # alice corrects it and submits again; the Secretariat publishes it.
    client.force_login(alice)
    response = client.post(
        edit,
        {
            "title": "Apprenticeships co-designed with unions",
            "summary": "Employers and unions designed apprenticeships together.",
            "what_worked": "A joint board chose the trades and the curriculum.",
            "results": "68% of the 1,200 apprentices were hired within six months.",
            "thematic_areas": [ThematicArea.objects.get(code="employment").pk],
            "sdgs": [8],
            "countries": ["KE"],
            "commitments": [commitment.pk],
            "language": "en",
        },
    )
    assert response.status_code == 302
    client.post(reverse("good_practices:submit", kwargs={"pk": practice.pk}))
    with run_queued_tasks():
        services.good_practice_publish(practice=GoodPractice.objects.get(), actor=sam)
    practice.refresh_from_db()
    assert practice.status == GoodPractice.Status.PUBLISHED
    assert practice.published_at is not None
    assert len(mailoutbox) == 4
    assert EmailDelivery.objects.filter(kind=tasks.KIND_GOOD_PRACTICE_DECISION).count() == 4

    # Everyone reads it now, with its file and linked commitment.
    client.logout()
    page = client.get(detail)
    assert page.status_code == 200
    assert "68% of the 1,200 apprentices" in page.content.decode()
    assert commitment.title in page.content.decode()
    file_url = practice.attachments.get().get_absolute_url()
    assert b"".join(client.get(file_url).streaming_content) == PDF
    assert (
        practice
        in GoodPracticeFilter({"search": "apprentices"}, queryset=GoodPractice.objects.all()).qs
    )

    # Each step is in the history, with its actor and reason.
    reasons = [
        (record.history_change_reason, record.history_user)
        for record in practice.history.order_by("history_date", "history_id")
    ]
    assert ("Created", alice) in reasons
    assert ("Submitted for review", bob) in reasons
    assert ("Add figures on the results.", sam) in reasons
    assert ("Published", sam) in reasons


def test_only_a_submitted_practice_is_decided(sam, acme):
    draft = GoodPracticeFactory(organization=acme)
    with pytest.raises(ApplicationError):
        services.good_practice_publish(practice=draft, actor=sam)


def test_a_return_needs_a_reason(sam, acme):
    practice = GoodPracticeFactory(organization=acme, submitted=True)
    with pytest.raises(ApplicationError) as error:
        services.good_practice_return(practice=practice, actor=sam, reason="  ")
    assert error.value.field == "reason"


def test_a_partner_cannot_publish_its_own_practice(alice, acme):
    practice = GoodPracticeFactory(organization=acme, submitted=True)
    with pytest.raises(ApplicationError):
        services.good_practice_publish(practice=practice, actor=alice)


def test_only_members_of_an_approved_partner_share_practices(charlie, acme, stranger):
    for user in (charlie, stranger):
        with pytest.raises(ApplicationError):
            services.good_practice_create(organization=acme, actor=user, **practice_data())


def test_a_suspended_partner_can_no_longer_share(alice, acme):
    acme.status = acme.Status.SUSPENDED
    acme.save()
    with pytest.raises(ApplicationError):
        services.good_practice_create(organization=acme, actor=alice, **practice_data())


def test_only_the_organizations_commitments_can_be_linked(alice, acme, globex):
    theirs = CommitmentFactory(lead_organization=globex, published=True)
    with pytest.raises(ApplicationError) as error:
        services.good_practice_create(
            organization=acme, actor=alice, **practice_data(commitments=[theirs])
        )
    assert error.value.field == "commitments"


def test_an_attachment_of_the_wrong_type_is_refused(alice, acme):
    practice = GoodPracticeFactory(organization=acme)
    upload = SimpleUploadedFile("report.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ApplicationError) as error:
        services.good_practice_attachment_add(practice=practice, upload=upload, actor=alice)
    assert error.value.field == "file"
    assert not practice.attachments.exists()


def test_an_attachment_over_the_size_limit_is_refused(alice, acme, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    practice = GoodPracticeFactory(organization=acme)
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    with pytest.raises(ApplicationError):
        services.good_practice_attachment_add(practice=practice, upload=upload, actor=alice)


def test_an_attachment_with_a_very_long_name_is_kept_under_a_short_one(alice, acme):
    practice = GoodPracticeFactory(organization=acme)
    upload = SimpleUploadedFile("é" * 300 + ".pdf", PDF, content_type="application/pdf")
    attachment = services.good_practice_attachment_add(
        practice=practice, upload=upload, actor=alice
    )
    assert attachment.name == "é" * 196 + ".pdf"
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".pdf") and len(stored.encode()) <= 120


# The public list's filters: each with a match and a no-match.


@pytest.fixture
def published_practice(acme):
    return GoodPracticeFactory(
        organization=acme,
        published=True,
        title="Social protection floors for informal workers",
        countries=["SN"],
        thematic_areas=["protection"],
        sdgs=[1],
    )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"thematic_area": "protection"}, True),
        ({"thematic_area": "employment"}, False),
        ({"country": "SN"}, True),
        ({"country": "KE"}, False),
        ({"sdg": "1"}, True),
        ({"sdg": "8"}, False),
        ({"search": "informal"}, True),
        ({"search": "cooperatives"}, False),
    ],
)
def test_the_public_list_filters(client, published_practice, query, found):
    response = client.get(reverse("good_practices:list"), query)
    assert response.status_code == 200
    assert (published_practice.title in response.content.decode()) is found


def test_the_public_list_shows_published_practices_only(client, acme, published_practice):
    draft = GoodPracticeFactory(organization=acme, title="A draft nobody sees")
    submitted = GoodPracticeFactory(organization=acme, submitted=True, title="Under review")
    content = client.get(reverse("good_practices:list")).content.decode()
    assert published_practice.title in content
    assert draft.title not in content
    assert submitted.title not in content


def test_the_decision_is_emailed_in_each_members_language(acme, sam, run_queued_tasks, mailoutbox):
    MembershipFactory(organization=acme, user__email="lea@example.org", user__language="fr")
    practice = GoodPracticeFactory(organization=acme, submitted=True, title="Microassurance")
    with run_queued_tasks():
        services.good_practice_return(practice=practice, actor=sam, reason="Précisez les chiffres.")
    (email,) = mailoutbox
    assert email.to == ["lea@example.org"]
    assert email.subject == translated(
        "fr", 'Your good practice "%(title)s" was returned for changes', title="Microassurance"
    )
    assert "Précisez les chiffres." in email.body
    assert "/fr/good-practices/" in email.body
