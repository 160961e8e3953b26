"""The Forum in the API: read-only. Published editions and their sessions are public; an
unpublished edition and its programme are never shown (the Secretariat previews them on the
website), except as `public: false` records in a sync when they were published before, so that
a client removes its copy. Registrations and participants are not part of the API."""

from datetime import date, datetime

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from coalition import vocabularies
from coalition.api import (
    CodeFilter,
    KeysetListMixin,
    LastChange,
    LeanFilterSetMixin,
    OrderingKey,
    ResourceViewSet,
    RowRetrieveMixin,
    csv_columns_of,
    vocabulary_filters,
)
from coalition.filters import UpdatedSinceFilter
from commitments.filters import IntegerFilter
from forum import selectors
from forum.api import serializers
from forum.filters import SessionFilter
from forum.models import ForumEdition, Session


class SessionApiFilter(LeanFilterSetMixin, SessionFilter):
    """The programme's FilterSet (day, thematic_area, edition, updated_since), its thematic
    area checked in memory rather than with a query and a list of choices per request."""

    thematic_area = CodeFilter(
        codes=[term.code for term in vocabularies.THEMATIC_AREAS],
        field_name="thematic_area__code",
        label=_("Thematic area"),
    )
    edition = IntegerFilter(
        field_name="edition__year", min_value=1, max_value=32767, label=_("Edition (year)")
    )
    updated_since = UpdatedSinceFilter()


class ForumEditionApiFilter(LeanFilterSetMixin, django_filters.FilterSet):
    """`updated_since` only: there are a few editions, one a year."""

    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ForumEdition
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List Forum editions",
        description=(
            "Published editions of the annual Forum of the Coalition. With `updated_since`, "
            "also the editions unpublished since then, as `public: false` records to remove."
        ),
        responses=serializers.ForumEditionListItem,
    ),
    retrieve=extend_schema(
        summary="Read a Forum edition", responses=serializers.ForumEditionSerializer
    ),
)
class ForumEditionViewSet(KeysetListMixin, RowRetrieveMixin, ResourceViewSet):
    """Editions of the annual Forum."""

    filterset_class = ForumEditionApiFilter
    serializer_class = serializers.ForumEditionSerializer
    csv_columns = csv_columns_of(serializers.ForumEditionSerializer())
    queryset = ForumEdition.objects.none()  # for the schema's path parameter type
    orderings = {
        **ResourceViewSet.orderings,
        "year": OrderingKey("year", int),
        "starts_on": OrderingKey("starts_on", date),
    }

    def get_queryset(self) -> QuerySet[ForumEdition]:
        if self.is_sync:
            return ForumEdition.objects.ever_published()
        return selectors.edition_list_public()

    def project(self, queryset):
        return serializers.project_editions(queryset)

    def represent(self, row: dict) -> dict:
        if not hasattr(self, "_representer"):
            self._representer = serializers.EditionRepresenter(self.request)
        return self._representer(row)

    def last_changed_expression(self):
        return LastChange(ForumEdition)

    def retrieve(self, request, *args, **kwargs):
        return self.represented(selectors.edition_list_public().filter(pk=int(kwargs["pk"])))


@extend_schema_view(
    list=extend_schema(
        summary="List Forum sessions",
        description=(
            "The programme of the published editions. With `updated_since`, also the sessions "
            "of editions unpublished since then, as `public: false` records to remove."
        ),
        responses=serializers.SessionListItem,
        parameters=[
            *vocabulary_filters("thematic_area"),
            OpenApiParameter(
                "edition",
                {"type": "integer", "minimum": 1, "maximum": 32767},
                description="Year of the edition.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="Read a Forum session", responses=serializers.SessionSerializer),
)
class SessionViewSet(KeysetListMixin, RowRetrieveMixin, ResourceViewSet):
    """Sessions of the Forum's programme: plenaries, panels, workshops."""

    filterset_class = SessionApiFilter
    serializer_class = serializers.SessionSerializer
    csv_columns = csv_columns_of(serializers.SessionSerializer())
    queryset = Session.objects.none()  # for the schema's path parameter type
    orderings = {
        **ResourceViewSet.orderings,
        "starts_at": OrderingKey("starts_at", datetime),
    }

    def get_queryset(self) -> QuerySet[Session]:
        if self.is_sync:
            return Session.objects.ever_public()
        # The selector's prefetches serve model instances; a `.values()` page needs none.
        return selectors.session_list_public().select_related(None).prefetch_related(None)

    def project(self, queryset):
        return serializers.project_sessions(queryset)

    def represent(self, row: dict) -> dict:
        if not hasattr(self, "_representer"):
            self._representer = serializers.SessionRepresenter(self.request)
        return self._representer(row)

    def last_changed_expression(self):
        return LastChange(Session)

    def retrieve(self, request, *args, **kwargs):
        return self.represented(selectors.session_list_public().filter(pk=int(kwargs["pk"])))
