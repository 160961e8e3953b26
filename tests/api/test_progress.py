"""commitments/{id}/progress/: what partners report, hidden updates only for the commitment's
members and the Secretariat (tombstones in a sync for the others), reports through the service."""

import datetime
from datetime import UTC
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from commitments import services
from commitments.models import Deliverable, DeliverableStatusChange, ProgressUpdate
from tests.api.conftest import body
from tests.factories import EvidenceFileFactory

FROZEN = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@time_machine.travel(FROZEN, tick=False)
def test_a_progress_update_is_shown_exactly_so(api, published, alice):
    deliverable = published.deliverables.get()
    update = services.progress_update_create(
        commitment=published,
        actor=alice,
        date=datetime.date(2026, 3, 1),
        narrative="The first 120 apprentices started.",
        links=["https://example.org/report-1"],
        status_changes={deliverable.pk: Deliverable.Status.ON_TRACK},
        resources_mobilised=Decimal("1500.5"),
    )
    evidence = EvidenceFileFactory(update=update)

    response = api.get(f"commitments/{published.pk}/progress/{update.pk}/")

    assert response.status_code == 200
    record = body(response)
    assert record == {
        "id": update.pk,
        "public": True,
        "commitment": published.pk,
        "date": "2026-03-01",
        "narrative": "The first 120 apprentices started.",
        "links": ["https://example.org/report-1"],
        "resources_mobilised": "1500.50",
        "evidence_level": "evidence_attached",
        "status_changes": [
            {"deliverable": deliverable.pk, "old_status": "planned", "new_status": "on_track"}
        ],
        "files": [
            {
                "id": evidence.pk,
                "name": "report.pdf",
                "content_type": "application/pdf",
                "size": 17,
                "url": record["files"][0]["url"],
                "api_url": (
                    f"http://testserver/api/v1/commitments/{published.pk}/progress/{update.pk}"
                    f"/files/{evidence.pk}/"
                ),
            }
        ],
        "created_at": "2026-03-02T09:30:00Z",
        "updated_at": "2026-03-02T09:30:00Z",
    }
    url = record["files"][0]["url"]
    assert (
        url is None
        or url.endswith(f"/{published.pk}/evidence/{evidence.pk}/")
        or str(evidence.pk) in url
    )
    listed = body(api.get(f"commitments/{published.pk}/progress/"))["results"]
    assert listed == [record]
    assert "alice@example.org" not in response.text


def test_newest_first(api, published, alice):
    for day in (3, 1, 2):
        services.progress_update_create(
            commitment=published,
            actor=alice,
            date=timezone.localdate() - datetime.timedelta(days=day),
            narrative=f"{day} days ago",
        )
    narratives = [
        item["narrative"]
        for item in body(api.get(f"commitments/{published.pk}/progress/"))["results"]
    ]
    assert narratives == ["1 days ago", "2 days ago", "3 days ago"]


@pytest.fixture
def hidden(progress, sam):
    return services.progress_update_hide(update=progress, actor=sam, reason="Personal data.")


def test_a_hidden_update_is_only_for_members_and_the_secretariat(
    api, published, hidden, alice_token, charlie_token, sam_token
):
    path = f"commitments/{published.pk}/progress/"
    assert body(api.get(path))["results"] == []
    assert body(api.get(path, token=charlie_token))["results"] == []
    assert api.get(f"{path}{hidden.pk}/").status_code == 404
    own = body(api.get(path, token=alice_token))["results"]
    assert [item["public"] for item in own] == [False]
    assert body(api.get(path, token=sam_token))["results"][0]["id"] == hidden.pk
    # The moderation note stays out of the API.
    assert "Personal data." not in api.get(path, token=alice_token).text


def test_a_sync_reports_hidden_updates_as_tombstones(api, published, progress, sam):
    since = timezone.now()
    services.progress_update_hide(update=progress, actor=sam, reason="Personal data.")
    results = body(
        api.get(f"commitments/{published.pk}/progress/", data={"updated_since": since.isoformat()})
    )["results"]
    assert results == [{"id": progress.pk, "public": False, "updated_at": results[0]["updated_at"]}]


@pytest.mark.parametrize(
    ("query", "count"),
    [("updated_since=2000-01-01T00:00:00Z", 1), ("updated_since=2999-01-01T00:00:00Z", 0)],
)
def test_the_updated_since_filter_matches_and_misses(api, published, progress, query, count):
    results = body(api.get(f"commitments/{published.pk}/progress/?{query}"))["results"]
    assert len(results) == count


def test_a_member_reports_progress(api, published, alice_token):
    deliverable = published.deliverables.get()
    response = api.post(
        f"commitments/{published.pk}/progress/",
        {
            "date": timezone.localdate().isoformat(),
            "narrative": "Half way there.",
            "links": ["https://example.org/mid-term"],
            "resources_mobilised": "1000.00",
            "status_changes": [{"deliverable": deliverable.pk, "status": "on_track"}],
        },
        token=alice_token,
    )
    assert response.status_code == 201, response.content
    created = body(response)
    assert response["Location"].endswith(f"/commitments/{published.pk}/progress/{created['id']}/")
    assert created["status_changes"][0]["new_status"] == "on_track"
    assert DeliverableStatusChange.objects.get().deliverable == deliverable
    published.refresh_from_db()
    deliverable.refresh_from_db()
    assert deliverable.status == "on_track"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "tomorrow"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"narrative": ""}, "narrative"),
        ({"status_changes": [{"deliverable": 1, "status": "lost"}]}, "status_changes.0.status"),
        ({"resources_mobilised": "-1"}, "resources_mobilised"),
        ({"links": ["nope"]}, "links.0"),
        # The website form's limits.
        ({"links": [f"https://example.org/{n}" for n in range(11)]}, "links"),
        ({"narrative": "x" * 10_001}, "narrative"),
    ],
)
def test_bad_reports_are_400(api, published, alice_token, change, field):
    data = {"date": timezone.localdate().isoformat(), "narrative": "Something.", **change}
    response = api.post(f"commitments/{published.pk}/progress/", data, token=alice_token)
    assert response.status_code == 400, response.content
    assert field in body(response)["fields"]
    assert ProgressUpdate.objects.count() == 0


