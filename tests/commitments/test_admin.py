"""The Secretariat's admin: review queues oldest first with the SMART score and the edits'
differences, decisions on one or many with a reason, progress moderation, history."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commitments import services
from commitments.models import Commitment, ProgressUpdate
from tests.commitments.conftest import build_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, sam, settings):
    settings.REQUIRE_STAFF_TWO_FACTOR = False
    client.force_login(sam)
    return client


def submit_new(acme, alice, title: str, days_ago: int) -> Commitment:
    commitment = services.commitment_create(
        organization=acme, actor=alice, content=build_content(title=title)
    )
    services.commitment_submit(commitment=commitment, actor=alice)
    Commitment.objects.filter(pk=commitment.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return commitment


def act(client, url: str, action: str, objects, reason: str | None = None):
    data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
    if reason is not None:
        data.update({"confirm": "1", "reason": reason})
    return client.post(url, data)


QUEUE = "admin:commitments_commitmentsubmission_changelist"
EDITS = "admin:commitments_editsubmission_changelist"


def test_the_queue_lists_submissions_oldest_first_with_their_smart_score(
    admin_client, acme, alice, draft
):
    submit_new(acme, alice, "Recent one", days_ago=1)
    submit_new(acme, alice, "Old one", days_ago=9)

    page = admin_client.get(reverse(QUEUE)).content.decode()

    assert page.index("Old one") < page.index("Recent one")
    assert draft.title not in page
    assert "<strong>5/5</strong>" in page


def test_the_queue_shows_the_unmet_smart_criteria(admin_client, acme, alice):
    commitment = services.commitment_create(
        organization=acme, actor=alice, content=build_content(sdgs=[], title="No goals")
    )
    services.commitment_submit(commitment=commitment, actor=alice)

    page = admin_client.get(reverse(QUEUE)).content.decode()

    assert "<strong>4/5</strong> · not: Relevant" in page


def test_the_secretariat_publishes_several_at_once(admin_client, acme, alice):
    first = submit_new(acme, alice, "First", 2)
    second = submit_new(acme, alice, "Second", 1)

    response = act(admin_client, reverse(QUEUE), "commitment_publish", [first, second], "")

    assert response.status_code == 302
    assert set(Commitment.objects.values_list("status", flat=True)) == {"published"}


def test_a_return_asks_for_the_reason_first(admin_client, submitted):
    response = act(admin_client, reverse(QUEUE), "commitment_return", [submitted])
    assert response.status_code == 200
    assert "Reason" in response.content.decode()

    response = act(admin_client, reverse(QUEUE), "commitment_return", [submitted], "")
    assert "This field is required." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"

    act(admin_client, reverse(QUEUE), "commitment_return", [submitted], "Add SDGs, please.")
    submitted.refresh_from_db()
    assert submitted.status == "returned"
    assert submitted.status_reason == "Add SDGs, please."


def test_a_refused_decision_is_reported_and_the_others_go_on(admin_client, acme, alice, draft):
    waiting = submit_new(acme, alice, "Waiting", 1)
    url = reverse("admin:commitments_commitment_changelist")

    response = act(admin_client, url, "commitment_publish", [draft, waiting], "")

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("draft cannot become published" in m for m in messages)
    waiting.refresh_from_db()
    assert waiting.status == "published"


def test_the_edit_queue_shows_the_difference_against_the_published_version(
    admin_client, alice, published
):
    from commitments.content import content_of

    content = content_of(Commitment.objects.prefetch_for_content().get(pk=published.pk))
    content["deliverables"][0]["target"] = "350"
    services.commitment_update(
        commitment=published, actor=alice, content=content, lock_version=published.lock_version
    )
    services.commitment_submit(commitment=published, actor=alice, reason="Budget cut.")
    revision = published.revisions.get()

    listing = admin_client.get(reverse(EDITS)).content.decode()
    assert "Budget cut." in listing
    page = admin_client.get(
        reverse("admin:commitments_editsubmission_change", args=[revision.pk])
    ).content.decode()
    assert "Deliverable “Apprenticeship places opened”: Target" in page
    assert "350" in page

    act(admin_client, reverse(EDITS), "revision_publish", [revision], "")
    published.refresh_from_db()
    assert published.versions.count() == 2
    assert published.deliverables.order_by("position")[0].target == "350"


def test_the_secretariat_hides_a_progress_update_with_a_reason(admin_client, published, bob):
    update = services.progress_update_create(
        commitment=published, actor=bob, date=timezone.localdate(), narrative="Oops"
    )
    url = reverse("admin:commitments_progressupdate_changelist")

    act(admin_client, url, "progress_update_hide", [update], "")
    assert not ProgressUpdate.objects.get(pk=update.pk).hidden

    act(admin_client, url, "progress_update_hide", [update], "Personal data.")
    update.refresh_from_db()
    assert update.hidden and update.hidden_reason == "Personal data."


def test_the_history_of_a_commitment_shows_who_and_why(admin_client, submitted, sam):
    services.commitment_return(commitment=submitted, actor=sam, reason="Too vague.")

    page = admin_client.get(
        reverse("admin:commitments_commitment_history", args=[submitted.pk])
    ).content.decode()

    assert "Too vague." in page
    assert escape(str(sam)) in page


def test_partners_content_is_read_only_in_the_admin(admin_client, published):
    page = admin_client.get(
        reverse("admin:commitments_commitment_change", args=[published.pk])
    ).content.decode()

    assert 'name="title"' not in page
    assert "SMART score" in page
