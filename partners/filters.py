"""The FilterSet of partners, shared by the directory page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from coalition.filters import UpdatedSinceFilter
from coalition.models import Constituency, Region
from partners.models import Organization
from partners.selectors import organizations_in_region


class OrganizationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    constituency = django_filters.ModelChoiceFilter(
        queryset=Constituency.objects.all(),
        to_field_name="code",
        label=_("Constituency"),
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
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Organization
        fields = ["search", "constituency", "region", "country"]

    def filter_search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(acronym__icontains=word)
                | Q(description__icontains=word)
            )
        return queryset

    def filter_region(self, queryset, name, region):
        return organizations_in_region(queryset, region.m49)

    def filter_country(self, queryset, name, code):
        # Countries of operation are stored as "KE,TZ,UG": two-letter codes never straddle a comma.
        return queryset.filter(Q(country=code) | Q(countries__contains=code))
