"""The figures equal counts made here, independently, by walking the rows in Python."""

import datetime
from collections import Counter
from decimal import Decimal

from coalition import vocabularies
from coalition.models import Constituency, Priority, SustainableDevelopmentGoal, ThematicArea
from commitments.filters import CommitmentFilter
from commitments.models import Commitment, Deliverable, ReportingStatus
from partners.models import Organization
from secretariat import stats
from secretariat.dashboard import filter_querysets
from tests.factories import ProgressUpdateFactory


def _listed():
    return [c for c in Commitment.objects.all() if c.status in Commitment.LISTED_STATUSES]


def _partners():
    return [o for o in Organization.objects.all() if o.status == Organization.Status.APPROVED]


def _figures(data=None):
    _filterset, partners, commitments = filter_querysets(data or {})
    return stats.compute(partners=partners, commitments=commitments)


def _values(rows):
    return {row["code"]: row["value"] for row in rows}


def test_partner_figures_equal_counts_of_approved_partners(registry):
    figures = _figures()
    expected = Counter(o.constituency.code for o in _partners())
    assert _values(figures["partners_by_constituency"]) == {
        c.code: expected.get(c.code, 0) for c in Constituency.objects.all()
    }
    by_region = {}
    for area in vocabularies.M49_REGIONS:
        by_region[area.m49] = sum(o.country.code in area.all_countries() for o in _partners())
    assert _values(figures["partners_by_region"]) == by_region
    assert by_region["002"] == 1 and by_region["150"] == 1 and by_region["019"] == 1
    assert figures["totals"]["partners"] == 3


def test_commitment_figures_equal_counts_of_listed_commitments(registry):
    figures = _figures()
    listed = _listed()
    themes = Counter(t.code for c in listed for t in c.thematic_areas.all())
    assert _values(figures["commitments_by_thematic_area"]) == {
        t.code: themes.get(t.code, 0) for t in ThematicArea.objects.all()
    }
    priorities = Counter(p.code for c in listed for p in c.priorities.all())
    assert _values(figures["commitments_by_priority"]) == {
        p.code: priorities.get(p.code, 0) for p in Priority.objects.all()
    }
    goals = Counter(str(g.number) for c in listed for g in c.sdgs.all())
    assert _values(figures["commitments_by_sdg"]) == {
        str(g.number): goals.get(str(g.number), 0) for g in SustainableDevelopmentGoal.objects.all()
    }
    assert all(row["colour"].startswith("#") for row in figures["commitments_by_sdg"])
    levels = Counter(c.level for c in listed)
    assert _values(figures["commitments_by_level"]) == {
        "global": levels["global"],
        "regional": levels["regional"],
        "national": levels["national"],
    }
    years = Counter(str(c.start_date.year) for c in listed)
    assert _values(figures["commitments_by_year"]) == dict(years)
    assert figures["totals"]["commitments"] == len(listed) == 4


def test_deliverables_by_status_count_those_of_listed_commitments(registry):
    figures = _figures()
    listed = {c.pk for c in _listed()}
    expected = Counter(d.status for d in Deliverable.objects.all() if d.commitment_id in listed)
    assert _values(figures["deliverables_by_status"]) == {
        s.value: expected.get(s.value, 0) for s in Deliverable.Status
    }
    assert figures["totals"]["deliverables"] == sum(expected.values()) == 4


def test_reporting_status_counts_published_commitments_only(registry):
    figures = _figures()
    published = Commitment.objects.filter(status="published").with_reporting_status()
    expected = Counter(c.reporting_status for c in published)
    assert _values(figures["commitments_by_reporting_status"]) == {
        s.value: expected.get(s.value, 0) for s in ReportingStatus
    }
    # The regional one, published 700 days ago with no progress since, is inactive.
    assert expected["inactive"] == 1 and sum(expected.values()) == 3


