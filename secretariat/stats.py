"""The figures of the dashboard and of `/api/v1/stats/`: counts and sums by vocabulary, computed
by aggregate queries in PostgreSQL (GROUP BY, COUNT ... FILTER, SUM), never by loading rows.

Every function takes the querysets of what is counted, already filtered by the caller with the
commitments browser's FilterSet (the page) or the API's (the endpoint), so that a figure and the
filtered list it links to always agree. Results are plain dicts of codes, labels and numbers:
the page draws them, the API serializes them, the CSV downloads write them.

The unfiltered figures (the dashboard's first view, `/api/v1/stats/` without filters, the annual
report of each year) are read from `DashboardSummary`, one row each, labelled in the three
languages. `refresh_dashboard_summary` runs every minute: when something changed (a mark set on
commit when a commitment, deliverable, progress update or partner changes) it recomputes the
dashboard and this year's report, and any row older than ten minutes is recomputed anyway. At
100k commitments computing them takes seconds; reading the row takes a millisecond.

Filtered figures are computed for the request and cached for `STATS_CACHE_SECONDS` (default
60), keyed by the language and the filters: the same page is asked for many times.

On PostgreSQL the counts and sums by thematic area, priority, goal and region read the codes
kept on each commitment row (`Commitment.theme_codes`, `filter_keys`: GIN-indexed arrays)
instead of joining through the link tables; SQLite (the demo) joins. Both give the same figures
(tests/dashboard/test_array_path.py). A cold `?thematic_area=employment&region=002` dashboard
went from ~675 to ~300 ms at 100k commitments, and the unfiltered figures from 5.4 to 3.1 s.
"""

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from coalition import vocabularies
from coalition.models import Constituency, Priority, SustainableDevelopmentGoal, ThematicArea
from coalition.vocabularies import REGION_COUNTRIES, REGION_SUBTREE
from commitments.filters import countries_pattern
from commitments.models import (
    AREA,
    CODE_KEYS,
    FILTER_KEY_PREFIXES,
    Commitment,
    Deliverable,
    Level,
    ProgressUpdate,
    ReportingStatus,
    filter_key,
)
from partners.models import Organization
from secretariat.models import DashboardSummary

CACHE_SECONDS = getattr(settings, "STATS_CACHE_SECONDS", 60)
# Below this many filtered commitments, `compute` has PostgreSQL prefer index lookups.
FEW_COMMITMENTS = 20_000

# The years of the annual reports: the Coalition was launched in 2023.
FIRST_YEAR, LAST_YEAR = 2023, 2100

# The five M49 regions (Africa, Americas, Asia, Europe, Oceania): the regional breakdowns.
TOP_REGIONS = tuple(vocabularies.M49_REGIONS)


@dataclass(frozen=True)
class FigureSpec:
    """A figure: its slug (in URLs and the API), its title and the meaning of its value."""

    slug: str
    title: str
    value_label: str
    money: bool = False


FIGURES = (
    FigureSpec("partners_by_constituency", _("Partners by constituency"), _("Partners")),
    FigureSpec("partners_by_region", _("Partners by region of headquarters"), _("Partners")),
    FigureSpec("commitments_by_thematic_area", _("Commitments by thematic area"), _("Commitments")),
    FigureSpec("commitments_by_priority", _("Commitments by initial priority"), _("Commitments")),
    FigureSpec(
        "commitments_by_sdg", _("Commitments by Sustainable Development Goal"), _("Commitments")
    ),
    FigureSpec("commitments_by_level", _("Commitments by level of action"), _("Commitments")),
    FigureSpec("commitments_by_year", _("Commitments by starting year"), _("Commitments")),
    FigureSpec("deliverables_by_status", _("Deliverables by status"), _("Deliverables")),
    FigureSpec(
        "commitments_by_reporting_status",
        _("Reporting status of published commitments"),
        _("Commitments"),
    ),
    FigureSpec(
        "resources_by_thematic_area",
        _("Resources pledged and mobilised by thematic area"),
        _("Amount pledged"),
        money=True,
    ),
    FigureSpec(
        "resources_by_region",
        _("Resources pledged and mobilised by region"),
        _("Amount pledged"),
        money=True,
    ),
    FigureSpec(
        "resources_by_constituency",
        _("Resources pledged and mobilised by constituency of the lead partner"),
        _("Amount pledged"),
        money=True,
    ),
)
FIGURES_BY_SLUG = {figure.slug: figure for figure in FIGURES}


