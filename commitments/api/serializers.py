"""What the API shows of commitments and progress updates, and what it accepts.

Output: the serializers document each representation (schema, field audit); `project_*` and
`*Representer` build it from `.values()` rows, one query per page, related codes and objects
gathered as JSON by RelatedJsonList. Input: plain serializers that check types and sizes; the
rules (lifecycle, roles, content, dates) are the services'.

Never shown: the people behind a commitment (creator, submitter, editor, progress author,
reviewers), review notes other than the reason a partner must read (why its commitment was
returned: to its members only; why it was withdrawn: to all), the moderation reason of a hidden
progress update, and anything of a commitment a client may not read.
"""

import orjson
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_countries import countries
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from coalition.api import (
    ENUM_NAME_OVERRIDES,
    JsonMembers,
    RelatedJsonList,
    RelatedJsonObject,
    json_text,
    raw_json,
)
from coalition.vocabularies import (
    PRIORITIES,
    SUSTAINABLE_DEVELOPMENT_GOALS,
    THEMATIC_AREAS,
    m49_rows,
)
from commitments.evidence import DEFAULT_MAX_BYTES, MAX_FILES_PER_UPDATE
from commitments.forms import MAX_LINKS, MAX_NARRATIVE
from commitments.models import (
    Commitment,
    CommitmentRevision,
    CoPartnership,
    Deliverable,
    DeliverableStatusChange,
    EvidenceFile,
    Level,
    ProgressUpdate,
    ResourceType,
)
from partners.models import WORKING_LANGUAGES, Organization

ENUM_NAME_OVERRIDES["LevelEnum"] = Level.choices
ENUM_NAME_OVERRIDES["ResourceTypeEnum"] = ResourceType.choices
ENUM_NAME_OVERRIDES["EvidenceLevelEnum"] = ProgressUpdate.EvidenceLevel.choices
ENUM_NAME_OVERRIDES["ThematicAreaCodeEnum"] = [(term.code, term.name_en) for term in THEMATIC_AREAS]
ENUM_NAME_OVERRIDES["PriorityCodeEnum"] = [(term.code, term.name_en) for term in PRIORITIES]
ENUM_NAME_OVERRIDES["SdgNumberEnum"] = [
    (goal.number, goal.name_en) for goal in SUSTAINABLE_DEVELOPMENT_GOALS
]
ENUM_NAME_OVERRIDES["M49CodeEnum"] = [(row.m49, row.name_en) for row in m49_rows()]
ENUM_NAME_OVERRIDES["CountryCodeEnum"] = list(countries)

THEMATIC_AREA_CHOICES = [(term.code, term.name_en) for term in THEMATIC_AREAS]
PRIORITY_CHOICES = [(term.code, term.name_en) for term in PRIORITIES]
SDG_CHOICES = [(goal.number, goal.name_en) for goal in SUSTAINABLE_DEVELOPMENT_GOALS]
M49_CHOICES = [(row.m49, row.name_en) for row in m49_rows()]
COUNTRY_CHOICES = list(countries)

# Sizes an honest request never reaches; larger ones are refused rather than stored.
MAX_ITEMS = 50
MAX_COUNTRIES = 250
MAX_TEXT = 20_000


# Output ------------------------------------------------------------------------------------------


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField(allow_blank=True)


