"""The FilterSet of commitments, shared by the public browser, its CSV download and the API.

Its parameter names are the API's of DESIGN.md, so `?sdg=8&country=KE` means the same on the
page and in the API. Without `status` (or `updated_since`, which a sync client uses to learn
about withdrawals too), withdrawn commitments leave the listing.
"""

import re
from datetime import date

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from coalition.filters import UpdatedSinceFilter
from coalition.models import (
    Constituency,
    Priority,
    Region,
    SustainableDevelopmentGoal,
    ThematicArea,
)
from coalition.vocabularies import COUNTRY_REGIONS, REGION_COUNTRIES, REGION_SUBTREE
from commitments.models import (
    AREA,
    CODE_KEYS,
    FILTER_KEY_PREFIXES,
    Commitment,
    Level,
    ReportingStatus,
    filter_key,
)
from commitments.search import search_commitments
from partners.models import Organization

PUBLIC_STATUS_CHOICES = [
    (status.value, status.label)
    for status in (
        Commitment.Status.PUBLISHED,
        Commitment.Status.COMPLETED,
        Commitment.Status.WITHDRAWN,
    )
]


def countries_pattern(codes) -> str:
    """A regular expression matching a CountryField(multiple) value ("KE,TZ") that contains
    one of `codes` (two-letter codes never straddle a comma); works on PostgreSQL and SQLite."""
    alternatives = "|".join(re.escape(code) for code in codes) or "--"
    return rf"(^|,)({alternatives})(,|$)"


def use_filter_keys() -> bool:
    """PostgreSQL looks the vocabularies, regions and countries up in the GIN index of the keys
    kept on the commitment row (commitments.models.filter_keys_of): ~5 ms for theme, SDG and
    region at 100k commitments, where the many-to-many tables took 24 ms (bench/report.md).
    SQLite (the demo) tests the relations themselves."""
    return connection.vendor == "postgresql"


# relation of Commitment -> (its through table's column, the vocabulary model; None: the id is
# the code, as a goal's number)
TERM_RELATIONS = {
    "thematic_areas": ("thematicarea_id", ThematicArea),
    "priorities": ("priority_id", Priority),
    "sdgs": ("sustainabledevelopmentgoal_id", None),
}


def term_key(relation: str, code) -> str:
    return filter_key(FILTER_KEY_PREFIXES[relation], code)


def area_key(m49: str) -> str:
    return filter_key(AREA, m49)


def with_keys(queryset: QuerySet, keys: list[str]) -> QuerySet:
    """Commitments having every one of these filter keys (PostgreSQL): one GIN index lookup,
    however many keys."""
    return queryset.filter(filter_keys__contains=keys)


def with_term(queryset: QuerySet, relation: str, code) -> QuerySet:
    """Commitments tagged with a vocabulary term: `code` of a thematic area or a priority, or a
    goal's number."""
    if use_filter_keys():
        return with_keys(queryset, [term_key(relation, code)])
    column, vocabulary = TERM_RELATIONS[relation]
    through = getattr(Commitment, relation).through
    if vocabulary is not None:
        code = Subquery(vocabulary.objects.filter(code=code).values("id")[:1])
    return queryset.filter(
        Exists(through.objects.filter(commitment_id=OuterRef("pk"), **{column: code}))
    )


def in_region(queryset: QuerySet, m49: str) -> QuerySet:
    """In a region: aimed at it or at an area within it, or at one of its countries (the M49
    tree is in coalition.vocabularies)."""
    if use_filter_keys():
        return with_keys(queryset, [area_key(m49)])
    regions = Region.objects.filter(m49__in=REGION_SUBTREE[m49]).values("id")
    aimed = Commitment.regions.through.objects.filter(
        commitment_id=OuterRef("pk"), region_id__in=regions
    )
    return queryset.filter(
        Exists(aimed) | Q(countries__regex=countries_pattern(REGION_COUNTRIES[m49]))
    )