def _name(term) -> str:
    return getattr(term, f"name_{(get_language() or 'en')[:2]}", None) or term.name_en


def _row(code, label, value) -> dict:
    return {"code": str(code), "label": str(label), "value": value}


def _ids_sql(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL of the ids of these rows: the temporary table of `compute` when they were written
    to one (reading it directly, not through the commitments table once more: ~7 ms a query for
    a filtered set at 100k commitments)."""
    table = getattr(queryset, "ids_table", None)
    if table:
        return f"SELECT {table}.id FROM {table}", ()
    return queryset.order_by().values("pk").query.sql_with_params()


def _in(queryset: QuerySet, field: str = "pk") -> Q:
    if getattr(queryset, "ids_table", None):
        return Q(**{f"{field}__in": RawSQL(*_ids_sql(queryset))})
    return Q(**{f"{field}__in": queryset.order_by().values("pk")})


# Partners ----------------------------------------------------------------------------------------


def partners_by_constituency(partners: QuerySet[Organization]) -> list[dict]:
    # One query: every constituency, with the number of these partners in it (zeros included).
    rows = Constituency.objects.annotate(
        n=Count("organization", filter=_in(partners, "organization__pk"))
    ).order_by("position", "code")
    return [_row(row.code, row.name, row.n) for row in rows]


def partners_by_region(partners: QuerySet[Organization]) -> list[dict]:
    # One query: COUNT(*) FILTER (WHERE country IN (...)) for each region.
    counts = partners.order_by().aggregate(
        **{
            f"r{area.m49}": Count("pk", filter=Q(country__in=area.all_countries()))
            for area in TOP_REGIONS
        }
    )
    return [_row(area.m49, _name(area), counts[f"r{area.m49}"]) for area in TOP_REGIONS]


# Commitments -------------------------------------------------------------------------------------


def _terms_counted(model, field_name: str, commitments: QuerySet[Commitment]) -> list:
    """The terms of a vocabulary in their order, each with `n`, the number of these commitments
    tagged with it (zeros included), counted through the link table: one query. (Django leaves
    a model's default ordering out of a GROUP BY query, hence the explicit one.)"""
    reverse = Commitment._meta.get_field(field_name).related_query_name()
    counted = Count(reverse, filter=_in(commitments, f"{reverse}__pk"))
    return list(model.objects.annotate(n=counted).order_by(*model._meta.ordering))


def use_arrays() -> bool:
    """Whether the figures read the codes kept on the commitment row (`Commitment.theme_codes`,
    `filter_keys`...: PostgreSQL arrays) rather than joining through the link tables (SQLite,
    the demo, where they are JSON text)."""
    return connection.vendor == "postgresql"


def tag_counts(commitments: QuerySet[Commitment]) -> dict[str, int]:
    """PostgreSQL: for each key of `Commitment.filter_keys` ("theme:employment", "priority:...",
    "sdg:8", "area:002"), the number of these commitments that have it: the counts by thematic
    area, priority and goal in one pass over the rows, where each took a query through its link
    table (~15 ms each for a filtered set at 100k commitments; this ~11 for all three)."""
    ids_sql, params = _ids_sql(commitments)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, COUNT(*) FROM {Commitment._meta.db_table} c "
            f"CROSS JOIN LATERAL unnest(c.filter_keys) AS tag "
            f"WHERE c.id IN ({ids_sql}) GROUP BY tag",
            params,
        )
        return dict(cursor.fetchall())


def _tagged(model, relation: str, commitments, tags: dict | None) -> list[tuple]:
    """Each term of a vocabulary in its order, with the number of these commitments tagged with
    it: from `tags`, the rows' keys as `tag_counts` counted them, or without them (None) through
    the link table."""
    if tags is None:
        return [(row, row.n) for row in _terms_counted(model, relation, commitments)]
    prefix, key = FILTER_KEY_PREFIXES[relation], CODE_KEYS[relation]
    return [
        (term, tags.get(filter_key(prefix, getattr(term, key)), 0)) for term in model.objects.all()
    ]


def commitments_by_thematic_area(
    commitments: QuerySet[Commitment], *, tags: dict | None = None
) -> list[dict]:
    rows = _tagged(ThematicArea, "thematic_areas", commitments, tags)
    return [_row(term.code, term.name, n) for term, n in rows]


def commitments_by_priority(
    commitments: QuerySet[Commitment], *, tags: dict | None = None
) -> list[dict]:
    rows = _tagged(Priority, "priorities", commitments, tags)
    return [_row(term.code, term.name, n) for term, n in rows]


def commitments_by_sdg(
    commitments: QuerySet[Commitment], *, tags: dict | None = None
) -> list[dict]:
    rows = _tagged(SustainableDevelopmentGoal, "sdgs", commitments, tags)
    return [
        {**_row(goal.number, f"{goal.number}. {goal.name}", n), "colour": goal.colour}
        for goal, n in rows
    ]


def commitments_by_level(commitments: QuerySet[Commitment]) -> list[dict]:
    counts = dict(
        commitments.order_by().values("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    return [_row(level.value, level.label, counts.get(level.value, 0)) for level in Level]


def commitments_by_year(commitments: QuerySet[Commitment]) -> list[dict]:
    rows = (
        commitments.order_by()
        .annotate(year=ExtractYear("start_date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return [_row(row["year"], row["year"], row["n"]) for row in rows]


def deliverables_by_status(commitments: QuerySet[Commitment]) -> list[dict]:
    counts = dict(
        Deliverable.objects.filter(_in(commitments, "commitment_id"))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [_row(s.value, s.label, counts.get(s.value, 0)) for s in Deliverable.Status]


def commitments_by_reporting_status(
    commitments: QuerySet[Commitment], *, today: date | None = None
) -> list[dict]:
    """Of the published commitments among these (the others have no reporting status)."""
    counts = dict(
        Commitment.objects.filter(_in(commitments), status=Commitment.Status.PUBLISHED)
        .with_reporting_status(today=today)
        .order_by()
        .values("reporting_status")
        .annotate(n=Count("pk"))
        .values_list("reporting_status", "n")
    )
    return [_row(s.value, s.label, counts.get(s.value, 0)) for s in ReportingStatus]


# Resources: amounts are only added up within one currency (no exchange rates are invented).
#
# Pledged: the commitment's `resources_amount`. Mobilised: what its partner last reported as
# "resources mobilised so far" (a running total, so only the latest report counts): the most
# recent update of its public timeline (not hidden) that gives an amount, by date then entry.
# Both are in the commitment's currency; a commitment without a currency counts in neither.
#
# The three figures take `sums`, those of `resource_sums` (from the rows' codes, PostgreSQL),
# or without them (None) group through the link tables.


def _money_rows(groups: list[tuple[str, str]], sums: dict[tuple[str, str], tuple]) -> list:
    """A row per category and currency with something pledged or mobilised."""
    currencies = sorted({currency for _code, currency in sums})
    rows = []
    for code, label in groups:
        for currency in currencies:
            pledged, mobilised = sums.get((code, currency), (None, None))
            if pledged or mobilised:
                rows.append(
                    {
                        **_row(code, label, pledged or Decimal("0.00")),
                        "currency": currency,
                        "mobilised": mobilised or Decimal("0.00"),
                    }
                )
    return rows


def latest_mobilised() -> Subquery:
    """The amount of the commitment's latest public progress update that reports one (uses
    the index `progress_latest_idx`: commitment, hidden, date)."""
    return Subquery(
        ProgressUpdate.objects.filter(
            commitment=OuterRef("pk"), hidden=False, resources_mobilised__isnull=False
        )
        .order_by("-date", "-pk")
        .values("resources_mobilised")[:1]
    )


def _with_resources(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(_in(commitments))
        .exclude(resources_currency="")
        .annotate(mobilised=latest_mobilised())
        .order_by()
    )


def _grouped_sums(commitments: QuerySet[Commitment], group: str) -> dict:
    rows = (
        _with_resources(commitments)
        .values(group, "resources_currency")
        .annotate(pledged_sum=Sum("resources_amount"), mobilised_sum=Sum("mobilised"))
    )
    return {
        (row[group], row["resources_currency"]): (row["pledged_sum"], row["mobilised_sum"])
        for row in rows
    }


REGION_KEYS = {filter_key(AREA, area.m49): area.m49 for area in TOP_REGIONS}
CONSTITUENCY = "lead_organization__constituency__code"


def resource_sums(commitments: QuerySet[Commitment]) -> dict[str, dict]:
    """PostgreSQL: the sums pledged and mobilised by thematic area, region and constituency,
    per currency, in one query: each commitment's amount mobilised (the latest public update's,
    a subquery per row) is found once, in a materialized CTE, rather than once per figure (0.5 s
    each unfiltered at 100k commitments); its themes and regions come from its arrays, the link
    tables are not joined. A region as the `region` filter has it: "area:002" is in
    `Commitment.filter_keys` of exactly the commitments `region=002` finds
    (commitments.models.filter_keys_of)."""
    inner, params = (
        _with_resources(commitments)
        .values(
            "theme_codes",
            "filter_keys",
            CONSTITUENCY,
            "resources_currency",
            "resources_amount",
            "mobilised",
        )
        .query.sql_with_params()
    )
    sums = "resources_currency, SUM(resources_amount), SUM(mobilised)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH amounts AS MATERIALIZED ({inner}) "
            f"SELECT 'thematic_area', code, {sums} "
            f"FROM amounts CROSS JOIN LATERAL unnest(amounts.theme_codes) AS code GROUP BY 2, 3 "
            f"UNION ALL SELECT 'region', code, {sums} "
            f"FROM amounts CROSS JOIN LATERAL unnest(amounts.filter_keys) AS code "
            f"WHERE code = ANY(%s) GROUP BY 2, 3 "
            f"UNION ALL SELECT 'constituency', \"{CONSTITUENCY}\", {sums} "
            f"FROM amounts GROUP BY 2, 3",
            (*params, list(REGION_KEYS)),
        )
        fetched = cursor.fetchall()
    grouped = {"thematic_area": {}, "region": {}, "constituency": {}}
    for kind, code, currency, pledged, mobilised in fetched:
        code = REGION_KEYS[code] if kind == "region" else code
        grouped[kind][(code, currency)] = (pledged, mobilised)
    return grouped


def resources_by_thematic_area(
    commitments: QuerySet[Commitment], *, sums: dict | None = None
) -> list[dict]:
    """A commitment on two thematic areas counts its whole amount in each of them."""
    if sums is None:
        found = _grouped_sums(commitments, "thematic_areas__code")
    else:
        found = sums["thematic_area"]
    groups = [(term.code, _name(term)) for term in vocabularies.THEMATIC_AREAS]
    return _money_rows(groups, found)


def resources_by_constituency(
    commitments: QuerySet[Commitment], *, sums: dict | None = None
) -> list[dict]:
    found = _grouped_sums(commitments, CONSTITUENCY) if sums is None else sums["constituency"]
    groups = [(term.code, _name(term)) for term in vocabularies.CONSTITUENCIES]
    return _money_rows(groups, found)


def resources_by_region(commitments: QuerySet[Commitment], *, sums: dict | None = None) -> list:
    """In a region as the commitments browser's `region` filter has it: aimed at the region or
    an area within it, or at one of its countries. Global commitments are in none.

    Without `sums` (SQLite), each commitment's regions are found through the link table and its
    countries by the filter's own pattern, and summed per currency with SUM ... FILTER for each
    region."""
    regions = [(area.m49, _name(area)) for area in TOP_REGIONS]
    if sums is not None:
        return _money_rows(regions, sums["region"])
    regions_through = Commitment.regions.through
    located = {}
    for area in TOP_REGIONS:
        aimed = Exists(
            regions_through.objects.filter(
                commitment_id=OuterRef("pk"), region__m49__in=REGION_SUBTREE[area.m49]
            )
        )
        located[f"r{area.m49}"] = ExpressionWrapper(
            Q(countries__regex=countries_pattern(REGION_COUNTRIES[area.m49])) | Q(aimed),
            output_field=BooleanField(),
        )
    aggregates = {}
    for key in located:
        aggregates[f"{key}_p"] = Sum("resources_amount", filter=Q(**{key: True}))
        aggregates[f"{key}_m"] = Sum("mobilised", filter=Q(**{key: True}))
    rows = (
        _with_resources(commitments)
        .annotate(**located)
        .values("resources_currency")
        .annotate(**aggregates)
    )
    found = {}
    for row in rows:
        for area in TOP_REGIONS:
            key = f"r{area.m49}"
            found[(area.m49, row["resources_currency"])] = (row[f"{key}_p"], row[f"{key}_m"])
    return _money_rows(regions, found)


# Growth and totals -------------------------------------------------------------------------------


def growth(partners: QuerySet[Organization], commitments: QuerySet[Commitment]) -> list[dict]:
    """New partners (by year of approval) and new commitments (by year of first publication)
    each year, with the running totals."""
    new_partners = dict(
        partners.filter(approved_at__isnull=False)
        .order_by()
        .annotate(year=ExtractYear("approved_at"))
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    new_commitments = dict(
        commitments.filter(first_published_at__isnull=False)
        .order_by()
        .annotate(year=ExtractYear("first_published_at"))
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    rows, partners_total, commitments_total = [], 0, 0
    for year in sorted(set(new_partners) | set(new_commitments)):
        partners_total += new_partners.get(year, 0)
        commitments_total += new_commitments.get(year, 0)
        rows.append(
            {
                "year": year,
                "new_partners": new_partners.get(year, 0),
                "new_commitments": new_commitments.get(year, 0),
                "partners": partners_total,
                "commitments": commitments_total,
            }
        )
    return rows


def totals(partners: QuerySet[Organization], commitments: QuerySet[Commitment]) -> dict:
    commitment_counts = commitments.order_by().aggregate(
        commitments=Count("pk", distinct=True),
        deliverables=Count("deliverables"),
    )
    return {
        "partners": partners.order_by().count(),
        "commitments": commitment_counts["commitments"],
        "deliverables": commitment_counts["deliverables"],
    }


# The map -----------------------------------------------------------------------------------------


def commitments_by_country(commitments: QuerySet[Commitment]) -> dict[str, int]:
    """For each country, the number of these commitments that the browser's `country` filter
    finds there: national action in the country, or action in a region that contains it.

    One query: the commitments' own countries and their regions' countries unnested (a
    CountryField(multiple) is stored "KE,TZ"), counted once per commitment and country.
    """
    if connection.vendor != "postgresql":
        return _commitments_by_country_without_arrays(commitments)
    ids_sql, params = _ids_sql(commitments)
    commitment_table = Commitment._meta.db_table
    regions_table = Commitment.regions.through._meta.db_table
    region_table = Commitment.regions.field.related_model._meta.db_table
    sql = f"""
        SELECT code, COUNT(DISTINCT id) FROM (
            SELECT c.id, unnest(string_to_array(c.countries, ',')) AS code
            FROM {commitment_table} c WHERE c.id IN ({ids_sql})
            UNION ALL
            SELECT cr.commitment_id, unnest(string_to_array(r.countries, ','))
            FROM {regions_table} cr JOIN {region_table} r ON r.id = cr.region_id
            WHERE cr.commitment_id IN ({ids_sql})
        ) AS located WHERE code <> '' GROUP BY code
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params])
        return dict(cursor.fetchall())


def _commitments_by_country_without_arrays(commitments: QuerySet[Commitment]) -> dict[str, int]:
    """The same figures for the demo's SQLite, which cannot unnest: counted in Python over the
    (small) demo data."""
    located = defaultdict(set)
    rows = list(commitments.order_by().values_list("pk", "countries"))
    through = Commitment.regions.through.objects.filter(commitment__in=commitments.values("pk"))
    rows += list(through.values_list("commitment_id", "region__countries"))
    for pk, codes in rows:
        for code in codes.split(",") if isinstance(codes, str) else codes or ():
            if code:
                located[str(code)].add(pk)
    return {code: len(ids) for code, ids in located.items()}


def partners_by_country(partners: QuerySet[Organization]) -> dict[str, int]:
    """Partners by country of headquarters."""
    return dict(
        partners.order_by().values("country").annotate(n=Count("pk")).values_list("country", "n")
    )


def by_country(partners: QuerySet[Organization], commitments: QuerySet[Commitment]) -> list:
    """Every country with a commitment or a partner, by name."""
    located = commitments_by_country(commitments)
    headquartered = partners_by_country(partners)
    rows = [
        {
            "code": code,
            "label": str(countries.name(code)) or code,
            "commitments": located.get(code, 0),
            "partners": headquartered.get(code, 0),
        }
        for code in set(located) | set(headquartered)
        if code
    ]
    return sorted(rows, key=lambda row: row["label"])


# Everything --------------------------------------------------------------------------------------


def compute(
    *,
    partners: QuerySet[Organization],
    commitments: QuerySet[Commitment],
    today: date | None = None,
) -> dict:
    """Every figure, by slug, plus `totals`, `growth` and `countries`.

    On PostgreSQL the filtered commitments are first written to a temporary table, so that the
    filters (full-text search, filter keys, reporting status...) run once and not in each of
    the 18 queries: at 100k commitments a filter costs 150 to 550 ms (bench/dashboard-report.md)."""
    today = today or timezone.localdate()
    if connection.vendor != "postgresql":
        return _compute(partners, commitments, today)
    table = f"stats_ids_{uuid.uuid4().hex[:16]}"
    ids_sql, params = commitments.order_by().values("pk").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # ON COMMIT DROP, and dropped at once too: a test's transaction never commits.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS "
            f"SELECT ids.id FROM ({ids_sql}) AS ids (id)",
            params,
        )
        few = 0 <= cursor.rowcount < FEW_COMMITMENTS
        cursor.execute(f"ANALYZE {table}")  # the planner's row estimate: hash or index join
        if few:
            # For these queries only: with PostgreSQL's default cost of a random page read (4,
            # a spinning disk's) the planner scans all 200,000 deliverables rather than look up
            # a filtered set's few thousand by index (38 ms against 5 at 100k commitments).
            # Not for large sets: the sums' subqueries then took three times as long.
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        narrowed = Commitment.objects.filter(pk__in=RawSQL(f"SELECT {table}.id FROM {table}", ()))
        narrowed.ids_table = table  # read by _ids_sql and _in
        figures = _compute(partners, narrowed, today)
        cursor.execute(f"DROP TABLE {table}")
    return figures


def _compute(partners: QuerySet, commitments: QuerySet, today: date) -> dict:
    # From the codes kept on the rows, or (None) through the link tables.
    tags, sums = None, None
    if use_arrays():
        tags, sums = tag_counts(commitments), resource_sums(commitments)
    return {
        "totals": totals(partners, commitments),
        "partners_by_constituency": partners_by_constituency(partners),
        "partners_by_region": partners_by_region(partners),
        "commitments_by_thematic_area": commitments_by_thematic_area(commitments, tags=tags),
        "commitments_by_priority": commitments_by_priority(commitments, tags=tags),
        "commitments_by_sdg": commitments_by_sdg(commitments, tags=tags),
        "commitments_by_level": commitments_by_level(commitments),
        "commitments_by_year": commitments_by_year(commitments),
        "deliverables_by_status": deliverables_by_status(commitments),
        "commitments_by_reporting_status": commitments_by_reporting_status(
            commitments, today=today
        ),
        "resources_by_thematic_area": resources_by_thematic_area(commitments, sums=sums),
        "resources_by_region": resources_by_region(commitments, sums=sums),
        "resources_by_constituency": resources_by_constituency(commitments, sums=sums),
        "growth": growth(partners, commitments),
        "countries": by_country(partners, commitments),
    }


def cache_key(key_parts: tuple) -> str:
    digest = hashlib.blake2b(repr(key_parts).encode(), digest_size=16).hexdigest()
    return f"stats:{get_language()}:{digest}"


def cached(key_parts: tuple, build) -> dict:
    """`build()`'s figures, from the cache when the same ones were asked for recently."""
    if CACHE_SECONDS <= 0:
        return build()
    key = cache_key(key_parts)
    figures = cache.get(key)
    if figures is None:
        figures = build()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def long_rows(figures: dict) -> list[dict]:
    """Every figure as rows of one table (figure, code, label, value, currency): the CSV form of
    the API's answer."""
    rows = [
        {
            "figure": spec.slug,
            **row,
            "currency": row.get("currency", ""),
            "mobilised": row.get("mobilised", ""),
        }
        for spec in FIGURES
        for row in figures[spec.slug]
    ]
    for row in figures["countries"]:
        for measure in ("commitments", "partners"):
            rows.append(
                {
                    "figure": f"{measure}_by_country",
                    "code": row["code"],
                    "label": row["label"],
                    "value": row[measure],
                    "currency": "",
                    "mobilised": "",
                }
            )
    return rows


# The summary table -------------------------------------------------------------------------------
#
# A row per unfiltered view: "dashboard" (also the API's answer without filters) and
# "report:<year>". Its figures hold codes and numbers; its labels the names of the categories in
# each language, so that one row serves the three languages and a page reads exactly one row.

DASHBOARD_KEY = "dashboard"
SUMMARY_STALE = "stats:summary-stale"  # set on commit of a change; consumed by the refresh
SUMMARY_LOCK = "stats:summary-refreshing"
# The refresh runs every minute and recomputes when something changed; past this age it
# recomputes anyway (changes made without a signal, e.g. queryset updates; the reporting status
# moving with the date).
SUMMARY_MAX_AGE = timedelta(minutes=10)

# The vocabulary that names the categories of each figure (years are their own labels).
LABEL_KINDS = {
    "partners_by_constituency": "constituency",
    "resources_by_constituency": "constituency",
    "partners_by_region": "region",
    "resources_by_region": "region",
    "commitments_by_thematic_area": "thematic_area",
    "resources_by_thematic_area": "thematic_area",
    "commitments_by_priority": "priority",
    "commitments_by_sdg": "sdg",
    "commitments_by_level": "level",
    "deliverables_by_status": "deliverable_status",
    "deliverables_due": "deliverable_status",
    "commitments_by_reporting_status": "reporting_status",
    "countries": "country",
}


def report_key(year: int) -> str:
    return f"report:{year}"


def _labels(figures: dict) -> dict[str, dict[str, str]]:
    """The names of the categories of these figures in the active language."""
    return {
        "constituency": {term.code: term.name for term in Constituency.objects.all()},
        "thematic_area": {term.code: term.name for term in ThematicArea.objects.all()},
        "priority": {term.code: term.name for term in Priority.objects.all()},
        "sdg": {
            str(goal.number): f"{goal.number}. {goal.name}"
            for goal in SustainableDevelopmentGoal.objects.all()
        },
        "region": {area.m49: _name(area) for area in TOP_REGIONS},
        "level": {level.value: str(level.label) for level in Level},
        "deliverable_status": {s.value: str(s.label) for s in Deliverable.Status},
        "reporting_status": {s.value: str(s.label) for s in ReportingStatus},
        "country": {
            row["code"]: str(countries.name(row["code"])) or row["code"]
            for row in figures.get("countries", [])
        },
    }


def _labelled(figures: dict, labels: dict) -> dict:
    """The stored figures named in the active language, amounts back to Decimal."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    names = labels.get(language) or labels.get("en") or {}
    for slug, kind in LABEL_KINDS.items():
        for row in figures.get(slug, []):
            row["label"] = names.get(kind, {}).get(row["code"], row["label"])
    for spec in FIGURES:
        if spec.money:
            for row in figures[spec.slug]:
                row["value"], row["mobilised"] = Decimal(row["value"]), Decimal(row["mobilised"])
    figures["countries"].sort(key=lambda row: row["label"])
    return figures


def _build(key: str) -> dict:
    from secretariat import dashboard

    if key == DASHBOARD_KEY:
        _filterset, partners, commitments = dashboard.filter_querysets({})
        return compute(partners=partners, commitments=commitments)
    return dashboard.report_figures(int(key.removeprefix("report:")))


def store_summary(key: str) -> DashboardSummary:
    """Computes the figures of `key` and writes its row (safe to run twice: the last wins)."""
    figures = _build(key)
    labels = {}
    for language, _language_name in settings.LANGUAGES:
        with translation.override(language):
            labels[language] = _labels(figures)
    summary, _created = DashboardSummary.objects.update_or_create(
        key=key,
        defaults={"figures": figures, "labels": labels, "computed_at": timezone.now()},
    )
    return summary


def summary(key: str) -> dict:
    """The stored figures of an unfiltered view, in one query; computed and stored first when
    there are none yet (the first visitor after an install waits, nobody after)."""
    fields = ("figures", "labels", "computed_at")
    row = DashboardSummary.objects.filter(key=key).values(*fields).first()
    if row is None:
        stored = store_summary(key)
        # Read back through JSON, as every later visitor will.
        row = DashboardSummary.objects.filter(pk=stored.pk).values(*fields).first()
    figures = _labelled(row["figures"], row["labels"])
    figures["computed_at"] = row["computed_at"]
    return figures


def summary_keys(*, today: date | None = None) -> list[str]:
    """The dashboard and the report of every year from the launch to this one (a bounded set:
    the years to come are computed when asked for)."""
    today = today or timezone.localdate()
    return [DASHBOARD_KEY] + [report_key(year) for year in range(FIRST_YEAR, today.year + 1)]


def mark_summary_stale() -> None:
    """Something the figures count changed: the next refresh (within a minute) recomputes. Set
    on commit, so that a refresh never runs before the change is visible; many changes set the
    same mark, so they cost one refresh."""
    transaction.on_commit(lambda: cache.set(SUMMARY_STALE, True, timeout=None))


@shared_task(
    name="secretariat.refresh_dashboard_summary",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def refresh_dashboard_summary(*, force: bool = False) -> int:
    """The scheduled job (every minute). After a change, recomputes the dashboard and this
    year's report; any row missing or older than SUMMARY_MAX_AGE is recomputed too (the past
    years' reports, which a change rarely touches, so within ten minutes); all when forced.
    Returns the number of rows written. Safe to run twice: a run that finds another under way
    does nothing (that one, or the next minute's, takes the change)."""
    if not cache.add(SUMMARY_LOCK, True, timeout=300):
        return 0
    try:
        # Taken before computing: a change committed while this run computes marks it again.
        changed = cache.delete(SUMMARY_STALE)
        today = timezone.localdate()
        keys = summary_keys(today=today)
        computed = dict(
            DashboardSummary.objects.filter(key__in=keys).values_list("key", "computed_at")
        )
        old = timezone.now() - SUMMARY_MAX_AGE
        touched = (DASHBOARD_KEY, report_key(today.year)) if changed else ()
        due = [
            key
            for key in keys
            if force or key in touched or computed.get(key) is None or computed[key] < old
        ]
        for key in due:
            store_summary(key)
        return len(due)
    finally:
        cache.delete(SUMMARY_LOCK)