class DeliverableSerializer(serializers.Serializer):
    """A SMART deliverable: what, measured by which indicator, from a baseline to a target, by
    when, and how it stands."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    indicator = serializers.CharField()
    baseline = serializers.CharField(allow_blank=True)
    target = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=Deliverable.Status.choices)


class CommitmentSerializer(serializers.Serializer):
    """A commitment: an action a partner takes to advance social justice."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(
        help_text="True while published or completed. False once withdrawn (its record stays "
        "readable, with the reason), and for a draft, submitted or returned commitment, which "
        "only its organizations' members and the Secretariat see."
    )
    status = serializers.ChoiceField(choices=Commitment.Status.choices)
    status_reason = serializers.CharField(
        allow_null=True,
        help_text="Why it was withdrawn, or (to its members) why it was returned; else null.",
    )
    title = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    lead_organization = OrganizationRefSerializer()
    co_partners = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the partners who joined it."
    )
    thematic_areas = serializers.ListField(child=serializers.ChoiceField(THEMATIC_AREA_CHOICES))
    priorities = serializers.ListField(child=serializers.ChoiceField(PRIORITY_CHOICES))
    sdgs = serializers.ListField(child=serializers.ChoiceField(SDG_CHOICES))
    level = serializers.ChoiceField(choices=Level.choices)
    regions = serializers.ListField(child=serializers.ChoiceField(M49_CHOICES))
    countries = serializers.ListField(child=serializers.ChoiceField(COUNTRY_CHOICES))
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    resource_types = serializers.ListField(child=serializers.ChoiceField(ResourceType.choices))
    resources_description = serializers.CharField(allow_blank=True)
    resources_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    resources_currency = serializers.CharField(allow_blank=True, help_text="ISO 4217.")
    expected_results = serializers.CharField(allow_blank=True)
    language = serializers.ChoiceField(choices=WORKING_LANGUAGES)
    links = serializers.ListField(child=serializers.URLField())
    deliverables = DeliverableSerializer(many=True)
    first_published_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True, help_text="Last published.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(
        help_text="Last change of the commitment, its deliverables, progress or co-partners."
    )
    web_url = serializers.URLField(allow_null=True, help_text="Its page on the website.")
    lock_version = serializers.IntegerField(
        allow_null=True,
        help_text="Send it back when you update the commitment; null unless you may edit it.",
    )


class PendingEditSerializer(serializers.Serializer):
    """Edits of a published commitment waiting for the Secretariat (members only)."""

    status = serializers.ChoiceField(choices=CommitmentRevision.Status.choices)
    content = serializers.JSONField(help_text="The proposed content, as in a create request.")
    reason = serializers.CharField(allow_blank=True, help_text="The partner's reason.")
    decision_reason = serializers.CharField(
        allow_blank=True, help_text="Why the Secretariat returned them."
    )
    updated_at = serializers.DateTimeField()


class CommitmentDetailSerializer(CommitmentSerializer):
    """A commitment, with its pending edits for its members and the Secretariat."""

    pending_edit = PendingEditSerializer(allow_null=True)


class StatusChangeSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField()
    old_status = serializers.ChoiceField(choices=Deliverable.Status.choices)
    new_status = serializers.ChoiceField(choices=Deliverable.Status.choices)


class EvidenceFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.URLField(
        allow_null=True,
        help_text="The file on the website: a browser signed in there may download it.",
    )
    api_url = serializers.URLField(
        help_text="The file through the API, for whoever may read its update: send your token "
        "for the files of a hidden update or of a commitment that is not public."
    )


class ProgressUpdateSerializer(serializers.Serializer):
    """What a partner reported on a commitment."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(
        help_text="False for an update the Secretariat hid (only the commitment's members and "
        "the Secretariat see it)."
    )
    commitment = serializers.IntegerField()
    date = serializers.DateField()
    narrative = serializers.CharField(allow_blank=True)
    links = serializers.ListField(child=serializers.URLField())
    resources_mobilised = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    evidence_level = serializers.ChoiceField(choices=ProgressUpdate.EvidenceLevel.choices)
    status_changes = StatusChangeSerializer(many=True)
    files = EvidenceFileSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProgressUpdateRemovedSerializer(serializers.Serializer):
    """An update the Secretariat hid since you read it: remove your copy."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(help_text="Always false.")
    updated_at = serializers.DateTimeField()


ProgressListItem = PolymorphicProxySerializer(
    component_name="ProgressListItem",
    serializers=[ProgressUpdateSerializer, ProgressUpdateRemovedSerializer],
    resource_type_field_name=None,
)


def _table(model) -> str:
    return model._meta.db_table


