"""What the API shows of a partner: the output serializers document it (schema, field audit);
`project` and `represent` build it from `.values()` rows, in one query per page.

A partner is public while approved. One that was approved and left (suspended, withdrawn) comes
in a sync (`updated_since`) as a tombstone, `{"id", "public": false, "status", "updated_at"}`,
so that clients remove their copy. Nothing else of a non-public partner, of its application
(motivation, reviewer, reason) or of its members (names, emails) is ever shown.
"""

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from coalition.api import RelatedJsonList, json_text, raw_json, related_column
from coalition.models import Constituency, Region
from partners.models import WORKING_LANGUAGES, Organization


class PartnerSerializer(serializers.Serializer):
    """A partner of the Coalition."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(
        help_text="True for an approved partner. Members see their own organization whatever "
        "its status."
    )
    name = serializers.CharField()
    acronym = serializers.CharField(allow_blank=True)
    constituency = serializers.CharField(help_text="Code of a constituency, e.g. `government`.")
    country = serializers.CharField(help_text="Country of headquarters, ISO 3166-1 alpha-2.")
    regions = serializers.ListField(
        child=serializers.CharField(), help_text="UN M49 codes of the regions of operation."
    )
    countries = serializers.ListField(
        child=serializers.CharField(), help_text="Countries of operation, ISO 3166-1 alpha-2."
    )
    website = serializers.CharField(allow_blank=True, help_text="Its website's address, or empty.")
    description = serializers.CharField()
    logo = serializers.URLField(allow_null=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=WORKING_LANGUAGES), help_text="Working languages."
    )
    status = serializers.ChoiceField(choices=Organization.Status.choices)
    approved_at = serializers.DateTimeField(allow_null=True, help_text="When it joined.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    web_url = serializers.URLField(help_text="Its page on the registry's website.")


class PartnerRemovedSerializer(serializers.Serializer):
    """A partner that left public view (suspended or withdrawn): remove your copy."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(help_text="Always false.")
    status = serializers.ChoiceField(choices=Organization.Status.choices)
    updated_at = serializers.DateTimeField()


PartnerListItem = PolymorphicProxySerializer(
    component_name="PartnerListItem",
    serializers=[PartnerSerializer, PartnerRemovedSerializer],
    resource_type_field_name=None,
)


def project(queryset):
    """The columns of a partner's representation, its region codes gathered in the same query."""
    regions = RelatedJsonList(
        value="r.m49",
        source=(
            f"{Organization.regions.through._meta.db_table} x "
            f"JOIN {Region._meta.db_table} r ON r.id = x.region_id"
        ),
        where="x.organization_id = {outer}.id",
        order="r.m49",
    )
    return queryset.values(
        "id",
        "name",
        "acronym",
        "country",
        "countries",
        "website",
        "description",
        "logo",
        "status",
        "approved_at",
        "created_at",
        "updated_at",
        constituency_code=related_column(Constituency, "constituency_id", "code"),
        region_codes=regions,
        languages_json=json_text("languages"),
    )


class Representer:
    """Turns projected rows into JSON objects for one request (absolute links need it)."""

    def __init__(self, request, *, entitled_pks: frozenset[int] = frozenset()):
        self.request = request
        self.entitled_pks = entitled_pks
        with translation.override(None):
            self.web_url = request.build_absolute_uri(reverse("partners:profile", args=[0]))
        self.web_url = self.web_url.removesuffix("0/")

    def __call__(self, row: dict) -> dict:
        public = row["status"] == Organization.Status.APPROVED
        if not public and row["id"] not in self.entitled_pks:
            return {
                "id": row["id"],
                "public": False,
                "status": row["status"],
                "updated_at": row["updated_at"],
            }
        return {
            "id": row["id"],
            "public": public,
            "name": row["name"],
            "acronym": row["acronym"],
            "constituency": row["constituency_code"],
            "country": row["country"],
            "regions": raw_json(row["region_codes"]),
            "countries": row["countries"].split(",") if row["countries"] else [],
            "website": row["website"],
            "description": row["description"],
            "logo": (
                self.request.build_absolute_uri(default_storage.url(row["logo"]))
                if row["logo"]
                else None
            ),
            "languages": raw_json(row["languages_json"]),
            "status": row["status"],
            "approved_at": row["approved_at"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "web_url": f"{self.web_url}{row['id']}/",
        }
