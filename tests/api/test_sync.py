"""Incremental sync and stable pages: a client that pages while records are created, edited and
withdrawn sees none twice and misses none, and after its next sync holds exactly the public set,
as the loop in the API's description does it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from commitments import services
from commitments.models import Commitment
from tests.api.conftest import body, make_published


class SyncClient:
    """The documented loop: upsert `public: true` records by id, delete `public: false` ones,
    keep `next_updated_since` for the next run."""

    def __init__(self, api, resource="commitments/", page_size=3):
        self.api = api
        self.resource = resource
        self.page_size = page_size
        self.records: dict[int, dict] = {}
        self.since = None

    def run(self, between_pages=None) -> list[int]:
        params = {"page_size": self.page_size}
        if self.since:
            params["updated_since"] = self.since
        url, seen, number = self.resource, [], 0
        while url:
            response = self.api.get(url, data=params)
            assert response.status_code == 200, response.content
            page = body(response)
            for record in page["results"]:
                seen.append(record["id"])
                if record["public"]:
                    self.records[record["id"]] = record
                else:
                    self.records.pop(record["id"], None)
            if between_pages:
                between_pages(number)
            url, params, number = page["next"], None, number + 1
            self.since = page["next_updated_since"]
        return seen


def public_state(api) -> dict[int, dict]:
    """What the registry shows now, record by record."""
    state = {}
    for pk in Commitment.objects.listed().values_list("pk", flat=True):
        record = body(api.get(f"commitments/{pk}/"))
        record.pop("pending_edit")
        state[pk] = record
    return state


@pytest.fixture
def registry(acme, alice, sam, bob):
    commitments = [make_published(acme, alice, sam, title=f"Commitment {n:02}") for n in range(10)]
    earlier = make_published(acme, alice, sam, title="Withdrawn long ago")
    services.commitment_withdraw(commitment=earlier, actor=alice, reason="Ended.")
    services.commitment_create(
        organization=acme, actor=bob, content=_content_of(commitments[0], title="A draft")
    )
    return commitments


def _content_of(commitment, **changes):
    from commitments.content import content_of

    content = content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))
    for item in content["deliverables"]:
        item["id"] = None
    content.update(changes)
    return content


def test_a_client_paging_through_changes_ends_with_exactly_the_public_set(
    api, registry, acme, alice, sam
):
    ordered = sorted(registry, key=lambda commitment: (commitment.updated_at, commitment.pk))
    first, second, third, last, before_last = (
        ordered[0],
        ordered[1],
        ordered[2],
        ordered[-1],
        ordered[-2],
    )

    def meanwhile(page_number):
        if page_number == 0:
            # A new commitment, an edit of one not read yet, a withdrawal of one already read.
            make_published(acme, alice, sam, title="Published while paging")
            services.commitment_update(
                commitment=last,
                actor=alice,
                content=_content_of(last, title="Edited while paging"),
                lock_version=Commitment.objects.get(pk=last.pk).lock_version,
            )
            services.commitment_submit(commitment=last, actor=alice, reason="Clearer title.")
            services.commitment_publish(commitment=last, actor=sam)
            services.commitment_withdraw(commitment=first, actor=alice, reason="Stopped.")
        elif page_number == 1:
            # Progress on one already read, a withdrawal of one not read yet, a completion.
            services.progress_update_create(
                commitment=second, actor=alice, date=timezone.localdate(), narrative="Going well."
            )
            services.commitment_withdraw(commitment=before_last, actor=alice, reason="Merged.")
            services.commitment_complete(commitment=third, actor=alice)

    client = SyncClient(api)
    seen = client.run(between_pages=meanwhile)

    # One pass: nothing twice, and every commitment left alone during the pass was read.
    assert len(seen) == len(set(seen))
    untouched = {c.pk for c in registry} - {first.pk, second.pk, third.pk, last.pk, before_last.pk}
    assert untouched <= set(seen)
    # Records changed during the pass come in the next one.
    client.run()
    assert client.records == public_state(api)
    assert first.pk not in client.records and before_last.pk not in client.records
    assert client.records[last.pk]["title"] == "Edited while paging"
    assert client.records[third.pk]["status"] == "completed"

    # A sync with no change since keeps the same set (the overlap may repeat a few records).
    client.run()
    assert client.records == public_state(api)


def test_the_first_sync_of_a_new_client_skips_withdrawn_and_unpublished(api, registry):
    client = SyncClient(api, page_size=4)
    client.run()
    assert set(client.records) == {c.pk for c in registry}


def test_a_sync_reports_a_withdrawal_to_a_client_that_had_the_record(api, registry, alice):
    client = SyncClient(api)
    client.run()
    services.commitment_withdraw(commitment=registry[4], actor=alice, reason="Stopped.")
    seen = client.run()
    assert registry[4].pk in seen
    assert registry[4].pk not in client.records


def test_a_sync_never_reports_a_draft_to_those_who_may_not_read_it(api, registry, acme, bob):
    client = SyncClient(api)
    client.run()
    draft = services.commitment_create(
        organization=acme, actor=bob, content=_content_of(registry[0], title="Secret draft")
    )
    assert draft.pk not in client.run()


def test_a_members_sync_gets_its_drafts_as_not_public(api, registry, alice_token, acme, bob):
    draft = Commitment.objects.get(title="A draft")
    page = body(
        api.get("commitments/", data={"updated_since": "2000-01-01T00:00:00Z"}, token=alice_token)
    )
    records = {record["id"]: record for record in page["results"]}
    assert records[draft.pk]["public"] is False and records[draft.pk]["status"] == "draft"


# Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ordering", ["updated_at", "-updated_at", "created_at", "-id", "id", "title", "-title"]
)
def test_every_ordering_pages_through_every_record_once(api, registry, ordering):
    client = SyncClient(api, resource=f"commitments/?ordering={ordering}", page_size=3)
    seen = client.run()
    assert len(seen) == len(set(seen)) == 10


def test_orderings_sort_as_asked(api, registry):
    titles = [
        item["title"]
        for item in body(api.get("commitments/?ordering=-title&page_size=3"))["results"]
    ]
    assert titles == ["Commitment 09", "Commitment 08", "Commitment 07"]


def test_the_next_address_keeps_the_filters_and_is_also_a_link_header(api, registry):
    response = api.get("commitments/?sdg=8&page_size=2")
    page = body(response)
    query = parse_qs(urlsplit(page["next"]).query)
    assert query["sdg"] == ["8"] and query["page_size"] == ["2"] and query["cursor"]
    assert response["Link"] == f'<{page["next"]}>; rel="next"'


def test_the_last_page_has_no_next(api, registry):
    page = body(api.get("commitments/?page_size=10"))
    assert len(page["results"]) == 10 and page["next"] is None


def test_next_updated_since_overlaps_the_pass_by_a_minute(api, registry):
    before = timezone.now()
    since = body(api.get("commitments/"))["next_updated_since"]
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(since)
    assert before - timedelta(seconds=61) <= moment <= timezone.now() - timedelta(seconds=59)


def test_partners_page_the_same_way(api, registry, db):
    from tests.factories import OrganizationFactory

    for n in range(7):
        OrganizationFactory(name=f"Partner {n}")
    client = SyncClient(api, resource="partners/?ordering=-created_at", page_size=2)
    seen = client.run()
    assert len(seen) == len(set(seen)) == 8  # with Acme
