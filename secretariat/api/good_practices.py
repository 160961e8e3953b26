"""Good practices in the API: read-only (partners share them on the website, the Secretariat
publishes them there). Published practices are public; drafts, submitted and returned ones are
never shown. A practice that was published and left public view comes in a sync (`updated_since`)
as `{"id", "public": false, "updated_at"}`."""

from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view

from coalition import vocabularies
from coalition.api import (
    COUNTRY_CODES,
    CodeFilter,
    KeysetListMixin,
    LastChange,
    LeanFilterSetMixin,
    OrderingKey,
    RelatedJsonList,
    ResourceViewSet,
    RowRetrieveMixin,
    csv_columns_of,
    raw_json,
    related_column,
    vocabulary_filters,
)
from coalition.filters import UpdatedSinceFilter
from coalition.models import ThematicArea
from commitments.filters import IntegerFilter, countries_pattern
from partners.models import Organization
from secretariat import selectors
from secretariat.api import serializers
from secretariat.filters import GoodPracticeFilter
from secretariat.models import GoodPractice

GoodPracticeListItem = PolymorphicProxySerializer(
    component_name="GoodPracticeListItem",
    serializers=[serializers.GoodPracticeSerializer, serializers.GoodPracticeRemovedSerializer],
    resource_type_field_name=None,
)


class GoodPracticeApiFilter(LeanFilterSetMixin, GoodPracticeFilter):
    """The public list's FilterSet (thematic_area, country, sdg, search, updated_since), its
    vocabulary filters checking codes in memory; the order is the API's `ordering`."""

    thematic_area = CodeFilter(
        codes=[term.code for term in vocabularies.THEMATIC_AREAS],
        method="filter_thematic_area",
        label=_("Thematic area"),
    )
    country = CodeFilter(codes=COUNTRY_CODES, method="filter_country", label=_("Country"))
    sdg = IntegerFilter(
        method="filter_sdg", min_value=1, max_value=17, label=_("Sustainable Development Goal")
    )
    updated_since = UpdatedSinceFilter()

    def filter_queryset(self, queryset):
        # The website's order (rank, newest) is not the API's: pages follow `ordering`.
        for name, value in self.form.cleaned_data.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_thematic_area(self, queryset, name, code):
        through = GoodPractice.thematic_areas.through.objects.filter(
            goodpractice_id=OuterRef("pk"), thematicarea__code=code
        )
        return queryset.filter(Exists(through))

    def filter_sdg(self, queryset, name, number):
        through = GoodPractice.sdgs.through.objects.filter(
            goodpractice_id=OuterRef("pk"), sustainabledevelopmentgoal_id=number
        )
        return queryset.filter(Exists(through))

    def filter_country(self, queryset, name, code):
        return queryset.filter(countries__regex=countries_pattern([code]))


def _codes(relation: str, join_model, column: str, key: str) -> RelatedJsonList:
    through = getattr(GoodPractice, relation).through._meta.db_table
    table = join_model._meta.db_table
    return RelatedJsonList(
        value=f"v.{key}",
        source=f"{through} x JOIN {table} v ON v.id = x.{column}",
        where="x.goodpractice_id = {outer}.id",
        order=f"v.{key}",
    )


def _public() -> QuerySet[GoodPractice]:
    """The website's public list: published practices only. Its prefetches serve model
    instances; a `.values()` page needs none."""
    return selectors.good_practice_list_public().select_related(None).prefetch_related(None)


def project(queryset):
    """The columns of a practice's representation, its codes gathered in the same query."""
    return queryset.values(
        "id",
        "title",
        "summary",
        "what_worked",
        "results",
        "countries",
        "language",
        "status",
        "published_at",
        "created_at",
        "updated_at",
        organization_ref=F("organization_id"),
        organization_name=related_column(Organization, "organization_id", "name"),
        organization_acronym=related_column(Organization, "organization_id", "acronym"),
        theme_codes=_codes("thematic_areas", ThematicArea, "thematicarea_id", "code"),
        # A goal's id is its number: no join to the goals' table.
        sdg_numbers=RelatedJsonList(
            value="x.sustainabledevelopmentgoal_id",
            source=f"{GoodPractice.sdgs.through._meta.db_table} x",
            where="x.goodpractice_id = {outer}.id",
            order="x.sustainabledevelopmentgoal_id",
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary="List good practices",
        description=(
            "Published good practices. With `updated_since`, also those that left public view "
            "since then, as `public: false` records to remove."
        ),
        responses=GoodPracticeListItem,
        parameters=vocabulary_filters("thematic_area", "sdg", "country"),
    ),
    retrieve=extend_schema(
        summary="Read a good practice", responses=serializers.GoodPracticeSerializer
    ),
)
class GoodPracticeViewSet(KeysetListMixin, RowRetrieveMixin, ResourceViewSet):
    """Good practices partners shared and the Secretariat published."""

    filterset_class = GoodPracticeApiFilter
    serializer_class = serializers.GoodPracticeSerializer
    csv_columns = csv_columns_of(serializers.GoodPracticeSerializer())
    queryset = GoodPractice.objects.none()  # for the schema's path parameter type
    orderings = {
        **ResourceViewSet.orderings,
        "published_at": OrderingKey("published_at", datetime),
    }

    def get_queryset(self) -> QuerySet[GoodPractice]:
        if self.is_sync:
            return selectors.good_practice_list_for_sync()
        return _public()

    def project(self, queryset):
        return project(queryset)

    def represent(self, row: dict) -> dict:
        if not hasattr(self, "_web_url"):
            with translation.override(None):
                url = self.request.build_absolute_uri(reverse("good_practices:detail", args=[0]))
            self._web_url = url.removesuffix("0/")
        if row["status"] != GoodPractice.Status.PUBLISHED:
            return {"id": row["id"], "public": False, "updated_at": row["updated_at"]}
        return {
            "id": row["id"],
            "public": True,
            "title": row["title"],
            "summary": row["summary"],
            "what_worked": row["what_worked"],
            "results": row["results"],
            "organization": {
                "id": row["organization_ref"],
                "name": row["organization_name"],
                "acronym": row["organization_acronym"],
            },
            "countries": row["countries"].split(",") if row["countries"] else [],
            "thematic_areas": raw_json(row["theme_codes"]),
            "sdgs": raw_json(row["sdg_numbers"]),
            "language": row["language"],
            "published_at": row["published_at"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "web_url": f"{self._web_url}{row['id']}/",
        }

    def last_changed_expression(self):
        return LastChange(GoodPractice)

    def retrieve(self, request, *args, **kwargs):
        return self.represented(_public().filter(pk=int(kwargs["pk"])))
