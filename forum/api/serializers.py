"""What the API shows of the Forum: published editions and their programme. Never a
registration, a participant, an accessibility need, nor a speaker's account (its email): a
speaker is a name and an affiliation, as on the public programme. An edition that was published
and left public view comes in a sync (`updated_since`), with its sessions, as
`{"id", "public": false, "updated_at"}` and nothing else. `project` and `represent` build the
objects from `.values()` rows, in one query per page."""

from django.db.models import F
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from coalition.api import RelatedJsonList, raw_json, related_column
from coalition.models import ThematicArea, User
from forum.models import ForumEdition, Speaker
from partners.models import Organization


class ForumEditionSerializer(serializers.Serializer):
    """One annual Forum of the Coalition."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(
        help_text="Always true: only published editions are shown in full."
    )
    year = serializers.IntegerField()
    theme = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField(help_text="First day, in the Forum's time zone.")
    ends_on = serializers.DateField(help_text="Last day, in the Forum's time zone.")
    time_zone = serializers.CharField(help_text="IANA name, e.g. `Europe/Zurich`.")
    in_person = serializers.BooleanField()
    online = serializers.BooleanField()
    place = serializers.CharField(allow_blank=True)
    registration_opens_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    web_url = serializers.URLField(help_text="Its page on the registry's website.")


class SpeakerSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    affiliation = serializers.CharField(allow_blank=True)
    role = serializers.ChoiceField(choices=Speaker.Role.choices)


class SessionSerializer(serializers.Serializer):
    """An item of a published edition's programme."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(
        help_text="Always true: only published editions' sessions are shown in full."
    )
    edition = serializers.IntegerField(help_text="Id of its edition (see `forum/editions/`).")
    year = serializers.IntegerField(help_text="Year of its edition.")
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    thematic_area = serializers.CharField(allow_null=True, help_text="Code of a thematic area.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    room = serializers.CharField(allow_blank=True)
    link = serializers.CharField(allow_blank=True, help_text="Where to follow it online.")
    speakers = SpeakerSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    web_url = serializers.URLField(help_text="Its page on the registry's website.")


class ForumEditionRemovedSerializer(serializers.Serializer):
    """An edition unpublished since you read it: remove your copy (and its sessions)."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(help_text="Always false.")
    updated_at = serializers.DateTimeField()


class SessionRemovedSerializer(serializers.Serializer):
    """A session whose edition was unpublished since you read it: remove your copy."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(help_text="Always false.")
    updated_at = serializers.DateTimeField()


ForumEditionListItem = PolymorphicProxySerializer(
    component_name="ForumEditionListItem",
    serializers=[ForumEditionSerializer, ForumEditionRemovedSerializer],
    resource_type_field_name=None,
)
SessionListItem = PolymorphicProxySerializer(
    component_name="SessionListItem",
    serializers=[SessionSerializer, SessionRemovedSerializer],
    resource_type_field_name=None,
)


EDITION_COLUMNS = (
    "id",
    "year",
    "theme",
    "description",
    "starts_on",
    "ends_on",
    "time_zone",
    "in_person",
    "online",
    "place",
    "registration_opens_at",
    "registration_closes_at",
    "created_at",
    "updated_at",
)


def project_editions(queryset):
    return queryset.values(*EDITION_COLUMNS, "is_published")


def project_sessions(queryset):
    """A session's columns, its speakers (name and affiliation only) in the same query."""
    speaker, user, organization = (
        Speaker._meta.db_table,
        User._meta.db_table,
        Organization._meta.db_table,
    )
    speakers = RelatedJsonList(
        value={
            "name": "COALESCE(NULLIF(s.name, ''), NULLIF(u.full_name, ''), '')",
            "affiliation": (
                f"CASE WHEN o.status = '{Organization.Status.APPROVED.value}' THEN o.name "
                "ELSE s.affiliation END"
            ),
            "role": "s.role",
        },
        source=(
            f"{speaker} s LEFT JOIN {user} u ON u.id = s.user_id "
            f"LEFT JOIN {organization} o ON o.id = s.organization_id"
        ),
        where="s.session_id = {outer}.id",
        order="s.position, s.id",
    )
    return queryset.values(
        "id",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "room",
        "link",
        "created_at",
        "updated_at",
        edition_public=related_column(ForumEdition, "edition_id", "is_published"),
        edition_ref=F("edition_id"),
        edition_year=related_column(ForumEdition, "edition_id", "year"),
        thematic_area_code=related_column(ThematicArea, "thematic_area_id", "code"),
        speaker_rows=speakers,
    )


def _web_base(request, name: str) -> str:
    with translation.override(None):
        url = request.build_absolute_uri(reverse(name, args=[0]))
    return url.removesuffix("0/")


class EditionRepresenter:
    def __init__(self, request):
        with translation.override(None):
            self.base = request.build_absolute_uri(reverse("forum:index"))

    def __call__(self, row: dict) -> dict:
        if not row["is_published"]:
            return {"id": row["id"], "public": False, "updated_at": row["updated_at"]}
        return {
            "id": row["id"],
            "public": True,
            **{name: row[name] for name in EDITION_COLUMNS if name != "id"},
            "web_url": f"{self.base}{row['year']}/",
        }


class SessionRepresenter:
    def __init__(self, request):
        self.base = _web_base(request, "forum:session")

    def __call__(self, row: dict) -> dict:
        if not row["edition_public"]:
            return {"id": row["id"], "public": False, "updated_at": row["updated_at"]}
        return {
            "id": row["id"],
            "public": True,
            "edition": row["edition_ref"],
            "year": row["edition_year"],
            "title": row["title"],
            "description": row["description"],
            "thematic_area": row["thematic_area_code"],
            "starts_at": row["starts_at"],
            "ends_at": row["ends_at"],
            "room": row["room"],
            "link": row["link"],
            "speakers": raw_json(row["speaker_rows"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "web_url": f"{self.base}{row['id']}/",
        }
