"""Partners in the API: read-only (a partner's profile is edited on the website by its admins)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from coalition import vocabularies
from coalition.api import (
    COUNTRY_CODES,
    CodeFilter,
    KeysetListMixin,
    LastChange,
    LeanFilterSetMixin,
    ResourceViewSet,
    RowRetrieveMixin,
    csv_columns_of,
    vocabulary_filters,
)
from coalition.filters import UpdatedSinceFilter
from partners import selectors
from partners.api import serializers
from partners.api.selectors import organization_list_for_sync
from partners.filters import OrganizationFilter
from partners.models import Organization


class PartnerApiFilter(LeanFilterSetMixin, OrganizationFilter):
    """The directory's FilterSet (constituency, region, country, search, updated_since), its
    vocabulary filters checking codes in memory rather than with a query and a list of choices
    per request."""

    constituency = CodeFilter(
        codes=[term.code for term in vocabularies.CONSTITUENCIES],
        field_name="constituency__code",
        label=_("Constituency"),
    )
    region = CodeFilter(
        codes=vocabularies.REGION_SUBTREE,
        method="filter_region_code",
        label=_("Region (UN M49 code): headquartered or working there"),
    )
    country = CodeFilter(codes=COUNTRY_CODES, method="filter_country", label=_("Country"))
    updated_since = UpdatedSinceFilter()

    def filter_region_code(self, queryset, name, code):
        return selectors.organizations_in_region(queryset, code)


@extend_schema_view(
    list=extend_schema(
        summary="List partners",
        description=(
            "Approved partners. With `updated_since`, also the partners that left public view "
            "since then (suspended, withdrawn), as `public: false` records to remove."
        ),
        responses=serializers.PartnerListItem,
        parameters=vocabulary_filters("constituency", "region", "country"),
    ),
    retrieve=extend_schema(summary="Read a partner", responses=serializers.PartnerSerializer),
)
class PartnerViewSet(KeysetListMixin, RowRetrieveMixin, ResourceViewSet):
    """Partners of the Coalition: organizations whose application the Secretariat approved."""

    filterset_class = PartnerApiFilter
    serializer_class = serializers.PartnerSerializer
    csv_columns = csv_columns_of(serializers.PartnerSerializer())
    queryset = Organization.objects.none()  # for the schema's path parameter type

    def get_queryset(self) -> QuerySet[Organization]:
        if self.is_sync:
            return organization_list_for_sync()
        return selectors.organization_list_public()

    def project(self, queryset):
        return serializers.project(queryset)

    # Non-public partners whose full record this client may read (its members, the Secretariat).
    entitled: frozenset[int] = frozenset()

    def represent(self, row: dict) -> dict:
        if not hasattr(self, "_representer"):
            self._representer = serializers.Representer(self.request, entitled_pks=self.entitled)
        return self._representer(row)

    def last_changed_expression(self):
        return LastChange(Organization)

    def retrieve(self, request, *args, **kwargs):
        organization = selectors.organization_get_for_user(pk=int(kwargs["pk"]), user=request.user)
        if not organization.is_public:
            # Only its members and the Secretariat get here (the access function decided).
            self.entitled = frozenset([organization.pk])
        return self.represented(Organization.objects.filter(pk=organization.pk))
