"""A list page's statement (coalition.api.page_rows) is put together from the view's projection,
compiled once, and the request's own FROM and WHERE: it must read exactly the rows the ORM's
query for the same page reads, for every list, filter, order, cursor and client."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from rest_framework.test import APIRequestFactory, force_authenticate

from coalition.api import EPOCH, After, Cursor, LastChange, OnceAsText, page_rows
from commitments import services
from commitments.api.views import CommitmentViewSet, ProgressUpdateViewSet
from forum.api.views import ForumEditionViewSet, SessionViewSet
from partners.api.views import PartnerViewSet
from secretariat.api.good_practices import GoodPracticeViewSet
from tests.api.conftest import make_draft, make_published

ORDERS = [("updated_at", False), ("title", True), ("created_at", False)]


def list_view(viewset_class, query: str, user=None, **kwargs):
    request = APIRequestFactory().get(f"/api/v1/list/?{query}")
    if user is not None:
        force_authenticate(request, user=user)
    view = viewset_class(action_map={"get": "list"}, kwargs=kwargs, args=(), format_kwarg=None)
    view.get = view.list  # as DRF's view function binds its actions
    view.request = view.initialize_request(request)
    return view


def orm_rows(view, queryset, *, column, descending, added, limit):
    """The same page as the ORM writes it: the projection, the added columns, the order."""
    projected = view.project(queryset)
    key = column
    if column not in projected.query.values_select:
        key = "keyset_key"
        added = {**added, key: F(column)}
    sign = "-" if descending else ""
    rows = projected.annotate(**added).order_by(f"{sign}{key}", f"{sign}id")[:limit]
    return list(rows), key


def assert_same_pages(view, *, column, descending):
    queryset = view.filter_queryset(view.get_queryset())
    added = {
        **view.list_annotations(),
        "sync_until": OnceAsText(LastChange(view.model, **view.sync_scope())),
    }
    expected = orm_rows(view, queryset, column=column, descending=descending, added=added, limit=2)
    rows, key = page_rows(
        view, queryset, column=column, descending=descending, added=added, limit=2
    )
    assert (rows, key) == expected
    if not rows:
        return
    # The next page, after the first row: the cursor's condition and no `sync_until`.
    last = rows[0]
    cursor = Cursor(column, last[key], last["id"], EPOCH.replace(year=2999))
    after = queryset.filter(After(view.model, column, cursor, descending=descending))
    added = view.list_annotations()
    expected = orm_rows(view, after, column=column, descending=descending, added=added, limit=5)
    assert (
        page_rows(view, after, column=column, descending=descending, added=added, limit=5)
        == expected
    )


@pytest.fixture
def registry(acme, alice, sam, globex, charlie):
    from coalition.models import Constituency

    globex.constituency = Constituency.objects.get(code="financial-institution")
    globex.save()
    kenya = make_published(
        acme, alice, sam, title="Apprenticeships in Nairobi", sdgs=[8], countries=["KE"]
    )
    make_published(
        globex,
        charlie,
        sam,
        title="Social dialogue for a just transition",
        thematic_areas=["social-dialogue"],
        level="regional",
        regions=["155"],
        countries=[],
    )
    withdrawn = make_published(acme, alice, sam, title="Withdrawn one")
    services.commitment_withdraw(commitment=withdrawn, actor=alice, reason="Funding ended.")
    make_draft(acme, alice, title="A draft of Acme")
    return {"kenya": kenya}


COMMITMENT_QUERIES = [
    "",
    "thematic_area=employment&sdg=8&country=KE",
    "search=Nairobi",
    "status=withdrawn",
    "status=draft",
    "constituency=financial-institution",
    "region=150",
    "reporting_status=on_track",
    "updated_since=2000-01-01T00:00:00Z",
    "year=2027&level=national",
]


@pytest.mark.parametrize("query", COMMITMENT_QUERIES)
@pytest.mark.parametrize(("column", "descending"), ORDERS)
@pytest.mark.parametrize("client", ["anonymous", "member", "secretariat"])
def test_commitment_pages_read_the_rows_of_the_orm(
    registry, alice, sam, query, column, descending, client
):
    user = {"anonymous": None, "member": alice, "secretariat": sam}[client]
    view = list_view(CommitmentViewSet, query, user)

    assert_same_pages(view, column=column, descending=descending)


def test_a_partner_filter_reads_the_rows_of_the_orm(registry, acme):
    view = list_view(CommitmentViewSet, f"partner={acme.pk}")

    assert_same_pages(view, column="updated_at", descending=False)


@pytest.mark.parametrize(
    ("viewset_class", "query"),
    [
        (PartnerViewSet, ""),
        (PartnerViewSet, "constituency=financial-institution"),
        (PartnerViewSet, "updated_since=2000-01-01T00:00:00Z"),
        (GoodPracticeViewSet, ""),
        (ForumEditionViewSet, ""),
        (SessionViewSet, ""),
    ],
)
def test_other_lists_read_the_rows_of_the_orm(registry, viewset_class, query):
    view = list_view(viewset_class, query)

    assert_same_pages(view, column="created_at", descending=True)


def test_progress_pages_read_the_rows_of_the_orm(registry, alice):
    commitment = registry["kenya"]
    for narrative in ("Two cohorts trained.", "A third cohort enrolled."):
        services.progress_update_create(
            commitment=commitment, actor=alice, date=datetime.date.today(), narrative=narrative
        )
    view = list_view(ProgressUpdateViewSet, "", commitment_pk=commitment.pk)
    view.initial(view.request, commitment_pk=commitment.pk)  # finds the commitment

    assert_same_pages(view, column="updated_at", descending=False)


def test_a_list_page_is_a_statement_prepared_once_per_connection(registry, client):
    """Django turns psycopg's prepared statements off unless the settings give a threshold;
    without it the page's statement would be parsed and analysed again at every request."""

    def prepared_pages():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE NOT from_sql AND statement LIKE %s",
                ['%FROM "commitments_commitment"%LIMIT%'],
            )
            return cursor.fetchone()[0]

    before = prepared_pages()
    for _ in range(3):
        assert client.get("/api/v1/commitments/?page_size=2").status_code == 200

    assert prepared_pages() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_list_page_replaces_a_connection_that_died(client):
    assert client.get("/api/v1/commitments/").status_code == 200
    connection.connection.close()  # as a database restart leaves a persistent connection
    connection.health_check_done = False  # as at the start of a request (the test client skips it)

    assert client.get("/api/v1/commitments/").status_code == 200
