"""The figures of the dashboard and of `/api/v1/stats/`: counts and sums by vocabulary, computed
by aggregate queries in PostgreSQL (GROUP BY, COUNT ... FILTER, SUM), never by loading rows.

Every function takes the querysets of what is counted, already filtered by the caller with the
commitments browser's FilterSet (the page) or the API's (the endpoint), so that a figure and the
filtered list it links to always agree. Results are plain dicts of codes, labels and numbers:
the page draws them, the API serializes them, the CSV downloads write them.

The figures of one request are cached for `STATS_CACHE_SECONDS` (default 60), keyed by the
language and the filters: they change slowly and the same page is asked for many times.
"""

import hashlib
import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from coalition import vocabularies
from coalition.api import REGION_COUNTRIES
from coalition.models import Constituency, Priority, SustainableDevelopmentGoal, ThematicArea
from commitments.models import Commitment, Deliverable, Level, ReportingStatus
from partners.models import Organization

CACHE_SECONDS = getattr(settings, "STATS_CACHE_SECONDS", 60)
# The unfiltered figures (the dashboard's first view, the API without filters) are computed by
# `warm_dashboard` every 5 minutes and kept 15: at 100k commitments computing them takes seconds,
# and no visitor should wait for that.
WARM_SECONDS = 15 * 60
UNFILTERED_KEYS = (("dashboard", []), ("api", []))

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
        _("Resources pledged by thematic area"),
        _("Amount pledged"),
        money=True,
    ),
    FigureSpec(
        "resources_by_region", _("Resources pledged by region"), _("Amount pledged"), money=True
    ),
    FigureSpec(
        "resources_by_constituency",
        _("Resources pledged by constituency of the lead partner"),
        _("Amount pledged"),
        money=True,
    ),
)
FIGURES_BY_SLUG = {figure.slug: figure for figure in FIGURES}


def _name(term) -> str:
    return getattr(term, f"name_{(get_language() or 'en')[:2]}", None) or term.name_en


def _row(code, label, value) -> dict:
    return {"code": str(code), "label": str(label), "value": value}


def _in(queryset: QuerySet, field: str = "pk") -> Q:
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


def commitments_by_thematic_area(commitments: QuerySet[Commitment]) -> list[dict]:
    rows = ThematicArea.objects.annotate(
        n=Count("commitments", filter=_in(commitments, "commitments__pk"))
    )
    return [_row(row.code, row.name, row.n) for row in rows]


def commitments_by_priority(commitments: QuerySet[Commitment]) -> list[dict]:
    rows = Priority.objects.annotate(
        n=Count("commitments", filter=_in(commitments, "commitments__pk"))
    )
    return [_row(row.code, row.name, row.n) for row in rows]


