"""FilterSets of the Forum's lists, shared by the pages and the API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coalition.filters import UpdatedSinceFilter
from coalition.models import ThematicArea
from forum import selectors
from forum.models import ForumEdition, Post, Session, Thread


class SessionFilter(django_filters.FilterSet):
    """The programme. Give `edition` to offer its days as a list to choose from."""

    day = django_filters.DateFilter(method="filter_day", label=_("Day"))
    thematic_area = django_filters.ModelChoiceFilter(
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        label=_("Thematic area"),
        empty_label=_("All thematic areas"),
    )
    edition = django_filters.NumberFilter(field_name="edition__year", label=_("Edition (year)"))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Session
        fields = ["day", "thematic_area", "edition"]

    def __init__(self, *args, edition: ForumEdition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        if edition is not None:
            days = [
                (day.isoformat(), date_format(day, "l j F"))
                for day in selectors.edition_days(edition)
            ]
            self.filters["day"].extra["widget"] = forms.Select(choices=[("", _("All days")), *days])

    def filter_day(self, queryset, name, day):
        # A day of the programme is a day where the Forum takes place, in its own time zone.
        if self.edition is not None:
            editions = [self.edition]
        else:
            editions = ForumEdition.objects.filter(starts_on__lte=day, ends_on__gte=day)
        condition = Q(pk__in=[])
        for edition in editions:
            start, end = selectors.day_bounds(edition, day)
            condition |= Q(edition=edition, starts_at__gte=start, starts_at__lt=end)
        return queryset.filter(condition)


class ThreadFilter(django_filters.FilterSet):
    thematic_area = django_filters.ModelChoiceFilter(
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        label=_("Thematic area"),
        empty_label=_("All thematic areas"),
    )
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Thread
        fields = ["thematic_area", "search"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            in_posts = Post.objects.visible().filter(thread=OuterRef("pk"), body__icontains=word)
            queryset = queryset.filter(Q(title__icontains=word) | Exists(in_posts))
        return queryset
