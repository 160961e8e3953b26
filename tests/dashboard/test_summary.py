"""The summary table: the unfiltered dashboard, stats API and annual reports read one stored row;
a job recomputes it every minute when something changed (many changes, one refresh) and every
ten minutes regardless."""

import datetime

import orjson
import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape

from commitments.models import Commitment
from secretariat import stats
from secretariat.dashboard import filter_querysets
from secretariat.models import DashboardSummary
from secretariat.stats import FIRST_YEAR
from tests.factories import CommitmentFactory, ProgressUpdateFactory


def _commitments_on_page(client, prefix: str = "") -> int:
    return client.get(f"{prefix}/dashboard/").context["totals"]["commitments"]


def test_the_unfiltered_dashboard_reads_one_summary_row(
    client, registry, django_assert_num_queries
):
    stats.refresh_dashboard_summary(force=True)
    # The first visitor: 1 summary row + the filter form's choices: thematic areas,
    # priorities, SDGs, constituencies, regions (5); the map and the form are then kept for
    # the others until the summary changes: 1 query.
    with django_assert_num_queries(6):
        client.get("/dashboard/")
    with django_assert_num_queries(1):
        response = client.get("/dashboard/")
    html = response.content.decode()
    assert "All thematic areas" in html and 'data-country="KE"' in html
    assert response.context["totals"]["commitments"] == 4
    # The API without filters: the summary row alone.
    with django_assert_num_queries(1):
        api = client.get("/api/v1/stats/")
    assert orjson.loads(api.content)["totals"] == response.context["totals"]
    # A figure's CSV without filters: the same row.
    with django_assert_num_queries(1):
        assert client.get("/dashboard/data/commitments_by_level.csv").status_code == 200


def test_the_annual_report_of_a_past_or_current_year_reads_its_row(
    client, registry, django_assert_num_queries
):
    year = timezone.localdate().year
    stats.store_summary(stats.report_key(year))
    with django_assert_num_queries(1):
        response = client.get(f"/dashboard/report/{year}/")
    assert response.status_code == 200
    assert "resources_by_region" in response.content.decode()


def test_without_a_summary_the_first_visit_computes_and_stores_it(client, registry):
    assert not DashboardSummary.objects.exists()
    assert _commitments_on_page(client) == 4
    summary = DashboardSummary.objects.get(key="dashboard")
    assert summary.figures["totals"]["commitments"] == 4
    assert set(summary.labels) == {"en", "fr", "es"}


def test_one_row_names_the_figures_in_each_language(client, registry):
    stats.store_summary("dashboard")
    labels = {}
    for prefix, language in (("", "en"), ("/fr", "fr"), ("/es", "es")):
        figures = client.get(f"{prefix}/dashboard/").context["figures"]
        themes = {row["code"]: row["label"] for row in figures["commitments_by_thematic_area"]}
        levels = {row["code"]: row["label"] for row in figures["commitments_by_level"]}
        kenya = [row["label"] for row in figures["countries"] if row["code"] == "KE"]
        labels[language] = (themes["employment"], levels["national"], kenya[0])
    assert len({labels[language] for language in labels}) == 3
    assert labels["en"][2] == "Kenya"
    html = client.get("/fr/dashboard/").content.decode()
    assert escape(labels["fr"][0]) in html
    assert DashboardSummary.objects.count() == 1


def test_the_stored_figures_are_those_computed_fresh(client, registry):
    ProgressUpdateFactory(commitment=registry["first"], resources_mobilised="120.50")
    stats.store_summary("dashboard")
    stored = client.get("/dashboard/").context["figures"]
    assert stored.pop("computed_at") == DashboardSummary.objects.get().computed_at
    _filterset, partners, commitments = filter_querysets({})
    assert stored == stats.compute(partners=partners, commitments=commitments)
    mobilised = {row["code"]: row["mobilised"] for row in stored["resources_by_thematic_area"]}
    assert str(mobilised["employment"]) == "120.50"