def commitments_by_sdg(commitments: QuerySet[Commitment]) -> list[dict]:
    rows = SustainableDevelopmentGoal.objects.annotate(
        n=Count("commitments", filter=_in(commitments, "commitments__pk"))
    )
    return [
        {**_row(row.number, f"{row.number}. {row.name}", row.n), "colour": row.colour}
        for row in rows
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


def _money_rows(groups: list[tuple[str, str]], sums: dict[tuple[str, str], Decimal]) -> list:
    currencies = sorted({currency for _code, currency in sums})
    rows = []
    for code, label in groups:
        for currency in currencies:
            amount = sums.get((code, currency))
            if amount:
                rows.append({**_row(code, label, amount), "currency": currency})
    return rows


def _pledged(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return Commitment.objects.filter(_in(commitments), resources_amount__gt=0).exclude(
        resources_currency=""
    )


def resources_by_thematic_area(commitments: QuerySet[Commitment]) -> list[dict]:
    """A commitment on two thematic areas counts its whole amount in each of them."""
    rows = (
        _pledged(commitments)
        .order_by()
        .values("thematic_areas__code", "resources_currency")
        .annotate(amount=Sum("resources_amount"))
    )
    sums = {(r["thematic_areas__code"], r["resources_currency"]): r["amount"] for r in rows}
    groups = [(term.code, _name(term)) for term in vocabularies.THEMATIC_AREAS]
    return _money_rows(groups, sums)


def resources_by_constituency(commitments: QuerySet[Commitment]) -> list[dict]:
    rows = (
        _pledged(commitments)
        .order_by()
        .values("lead_organization__constituency__code", "resources_currency")
        .annotate(amount=Sum("resources_amount"))
    )
    sums = {
        (r["lead_organization__constituency__code"], r["resources_currency"]): r["amount"]
        for r in rows
    }
    groups = [(term.code, _name(term)) for term in vocabularies.CONSTITUENCIES]
    return _money_rows(groups, sums)


def _in_countries(codes) -> RawSQL | ExpressionWrapper:
    """True where a commitment works in one of these countries (stored as "KE,TZ,UG")."""
    if connection.vendor == "postgresql":
        return RawSQL(
            f"string_to_array({Commitment._meta.db_table}.countries, ',') && %s::text[]",
            (list(codes),),
            output_field=BooleanField(),
        )
    # The demo's SQLite has no arrays; two-letter codes never straddle a comma.
    return ExpressionWrapper(
        reduce(operator.or_, (Q(countries__contains=code) for code in codes), Q(pk__in=[])),
        output_field=BooleanField(),
    )


def resources_by_region(commitments: QuerySet[Commitment]) -> list[dict]:
    """In a region as the commitments browser's `region` filter has it: aimed at the region or
    an area within it, or at one of its countries. Global commitments are in none.

    The countries are matched by array overlap (`&&`), which PostgreSQL does far faster than
    the filter's regular expression (1.7 s against 2.5 s at 100k commitments)."""
    from coalition.api import REGION_SUBTREE

    regions_through = Commitment.regions.through
    aggregates, located = {}, {}
    for area in TOP_REGIONS:
        key = f"r{area.m49}"
        located[key] = _in_countries(REGION_COUNTRIES[area.m49])
        aimed = Exists(
            regions_through.objects.filter(
                commitment_id=OuterRef("pk"), region__m49__in=REGION_SUBTREE[area.m49]
            )
        )
        aggregates[key] = Sum("resources_amount", filter=Q(**{f"{key}_c": True}) | Q(aimed))
    rows = (
        _pledged(commitments)
        .order_by()
        .annotate(**{f"{key}_c": expression for key, expression in located.items()})
        .values("resources_currency")
        .annotate(**aggregates)
    )
    sums = {
        (area.m49, row["resources_currency"]): row[f"r{area.m49}"]
        for row in rows
        for area in TOP_REGIONS
    }
    return _money_rows([(area.m49, _name(area)) for area in TOP_REGIONS], sums)


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
    ids_sql, params = commitments.order_by().values("pk").query.sql_with_params()
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
    """Every figure, by slug, plus `totals`, `growth` and `countries`."""
    today = today or timezone.localdate()
    return {
        "totals": totals(partners, commitments),
        "partners_by_constituency": partners_by_constituency(partners),
        "partners_by_region": partners_by_region(partners),
        "commitments_by_thematic_area": commitments_by_thematic_area(commitments),
        "commitments_by_priority": commitments_by_priority(commitments),
        "commitments_by_sdg": commitments_by_sdg(commitments),
        "commitments_by_level": commitments_by_level(commitments),
        "commitments_by_year": commitments_by_year(commitments),
        "deliverables_by_status": deliverables_by_status(commitments),
        "commitments_by_reporting_status": commitments_by_reporting_status(
            commitments, today=today
        ),
        "resources_by_thematic_area": resources_by_thematic_area(commitments),
        "resources_by_region": resources_by_region(commitments),
        "resources_by_constituency": resources_by_constituency(commitments),
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
        {"figure": spec.slug, **row, "currency": row.get("currency", "")}
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
                }
            )
    return rows


@shared_task(name="secretariat.warm_dashboard", acks_late=True, soft_time_limit=240, time_limit=300)
def warm_dashboard() -> None:
    """Computes the unfiltered figures in each language and caches them (safe to run twice)."""
    from secretariat.dashboard import filter_querysets

    for language, _language_name in settings.LANGUAGES:
        with translation.override(language):
            _filterset, partners, commitments = filter_querysets({})
            figures = compute(partners=partners, commitments=commitments)
            for key_parts in UNFILTERED_KEYS:
                cache.set(cache_key(key_parts), figures, WARM_SECONDS)