# Everything of a commitment but the few members that depend on the client (its reason, its
# address and its edit number, which CommitmentRepresenter adds), in the representation's
# order, written by the database (JsonMembers). The vocabulary codes come from the arrays
# kept on the row (Commitment.theme_codes...).
COMMITMENT_MEMBERS = {
    "title": ("text", "title"),
    "summary": ("text", "summary"),
    "description": ("text", "description"),
    "lead_organization": (
        "json",
        RelatedJsonObject(
            value={"id": "o.id", "name": "o.name", "acronym": "o.acronym"},
            source=f"{_table(Organization)} o",
            where="o.id = {outer}.lead_organization_id",
        ),
    ),
    "co_partners": (
        "json",
        RelatedJsonList(
            value="cp.organization_id",
            source=f"{_table(CoPartnership)} cp",
            where="cp.commitment_id = {outer}.id AND cp.status = 'confirmed'",
            order="cp.organization_id",
        ),
    ),
    "thematic_areas": ("codes", "theme_codes"),
    "priorities": ("codes", "priority_codes"),
    "sdgs": ("codes", "sdg_numbers"),
    "level": ("text", "level"),
    "regions": ("codes", "region_codes"),
    "countries": ("countries", "countries"),
    "start_date": ("date", "start_date"),
    "end_date": ("date", "end_date"),
    "resource_types": ("json", "resource_types"),
    "resources_description": ("text", "resources_description"),
    "resources_amount": ("decimal", "resources_amount"),
    "resources_currency": ("text", "resources_currency"),
    "expected_results": ("text", "expected_results"),
    "language": ("text", "language"),
    "links": ("json", "links"),
    "deliverables": (
        "json",
        RelatedJsonList(
            value={
                name: f"d.{name}"
                for name in ("id", "title", "indicator", "baseline", "target", "due_date", "status")
            },
            source=f"{_table(Deliverable)} d",
            where="d.commitment_id = {outer}.id",
            order="d.position, d.id",
        ),
    ),
    "first_published_at": ("time", "first_published_at"),
    "published_at": ("time", "published_at"),
    "created_at": ("time", "created_at"),
    "updated_at": ("time", "updated_at"),
}


COMMITMENT_JSON = JsonMembers(COMMITMENT_MEMBERS)


def project_commitments(queryset):
    """What CommitmentRepresenter needs of each commitment: one query, one string per row for
    most of it."""
    return queryset.values(
        "id",
        "status",
        "status_reason",
        "lead_organization_id",
        "lock_version",
        "updated_at",
        members=COMMITMENT_JSON,
    )


PLACEHOLDER = 999_999_999


def _url_pattern(request, name: str, placeholder: str = "pk", **kwargs) -> str | None:
    """An absolute address with `{}` in place of the `placeholder` argument, or None when the
    website has no such page (the API does not depend on the pages' URLs)."""
    try:
        with translation.override(None):
            path = reverse(name, kwargs={**kwargs, placeholder: PLACEHOLDER})
    except NoReverseMatch:
        return None
    return request.build_absolute_uri(path).replace(str(PLACEHOLDER), "{}")


class CommitmentRepresenter:
    """Turns projected rows into commitments for one request, as JSON fragments to embed.
    `editable_orgs` holds the ids of the organizations whose commitments this client may edit
    (its own; all for the Secretariat): they get the edit number and the reason of a return."""

    def __init__(self, request, *, editable_orgs: frozenset[int], secretariat: bool):
        self.editable_orgs = editable_orgs
        self.secretariat = secretariat
        pattern = _url_pattern(request, "commitments:detail")
        self.web_url = orjson.dumps(pattern).decode() if pattern else None

    def may_edit(self, row: dict) -> bool:
        return self.secretariat or row["lead_organization_id"] in self.editable_orgs

    def text(self, row: dict) -> str:
        status = row["status"]
        entitled = self.may_edit(row)
        reason = "null"
        if status == Commitment.Status.WITHDRAWN or (
            status == Commitment.Status.RETURNED and entitled
        ):
            reason = orjson.dumps(row["status_reason"]).decode()
        public = "true" if status in Commitment.LISTED_STATUSES else "false"
        web_url = self.web_url.format(row["id"]) if self.web_url else "null"
        lock_version = row["lock_version"] if entitled else "null"
        return (
            f'{{"id":{row["id"]},"public":{public},"status":"{status}","status_reason":{reason}'
            f'{row["members"]},"web_url":{web_url},"lock_version":{lock_version}}}'
        )

    def __call__(self, row: dict) -> raw_json:
        return raw_json(self.text(row))