def test_resources_are_summed_per_currency_and_never_mixed(registry):
    figures = _figures()
    listed = _listed()
    expected = Counter()
    for c in listed:
        if c.resources_amount:
            for theme in c.thematic_areas.all():
                expected[(theme.code, c.resources_currency)] += c.resources_amount
    got = {
        (row["code"], row["currency"]): row["value"]
        for row in figures["resources_by_thematic_area"]
    }
    assert got == dict(expected)
    assert got[("employment", "USD")] == Decimal("1250.00")
    by_constituency = {
        (row["code"], row["currency"]): row["value"] for row in figures["resources_by_constituency"]
    }
    assert by_constituency == {
        ("government", "USD"): Decimal("1000.00"),
        ("workers-organization", "EUR"): Decimal("500.00"),
        ("enterprise", "USD"): Decimal("250.00"),
    }
    by_region = {
        (row["code"], row["currency"]): row["value"] for row in figures["resources_by_region"]
    }
    # Kenya and Eastern Africa are in Africa; Brazil in the Americas; the global one nowhere.
    assert by_region == {
        ("002", "USD"): Decimal("1000.00"),
        ("002", "EUR"): Decimal("500.00"),
        ("019", "USD"): Decimal("250.00"),
    }


def test_growth_counts_approvals_and_first_publications_by_year(registry):
    figures = _figures()
    approvals = Counter(o.approved_at.year for o in _partners())
    publications = Counter(c.first_published_at.year for c in _listed() if c.first_published_at)
    rows = {row["year"]: row for row in figures["growth"]}
    assert {y: r["new_partners"] for y, r in rows.items() if r["new_partners"]} == dict(approvals)
    assert {y: r["new_commitments"] for y, r in rows.items() if r["new_commitments"]} == dict(
        publications
    )
    last = figures["growth"][-1]
    assert last["partners"] == 3 and last["commitments"] == 4


def test_the_map_counts_what_the_browser_lists_for_each_country(registry):
    figures = _figures()
    countries = {row["code"]: row for row in figures["countries"]}
    for code, row in countries.items():
        listed = CommitmentFilter({"country": code}, queryset=Commitment.objects.public()).qs
        assert row["commitments"] == listed.count(), code
    # Kenya: national action there, and the regional one in Eastern Africa.
    assert countries["KE"]["commitments"] == 2 and countries["KE"]["partners"] == 1
    assert countries["TZ"]["commitments"] == 2 and countries["ET"]["commitments"] == 1
    assert "UG" in countries and countries["UG"]["commitments"] == 1  # regional, not withdrawn
    assert "AR" not in countries  # a draft


def test_filters_narrow_every_figure_as_they_narrow_the_list(registry):
    figures = _figures({"thematic_area": "employment"})
    assert figures["totals"]["commitments"] == 3
    assert _values(figures["commitments_by_thematic_area"])["social-dialogue"] == 0
    assert _values(figures["commitments_by_level"]) == {"global": 1, "regional": 0, "national": 2}
    withdrawn = _figures({"status": "withdrawn"})
    assert withdrawn["totals"]["commitments"] == 1
    kenya = _figures({"country": "KE"})
    assert kenya["totals"] == {"partners": 1, "commitments": 2, "deliverables": 3}


def test_drafts_and_unapproved_partners_never_count(registry):
    registry["draft"].thematic_areas.set(ThematicArea.objects.all())
    figures = _figures({"status": "published"})
    assert figures["totals"]["commitments"] == 3
    assert all(
        row["value"] <= 3 for row in figures["commitments_by_thematic_area"]
    )  # the draft is in all six
    assert figures["totals"]["partners"] == 3


def test_the_figures_take_a_fixed_number_of_queries(registry, django_assert_num_queries):
    _filterset, partners, commitments = filter_querysets({"sdg": "8"})
    # The filtered ids into a temporary table: savepoint, create, analyze, and (a small set)
    # the planner told to prefer index lookups (4); then
    # 1 totals (partners) + 1 totals (commitments, deliverables), 1 by constituency,
    # 1 by region, theme, priority and SDG counted together from the rows' keys (1) and named
    # from their three vocabularies (3), 1 level, 1 year, 1 deliverables,
    # 1 reporting status, 1 resources (pledged and mobilised by theme, region and constituency
    # together), 2 growth, 2 countries (map, headquarters): 17; drop, release the savepoint
    # (2). 23, whatever the number of rows below stats.FEW_COMMITMENTS. (In autocommit,
    # outside a test's transaction, BEGIN/COMMIT replace the savepoint.)
    with django_assert_num_queries(23):
        stats.compute(partners=partners, commitments=commitments)