def in_country(queryset: QuerySet, code: str) -> QuerySet:
    """In a country: national action there, or regional action in a region containing it."""
    if use_filter_keys():
        return queryset.filter(
            Q(country_codes__contains=[code])
            | Q(region_codes__overlap=COUNTRY_REGIONS.get(code, []))
        )
    pattern = countries_pattern([code])
    regional = Commitment.regions.through.objects.filter(
        commitment_id=OuterRef("pk"), region__countries__regex=pattern
    )
    return queryset.filter(Q(countries__regex=pattern) | Exists(regional))


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class CommitmentOrderingFilter(django_filters.OrderingFilter):
    """The usual `ordering=title,-published_at`, plus `relevance` for a search, and the id as
    the last key so that pages never skip or repeat a row."""

    RELEVANCE = "relevance"

    def build_choices(self, fields, labels):
        return [(self.RELEVANCE, _("Relevance")), *super().build_choices(fields, labels)]

    def get_ordering_value(self, param):
        if param == self.RELEVANCE:
            return "-search_rank"
        return super().get_ordering_value(param)

    def filter(self, qs, value):
        if not value:
            return qs
        searched = "search_rank" in qs.query.annotations
        ordering = [
            self.get_ordering_value(param) for param in value if param != self.RELEVANCE or searched
        ]
        return qs.order_by(*ordering, "-pk") if ordering else qs


class CommitmentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    thematic_area = django_filters.ModelChoiceFilter(
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        field_name="thematic_areas",
        method="filter_term",
        label=_("Thematic area"),
        empty_label=_("All thematic areas"),
    )
    priority = django_filters.ModelChoiceFilter(
        queryset=Priority.objects.all(),
        to_field_name="code",
        field_name="priorities",
        method="filter_term",
        label=_("Initial priority"),
        empty_label=_("All priorities"),
    )
    sdg = django_filters.ModelChoiceFilter(
        queryset=SustainableDevelopmentGoal.objects.all(),
        to_field_name="number",
        field_name="sdgs",
        method="filter_term",
        label=_("Sustainable Development Goal"),
        empty_label=_("All goals"),
    )
    constituency = django_filters.ModelChoiceFilter(
        queryset=Constituency.objects.all(),
        to_field_name="code",
        field_name="lead_organization__constituency",
        label=_("Constituency of the lead partner"),
        empty_label=_("All constituencies"),
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        to_field_name="m49",
        method="filter_region",
        label=_("Region"),
        empty_label=_("All regions"),
    )
    country = django_filters.ChoiceFilter(
        choices=countries,
        method="filter_country",
        label=_("Country"),
        empty_label=_("All countries"),
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("Level of action"), empty_label=_("All levels")
    )
    status = django_filters.ChoiceFilter(
        choices=PUBLIC_STATUS_CHOICES,
        label=_("Status"),
        empty_label=_("Published and completed"),
    )
    year = IntegerFilter(
        method="filter_year", label=_("Running in year"), min_value=1990, max_value=2100
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.public(),
        method="filter_partner",
        label=_("Partner"),
        empty_label=_("All partners"),
    )
    reporting_status = django_filters.ChoiceFilter(
        choices=ReportingStatus.choices,
        method="filter_reporting_status",
        label=_("Reporting status"),
        empty_label=_("Any reporting status"),
    )
    updated_since = UpdatedSinceFilter()
    ordering = CommitmentOrderingFilter(
        fields=(
            ("published_at", "published_at"),
            ("title", "title"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "published_at": _("Date published"),
            "title": _("Title"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
            "updated_at": _("Last change"),
        },
        label=_("Sort by"),
        empty_label=_("Default (relevance, then newest)"),
    )

    class Meta:
        model = Commitment
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not data.get("status") and not data.get("updated_since"):
            queryset = queryset.exclude(status=Commitment.Status.WITHDRAWN)
        queryset = super().filter_queryset(queryset)
        if not data.get("ordering"):
            searched = "search_rank" in queryset.query.annotations
            default = ("-search_rank",) if searched else ()
            queryset = queryset.order_by(*default, "-published_at", "-pk")
        return queryset

    def filter_search(self, queryset, name, value):
        return search_commitments(queryset, value)

    def filter_term(self, queryset, name, term):
        return with_term(queryset, name, getattr(term, CODE_KEYS[name]))

    def filter_region(self, queryset, name, region):
        return in_region(queryset, region.m49)

    def filter_country(self, queryset, name, code):
        return in_country(queryset, code)

    def filter_year(self, queryset, name, year):
        return queryset.filter(start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1))

    def filter_partner(self, queryset, name, organization):
        return queryset.involving(organization)

    def filter_reporting_status(self, queryset, name, value):
        if "reporting_status" not in queryset.query.annotations:
            queryset = queryset.with_reporting_status()
        return queryset.filter(reporting_status=value)