def pending_edit(revision: CommitmentRevision | None) -> dict | None:
    if revision is None:
        return None
    return {
        "status": revision.status,
        "content": revision.content,
        "reason": revision.reason,
        "decision_reason": revision.decision_reason,
        "updated_at": revision.updated_at,
    }


PROGRESS_LISTS = {
    "change_rows": RelatedJsonList(
        value={
            "deliverable": "sc.deliverable_id",
            "old_status": "sc.old_status",
            "new_status": "sc.new_status",
        },
        source=(
            f"{_table(DeliverableStatusChange)} sc "
            f"JOIN {_table(Deliverable)} d ON d.id = sc.deliverable_id"
        ),
        where="sc.update_id = {outer}.id",
        order="d.position, sc.deliverable_id",
    ),
    "file_rows": RelatedJsonList(
        value={"id": "f.id", "name": "f.name", "content_type": "f.content_type", "size": "f.size"},
        source=f"{_table(EvidenceFile)} f",
        where="f.update_id = {outer}.id",
        order="f.id",
    ),
}


def project_progress(queryset):
    return queryset.values(
        "id",
        "commitment_id",
        "date",
        "narrative",
        "resources_mobilised",
        "evidence_level",
        "hidden",
        "created_at",
        "updated_at",
        links_json=json_text("links"),
        **PROGRESS_LISTS,
    )


class ProgressRepresenter:
    """Progress updates for one request; hidden ones in full only to `entitled` clients (the
    lead organization's members and the Secretariat), else as `public: false` tombstones."""

    def __init__(self, request, *, commitment_pk: int, entitled: bool):
        self.entitled = entitled
        self.file_url = _url_pattern(
            request, "commitments:evidence", placeholder="file_pk", pk=commitment_pk
        )
        # The update's id, then the file's, in the order the address holds them.
        self.file_api_url = _url_pattern(
            request,
            "api:progress-file",
            placeholder="file_pk",
            commitment_pk=commitment_pk,
            pk=PLACEHOLDER,
        )

    def __call__(self, row: dict) -> dict:
        if row["hidden"] and not self.entitled:
            return {"id": row["id"], "public": False, "updated_at": row["updated_at"]}
        amount = row["resources_mobilised"]
        return {
            "id": row["id"],
            "public": not row["hidden"],
            "commitment": row["commitment_id"],
            "date": row["date"],
            "narrative": row["narrative"],
            "links": raw_json(row["links_json"]),
            "resources_mobilised": f"{amount:.2f}" if amount is not None else None,
            "evidence_level": row["evidence_level"],
            "status_changes": raw_json(row["change_rows"]),
            "files": [
                {
                    **item,
                    "url": self.file_url.format(item["id"]) if self.file_url else None,
                    "api_url": self.file_api_url.format(row["id"], item["id"]),
                }
                for item in orjson.loads(row["file_rows"])
            ],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }


# Input -------------------------------------------------------------------------------------------


class DeliverableInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of an existing deliverable to change; leave out for a new one.",
    )
    title = serializers.CharField(max_length=300)
    indicator = serializers.CharField(max_length=300)
    baseline = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    target = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class CommitmentContentSerializer(serializers.Serializer):
    """The content of a commitment as a partner writes it (commitments.content)."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=600)
    description = serializers.CharField(
        max_length=MAX_TEXT, allow_blank=True, required=False, default=""
    )
    thematic_areas = serializers.ListField(
        child=serializers.ChoiceField(THEMATIC_AREA_CHOICES), min_length=1, max_length=MAX_ITEMS
    )
    priorities = serializers.ListField(
        child=serializers.ChoiceField(PRIORITY_CHOICES),
        required=False,
        default=list,
        max_length=MAX_ITEMS,
    )
    sdgs = serializers.ListField(
        child=serializers.ChoiceField(SDG_CHOICES),
        required=False,
        default=list,
        max_length=MAX_ITEMS,
    )
    level = serializers.ChoiceField(choices=Level.choices)
    regions = serializers.ListField(
        child=serializers.ChoiceField(M49_CHOICES),
        required=False,
        default=list,
        max_length=MAX_ITEMS,
    )
    countries = serializers.ListField(
        child=serializers.ChoiceField(COUNTRY_CHOICES),
        required=False,
        default=list,
        max_length=MAX_COUNTRIES,
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    resource_types = serializers.ListField(
        child=serializers.ChoiceField(ResourceType.choices),
        required=False,
        default=list,
        max_length=len(ResourceType.choices),
    )
    resources_description = serializers.CharField(
        max_length=MAX_TEXT, allow_blank=True, required=False, default=""
    )
    resources_amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        required=False,
        default=None,
        coerce_to_string=True,
    )
    resources_currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", allow_blank=True, required=False, default="", help_text="ISO 4217."
    )
    expected_results = serializers.CharField(
        max_length=MAX_TEXT, allow_blank=True, required=False, default=""
    )
    language = serializers.ChoiceField(choices=WORKING_LANGUAGES, required=False, default="en")
    links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, default=list, max_length=20
    )
    deliverables = DeliverableInputSerializer(
        many=True, required=False, default=list, max_length=MAX_ITEMS
    )
    co_partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=MAX_ITEMS,
        help_text="Ids of approved partners invited to join (they confirm on the website).",
    )


class CommitmentCreateSerializer(CommitmentContentSerializer):
    lead_organization = serializers.IntegerField(
        min_value=1, help_text="Id of your organization, which leads the commitment."
    )


class CommitmentUpdateSerializer(CommitmentContentSerializer):
    lock_version = serializers.IntegerField(
        min_value=1, help_text="The `lock_version` you read: refused (409) if someone saved since."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_TEXT,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required to return or withdraw, and to submit edits of a published one.",
    )


class StatusChangeInputSerializer(serializers.Serializer):
    deliverable = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=Deliverable.Status.choices)


class ProgressUpdateInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    narrative = serializers.CharField(
        max_length=MAX_NARRATIVE, allow_blank=True, required=False, default=""
    )
    links = serializers.ListField(
        child=serializers.URLField(max_length=500),
        required=False,
        default=list,
        max_length=MAX_LINKS,  # what the website's progress form takes
    )
    resources_mobilised = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, allow_null=True, required=False, default=None
    )
    status_changes = StatusChangeInputSerializer(
        many=True, required=False, default=list, max_length=MAX_ITEMS
    )


class ProgressUpdateUploadSerializer(ProgressUpdateInputSerializer):
    """A progress update with its evidence files, as multipart/form-data (what the website's
    form sends): one part per field, `links` and `files` once per item, `status_changes` as
    JSON (one part per change, or one part holding the array). It documents the request: the
    view reads the parts into a JSON body's shape, checked by ProgressUpdateInputSerializer, and
    the files are checked by commitments.evidence, as on the website.
    """

    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_FILES_PER_UPDATE,
        help_text=(
            "Evidence: PDF, images (PNG, JPEG, GIF, WebP) or office documents (Word, Excel, "
            f"PowerPoint, OpenDocument), {DEFAULT_MAX_BYTES // (1024 * 1024)} MB each, "
            f"{MAX_FILES_PER_UPDATE} files at most. The type is read from the content and "
            "must agree with the name's extension. Error codes of `files`: `too_many_files`, "
            "`file_too_large`, `file_type`, `not_a_file`."
        ),
    )


class ProgressHideSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_TEXT,
        help_text="Why the update is hidden: for the partner's members and the Secretariat only.",
    )


class ProgressValidateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_TEXT,
        allow_blank=True,
        required=False,
        default="",
        help_text="A note kept in the update's history (optional).",
    )