def test_a_change_shows_within_a_refresh_and_many_changes_cost_one(
    client, registry, django_capture_on_commit_callbacks
):
    stats.refresh_dashboard_summary(force=True)
    assert stats.refresh_dashboard_summary() == 0  # nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            CommitmentFactory(published=True)
    # Until the next run, the page shows the stored figures.
    assert _commitments_on_page(client) == 4
    # The dashboard and this year's report at once; the past years' within ten minutes.
    assert stats.refresh_dashboard_summary() == 2
    for prefix in ("", "/fr", "/es"):
        assert _commitments_on_page(client, prefix) == 9
    assert orjson.loads(client.get("/api/v1/stats/").content)["totals"]["commitments"] == 9
    assert stats.refresh_dashboard_summary() == 0  # the five changes: one refresh


def test_a_rolled_back_change_marks_nothing(registry, django_capture_on_commit_callbacks):
    stats.refresh_dashboard_summary(force=True)
    with django_capture_on_commit_callbacks(execute=False):
        CommitmentFactory(published=True)  # its transaction never commits
    assert stats.refresh_dashboard_summary() == 0


@pytest.mark.parametrize(
    "change",
    ["withdraw", "progress", "theme", "delete"],
)
def test_each_kind_of_change_marks_the_summary_stale(
    registry, django_capture_on_commit_callbacks, change
):
    stats.refresh_dashboard_summary(force=True)
    first = registry["first"]
    with django_capture_on_commit_callbacks(execute=True):
        if change == "withdraw":
            first.status = Commitment.Status.WITHDRAWN
            first.status_reason = "Changed plans."
            first.save()
        elif change == "progress":
            ProgressUpdateFactory(commitment=first)
        elif change == "theme":
            first.thematic_areas.clear()
        else:
            registry["global"].delete()
    assert stats.refresh_dashboard_summary() > 0


def test_the_job_recomputes_old_figures_even_without_a_change(registry, time_machine):
    time_machine.move_to("2026-06-01T12:00:00Z")
    stats.refresh_dashboard_summary(force=True)
    time_machine.move_to("2026-06-01T12:09:00Z")
    assert stats.refresh_dashboard_summary() == 0
    time_machine.move_to("2026-06-01T12:11:00Z")
    assert stats.refresh_dashboard_summary() == len(stats.summary_keys())
    earliest = min(DashboardSummary.objects.values_list("computed_at", flat=True))
    assert earliest >= datetime.datetime(2026, 6, 1, 12, 11, tzinfo=datetime.UTC)


def test_the_job_keeps_the_dashboard_and_every_year_since_the_launch(registry, time_machine):
    time_machine.move_to("2026-06-01T12:00:00Z")
    assert stats.summary_keys() == ["dashboard"] + [
        f"report:{year}" for year in range(FIRST_YEAR, 2027)
    ]
    stats.refresh_dashboard_summary()  # none stored yet: computes them
    assert set(DashboardSummary.objects.values_list("key", flat=True)) == set(stats.summary_keys())


def test_a_refresh_under_way_makes_a_second_one_do_nothing(registry):
    cache.add(stats.SUMMARY_LOCK, True)
    try:
        assert stats.refresh_dashboard_summary(force=True) == 0
        assert not DashboardSummary.objects.exists()
    finally:
        cache.delete(stats.SUMMARY_LOCK)
    assert stats.refresh_dashboard_summary(force=True) > 0


def test_years_to_come_are_computed_not_stored(client, registry):
    year = timezone.localdate().year + 2
    assert client.get(f"/dashboard/report/{year}/").status_code == 200
    assert not DashboardSummary.objects.filter(key=stats.report_key(year)).exists()


def test_the_refresh_is_scheduled_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard-summary"]
    assert entry["task"] == stats.refresh_dashboard_summary.name
    assert entry["schedule"].minute == set(range(60))