def test_an_unknown_deliverable_is_refused(api, published, alice_token):
    response = api.post(
        f"commitments/{published.pk}/progress/",
        {
            "date": timezone.localdate().isoformat(),
            "status_changes": [{"deliverable": 987654, "status": "achieved"}],
        },
        token=alice_token,
    )
    assert response.status_code == 400
    assert body(response)["code"] == "refused"


@pytest.mark.parametrize("size", [1, 3, 6])
def test_a_page_costs_one_query_whatever_its_size(
    api, published, alice, size, django_assert_num_queries
):
    for n in range(6):
        update = services.progress_update_create(
            commitment=published, actor=alice, date=timezone.localdate(), narrative=f"Step {n}"
        )
        EvidenceFileFactory(update=update)
    # 1. the commitment with its reporting status (access function),
    # 2. the page: updates with their status changes and files (ARRAY subqueries) and the
    #    last change of the commitment's updates (Last-Modified).
    with django_assert_num_queries(2):
        page = body(api.get(f"commitments/{published.pk}/progress/?page_size={size}"))
    assert len(page["results"]) == size


# Moderation by the Secretariat -------------------------------------------------------------------


def test_the_secretariat_validates_the_evidence_of_an_update(api, published, progress, sam_token):
    path = f"commitments/{published.pk}/progress/{progress.pk}/validate/"
    response = api.post(path, {"reason": "Report checked."}, token=sam_token)
    assert response.status_code == 200, response.content
    assert body(response)["evidence_level"] == "validated"
    progress.refresh_from_db()
    assert progress.validated_by.email == "sam@example.org"
    assert progress.history.first().history_change_reason == "Report checked."
    # Once is enough; the public sees the new level.
    again = api.post(path, {}, token=sam_token)
    assert (again.status_code, body(again)["code"]) == (400, "refused")
    public = body(api.get(f"commitments/{published.pk}/progress/{progress.pk}/"))
    assert public["evidence_level"] == "validated"


def test_the_secretariat_hides_an_update_with_its_reason(
    api, published, progress, sam_token, alice_token
):
    since = body(api.get(f"commitments/{published.pk}/progress/"))["next_updated_since"]
    path = f"commitments/{published.pk}/progress/{progress.pk}/hide/"
    missing = api.post(path, {"reason": "  "}, token=sam_token)
    assert missing.status_code == 400
    assert "reason" in body(missing)["fields"]

    response = api.post(path, {"reason": "Personal data."}, token=sam_token)

    assert response.status_code == 200, response.content
    assert body(response)["public"] is False
    assert "Personal data." not in response.text
    progress.refresh_from_db()
    assert (progress.hidden, progress.hidden_reason) == (True, "Personal data.")
    # Gone for the public, a tombstone in the next sync; still there for the partner.
    assert api.get(f"commitments/{published.pk}/progress/{progress.pk}/").status_code == 404
    sync = body(api.get(f"commitments/{published.pk}/progress/", data={"updated_since": since}))[
        "results"
    ]
    assert sync == [{"id": progress.pk, "public": False, "updated_at": sync[0]["updated_at"]}]
    own = api.get(f"commitments/{published.pk}/progress/{progress.pk}/", token=alice_token)
    assert body(own)["public"] is False
    # Hidden: neither hidden again nor validated.
    for action in ("hide", "validate"):
        refused = api.post(
            f"commitments/{published.pk}/progress/{progress.pk}/{action}/",
            {"reason": "Again."},
            token=sam_token,
        )
        assert (refused.status_code, body(refused)["code"]) == (400, "refused")


@pytest.mark.parametrize("action", ["hide", "validate"])
def test_only_the_secretariat_moderates_progress(
    api, published, progress, action, alice_token, charlie_token
):
    path = f"commitments/{published.pk}/progress/{progress.pk}/{action}/"
    data = {"reason": "Because."}
    assert api.post(path, data).status_code == 401
    for token in (alice_token, charlie_token):
        response = api.post(path, data, token=token)
        assert (response.status_code, body(response)["code"]) == (403, "permission_denied")
    progress.refresh_from_db()
    assert not progress.hidden
    assert progress.evidence_level == ProgressUpdate.EvidenceLevel.EVIDENCE_ATTACHED


@pytest.mark.parametrize("action", ["hide", "validate"])
def test_moderating_an_update_of_another_commitment_is_404(
    api, published, progress, action, sam_token, acme, alice, sam
):
    from tests.api.conftest import make_published

    other = make_published(acme, alice, sam, title="Another commitment")
    path = f"commitments/{other.pk}/progress/{progress.pk}/{action}/"
    response = api.post(path, {"reason": "Because."}, token=sam_token)
    assert response.status_code == 404
    missing = f"commitments/{published.pk}/progress/987654/{action}/"
    assert api.post(missing, {"reason": "Because."}, token=sam_token).status_code == 404


def test_moderation_takes_json_only(api, published, progress, sam_token):
    response = api.client.post(
        f"/api/v1/commitments/{published.pk}/progress/{progress.pk}/hide/",
        {"reason": "Because."},
        headers={"Authorization": f"Token {sam_token}"},
    )
    api.checker.check(
        "post", f"/api/v1/commitments/{published.pk}/progress/{progress.pk}/hide/", response
    )
    assert response.status_code == 415
