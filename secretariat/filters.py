"""The FilterSet of good practices, shared by the public list and (later) the API. Its
parameter names are the API's of DESIGN.md: `thematic_area`, `country`, `sdg`, `search`,
`updated_since`."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from coalition.filters import UpdatedSinceFilter
from coalition.models import SustainableDevelopmentGoal, ThematicArea
from commitments.filters import countries_pattern
from secretariat.models import GoodPractice
from secretariat.search import search_good_practices


class GoodPracticeFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    thematic_area = django_filters.ModelChoiceFilter(
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        field_name="thematic_areas",
        label=_("Thematic area"),
        empty_label=_("All thematic areas"),
    )
    country = django_filters.ChoiceFilter(
        choices=countries,
        method="filter_country",
        label=_("Country"),
        empty_label=_("All countries"),
    )
    sdg = django_filters.ModelChoiceFilter(
        queryset=SustainableDevelopmentGoal.objects.all(),
        to_field_name="number",
        field_name="sdgs",
        label=_("Sustainable Development Goal"),
        empty_label=_("All goals"),
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = GoodPractice
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        searched = "search_rank" in queryset.query.annotations
        default = ("-search_rank",) if searched else ()
        return queryset.order_by(*default, "-published_at", "-pk")

    def filter_search(self, queryset, name, value):
        return search_good_practices(queryset, value)

    def filter_country(self, queryset, name, code):
        return queryset.filter(countries__regex=countries_pattern([code]))