def _latest_public_amount(commitment):
    reported = [
        update
        for update in commitment.progress_updates.all()
        if not update.hidden and update.resources_mobilised is not None
    ]
    if not reported:
        return None
    return max(reported, key=lambda update: (update.date, update.pk)).resources_mobilised


def test_mobilised_is_the_latest_public_amount_of_each_commitment(registry):
    day = datetime.date(2026, 1, 1)
    first, regional = registry["first"], registry["regional"]
    ProgressUpdateFactory(commitment=first, date=day, resources_mobilised=Decimal("100.00"))
    ProgressUpdateFactory(  # the latest amount of `first`
        commitment=first, date=day + datetime.timedelta(days=30), resources_mobilised=Decimal("400")
    )
    ProgressUpdateFactory(  # later, but without an amount: the 400 stands
        commitment=first, date=day + datetime.timedelta(days=40)
    )
    ProgressUpdateFactory(  # later still, hidden by the Secretariat
        commitment=first,
        date=day + datetime.timedelta(days=50),
        resources_mobilised=Decimal("9999"),
        hidden=True,
        hidden_reason="Wrong figure.",
    )
    ProgressUpdateFactory(commitment=regional, date=day, resources_mobilised=Decimal("50"))
    ProgressUpdateFactory(commitment=regional, date=day, resources_mobilised=Decimal("60"))
    ProgressUpdateFactory(commitment=registry["completed"], resources_mobilised=Decimal("20"))
    ProgressUpdateFactory(commitment=registry["withdrawn"], resources_mobilised=Decimal("777"))
    ProgressUpdateFactory(commitment=registry["draft"], resources_mobilised=Decimal("888"))

    figures = _figures()
    expected_themes, expected_constituencies = Counter(), Counter()
    for c in _listed():
        amount = _latest_public_amount(c)
        if amount is not None and c.resources_currency:
            for theme in c.thematic_areas.all():
                expected_themes[(theme.code, c.resources_currency)] += amount
            key = (c.lead_organization.constituency.code, c.resources_currency)
            expected_constituencies[key] += amount

    def mobilised(slug):
        return {
            (row["code"], row["currency"]): row["mobilised"]
            for row in figures[slug]
            if row["mobilised"]
        }

    assert mobilised("resources_by_thematic_area") == dict(expected_themes)
    assert mobilised("resources_by_constituency") == dict(expected_constituencies)
    # The same day twice: the later entry counts (60, not 50 nor 110).
    assert expected_constituencies[("workers-organization", "EUR")] == Decimal("60")
    assert expected_themes[("employment", "USD")] == Decimal("420")  # 400 + 20
    assert mobilised("resources_by_region") == {
        ("002", "USD"): Decimal("400.00"),
        ("002", "EUR"): Decimal("60.00"),
        ("019", "USD"): Decimal("20.00"),
    }
    # Pledged amounts are unchanged by the progress: rows carry both.
    employment = [
        row for row in figures["resources_by_thematic_area"] if row["code"] == "employment"
    ]
    assert [(r["currency"], r["value"], r["mobilised"]) for r in employment] == [
        ("USD", Decimal("1250.00"), Decimal("420.00"))
    ]
    # Withdrawn commitments count when the filter asks for them.
    withdrawn = _figures({"status": "withdrawn"})
    assert withdrawn["resources_by_constituency"] == []  # no currency: counted nowhere


def test_mobilised_without_a_pledge_still_counts(registry):
    commitment = registry["global"]
    Commitment.objects.filter(pk=commitment.pk).update(resources_currency="CHF")
    ProgressUpdateFactory(commitment=commitment, resources_mobilised=Decimal("75"))
    figures = _figures()
    swiss = [row for row in figures["resources_by_constituency"] if row["currency"] == "CHF"]
    assert swiss == [
        {
            "code": "workers-organization",
            "label": swiss[0]["label"],
            "value": Decimal("0.00"),
            "currency": "CHF",
            "mobilised": Decimal("75.00"),
        }
    ]
