"""Commitments and their progress in the API.

Reads: anyone reads public commitments; members read those of their organizations whatever
their status; the Secretariat reads all. Writes act for the token's owner through
commitments.services (the one place that knows the lifecycle and the roles): create and edit
drafts, submit, withdraw, complete, report progress (with evidence files, as multipart); the
Secretariat publishes or returns, and validates or hides progress. Evidence files download with
a token (EvidenceFileView) under the website download's rule.
Who may even address a commitment is commitment_get_for_user's decision (404, or 403 to edit).
"""

import hashlib
from datetime import date

import django_filters
import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db.models import QuerySet
from django.db.models.functions import Greatest
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition import vocabularies
from coalition.api import (
    COUNTRY_CODES,
    MAX_ID,
    NON_FIELD_ERRORS,
    ApiViewMixin,
    CodeFilter,
    ErrorSerializer,
    KeysetListMixin,
    LastChange,
    LeanFilterSetMixin,
    OrderingKey,
    ORJSONRenderer,
    ResourceViewSet,
    RowRetrieveMixin,
    _not_modified,
    csv_columns_of,
    vocabulary_filters,
)
from coalition.filters import UpdatedSinceFilter
from commitments import selectors, services
from commitments.api import serializers
from commitments.errors import NotAllowed, StaleEdit
from commitments.evidence import (
    MAX_FILES_PER_UPDATE,
    OCTET_STREAM,
    SERVED_TYPES,
    max_bytes,
    served_content_type,
)
from commitments.filters import (
    CommitmentFilter,
    IntegerFilter,
    area_key,
    in_region,
    term_key,
    use_filter_keys,
    with_keys,
    with_term,
)
from commitments.models import (
    Commitment,
    ProgressUpdate,
)
from commitments.search import search_commitments
from partners.models import Organization


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = gettext_lazy("Someone saved this record since you read it.")


class CommitmentsApiMixin:
    """Maps the commitments app's domain errors: a role that does not allow the action is
    403 (as on the website), an edit begun before someone else's save is 409."""

    def handle_exception(self, exc):
        if isinstance(exc, NotAllowed):
            exc = exceptions.PermissionDenied(exc.message)
        elif isinstance(exc, StaleEdit):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)

    @property
    def member_of(self) -> frozenset[int]:
        """The organizations where the token's owner is a member (one query, once)."""
        if not hasattr(self, "_member_of"):
            self._member_of = selectors.organization_ids_of(user=self.request.user)
        return self._member_of

    @property
    def is_secretariat(self) -> bool:
        user = self.request.user
        return user.is_authenticated and user.is_secretariat


class CommitmentApiFilter(LeanFilterSetMixin, CommitmentFilter):
    """The browser's FilterSet, with the same parameters and meanings. The API's differ in
    three ways: `status` also takes the statuses only members and the Secretariat see (others
    get nothing for them); the page order is the API's `ordering`; and the vocabulary filters
    check codes in memory rather than with a query and a list of choices per request."""

    ordering = None
    status = django_filters.ChoiceFilter(
        choices=Commitment.Status.choices,
        label=gettext_lazy(
            "Status (default: published and completed; draft, submitted and returned ones "
            "only for their members and the Secretariat)"
        ),
    )
    constituency = CodeFilter(
        codes=[term.code for term in vocabularies.CONSTITUENCIES],
        field_name="lead_organization__constituency__code",
        label=gettext_lazy("Constituency of the lead partner"),
    )
    # The vocabulary, region and country filters are the browser's (commitments.filters).
    thematic_area = CodeFilter(
        codes=[term.code for term in vocabularies.THEMATIC_AREAS],
        method="filter_related",
        field_name="thematic_areas__code",
        label=gettext_lazy("Thematic area"),
    )
    priority = CodeFilter(
        codes=[term.code for term in vocabularies.PRIORITIES],
        method="filter_related",
        field_name="priorities__code",
        label=gettext_lazy("Initial priority"),
    )
    # A goal's id is its number: no join to the goals' table.
    sdg = IntegerFilter(
        method="filter_related",
        field_name="sdgs__number",
        min_value=1,
        max_value=17,
        label=gettext_lazy("Sustainable Development Goal"),
    )
    region = CodeFilter(
        codes=vocabularies.REGION_SUBTREE,
        method="filter_region_code",
        label=gettext_lazy("Region (UN M49 code)"),
    )
    country = CodeFilter(
        codes=COUNTRY_CODES,
        method="filter_country",
        label=gettext_lazy("Country (ISO 3166-1 alpha-2): national action there, or regional"),
    )
    # By id, matching nothing for an unknown one (ids are not a closed list to choose from).
    partner = IntegerFilter(
        method="filter_partner_id",
        min_value=1,
        max_value=MAX_ID,
        label=gettext_lazy("Partner (id), leading or co-partner"),
    )
    updated_since = UpdatedSinceFilter()

    def filter_search(self, queryset, name, value):
        return search_commitments(queryset, value, ranked=False)  # pages follow `ordering`

    def filter_related(self, queryset, name, value):
        return with_term(queryset, name.split("__", 1)[0], value)

    def filter_region_code(self, queryset, name, code):
        return in_region(queryset, code)

    def filter_partner_id(self, queryset, name, organization_id):
        return queryset.involving(organization_id)

    @staticmethod
    def unfiltered(queryset):
        """What a list without `status` nor `updated_since` shows: the registry's listing."""
        return queryset.filter(status__in=Commitment.LISTED_STATUSES)

    # Their values are keys of the commitment's list of filter keys on PostgreSQL.
    KEYED = {"thematic_area": "thematic_areas", "priority": "priorities", "sdg": "sdgs"}

    def filter_queryset(self, queryset):
        # django-filter's loop over the given values. The browser's FilterSet would also leave
        # withdrawn commitments out (`unfiltered` does) and order the page (the paginator
        # does); and however many vocabulary and region filters are given, they are one
        # lookup in the keys' index.
        data = dict(self.form.cleaned_data)
        if not data.get("status") and not data.get("updated_since"):
            queryset = self.unfiltered(queryset)
        if use_filter_keys():
            keys = [
                term_key(relation, data.pop(name))
                for name, relation in self.KEYED.items()
                if data.get(name) not in (None, "")
            ]
            if data.get("region"):
                keys.append(area_key(data.pop("region")))
            if keys:
                queryset = with_keys(queryset, keys)
        for name, value in data.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


COMMITMENT_ORDERINGS = {
    **ResourceViewSet.orderings,
    "title": OrderingKey("title", str),
    "start_date": OrderingKey("start_date", date),
    "end_date": OrderingKey("end_date", date),
}


@extend_schema_view(
    list=extend_schema(
        summary="List commitments",
        description=(
            "Published and completed commitments (and, for members, those of their "
            "organizations when asked by `status`). With `updated_since`, every commitment "
            "changed since then, withdrawn ones included (`public: false`)."
        ),
        responses=serializers.CommitmentSerializer(many=True),
        parameters=[
            *vocabulary_filters(
                "constituency", "thematic_area", "priority", "sdg", "region", "country"
            ),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1990, "maximum": 2100},
                description="Running in this year.",
            ),
            OpenApiParameter(
                "partner",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                description="Id of a partner, leading or co-partner.",
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="Read a commitment", responses=serializers.CommitmentDetailSerializer
    ),
    create=extend_schema(
        summary="Create a draft commitment",
        description="For an approved partner where the token's owner is a member.",
        request=serializers.CommitmentCreateSerializer,
        responses={201: serializers.CommitmentDetailSerializer},
    ),
    update=extend_schema(
        summary="Replace a commitment's content",
        description=(
            "A draft or returned commitment changes in place; a published one keeps its "
            "public content and the edits wait for the Secretariat (`pending_edit`). Optional "
            "fields left out are emptied (deliverables too): use PATCH to change a few."
        ),
        request=serializers.CommitmentUpdateSerializer,
        responses=serializers.CommitmentDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some fields of a commitment",
        description="As PUT, for the fields given; `lock_version` is required.",
        request=serializers.CommitmentUpdateSerializer,
        responses=serializers.CommitmentDetailSerializer,
    ),
)
class CommitmentViewSet(CommitmentsApiMixin, KeysetListMixin, RowRetrieveMixin, ResourceViewSet):
    """Commitments: the actions partners take to advance social justice."""

    filterset_class = CommitmentApiFilter
    orderings = COMMITMENT_ORDERINGS
    csv_columns = csv_columns_of(serializers.CommitmentSerializer())
    queryset = Commitment.objects.none()  # for the schema's path parameter type

    def get_queryset(self) -> QuerySet[Commitment]:
        return selectors.commitment_list_for_api(user=self.request.user)

    def project(self, queryset):
        return serializers.project_commitments(queryset)

    @cached_property
    def representer(self) -> serializers.CommitmentRepresenter:
        return serializers.CommitmentRepresenter(
            self.request, editable_orgs=self.member_of, secretariat=self.is_secretariat
        )

    def represent(self, row: dict):
        return orjson.loads(self.representer.text(row))  # a record takes `pending_edit` too

    def represent_page(self, rows: list[dict]) -> list:
        representer = self.representer
        return [representer(row) for row in rows]  # embedded as the database wrote them

    def last_changed_expression(self):
        if self.member_of or self.is_secretariat:
            return None  # what they see also changes with edits that keep `updated_at`
        return Greatest(LastChange(Commitment), LastChange(Organization))

    def detail_response(self, commitment: Commitment, *, status: int = 200, headers=None):
        response = self.represented(
            Commitment.objects.filter(pk=commitment.pk), status=status, headers=headers
        )
        entitled = self.is_secretariat or commitment.lead_organization_id in self.member_of
        revision = selectors.commitment_open_revision(commitment=commitment) if entitled else None
        response.data["pending_edit"] = serializers.pending_edit(revision)
        if entitled:
            response.last_changed = None  # edits and their review keep `updated_at`
        return response

    def retrieve(self, request, *args, **kwargs):
        commitment = selectors.commitment_get_for_user(pk=kwargs["pk"], user=request.user)
        return self.detail_response(commitment)

    def create(self, request, *args, **kwargs):
        serializer = serializers.CommitmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        commitment = self.perform_create(serializer)
        location = request.build_absolute_uri(
            reverse("api:commitment-detail", args=[commitment.pk])
        )
        return self.detail_response(commitment, status=201, headers={"Location": location})

    def perform_create(self, serializer) -> Commitment:
        content = dict(serializer.validated_data)
        organization = Organization.objects.filter(pk=content.pop("lead_organization")).first()
        if organization is None:
            raise exceptions.ValidationError(
                {"lead_organization": [_("There is no partner with this id.")]}
            )
        return services.commitment_create(
            organization=organization,
            actor=self.request.user,
            content=content,
            co_partners=self._co_partners(content.pop("co_partners", [])),
        )

    def update(self, request, *args, partial: bool = False, **kwargs):
        commitment = selectors.commitment_get_for_user(
            pk=kwargs["pk"], user=request.user, for_edit=True
        )
        serializer = serializers.CommitmentUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        commitment = self.perform_update(serializer, commitment, partial=partial)
        return self.detail_response(commitment)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_update(self, serializer, commitment: Commitment, *, partial: bool) -> Commitment:
        changes = dict(serializer.validated_data)
        if "lock_version" not in changes:
            raise exceptions.ValidationError(
                {"lock_version": [exceptions.ErrorDetail(_("This field is required."), "required")]}
            )
        lock_version = changes.pop("lock_version")
        co_partners = changes.pop("co_partners", None)
        content = changes
        if partial:
            content = {**selectors.commitment_current_content(commitment=commitment), **changes}
        return services.commitment_update(
            commitment=commitment,
            actor=self.request.user,
            content=content,
            lock_version=lock_version,
            co_partners=self._co_partners(co_partners) if co_partners is not None else None,
        )

    @staticmethod
    def _co_partners(ids: list[int]) -> list[Organization]:
        organizations = list(Organization.objects.filter(pk__in=ids))
        if len(organizations) != len(set(ids)):
            raise exceptions.ValidationError(
                {"co_partners": [_("One of these ids is not a partner.")]}
            )
        return organizations

    def _decide(self, service, pk: int):
        commitment = selectors.commitment_get_for_user(pk=pk, user=self.request.user)
        serializer = serializers.ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        commitment = service(
            commitment=commitment,
            actor=self.request.user,
            reason=serializer.validated_data["reason"],
        )
        return self.detail_response(commitment)

    @extend_schema(
        summary="Submit a commitment (or the edits of a published one) for review",
        description="By an admin of the lead organization.",
        request=serializers.ReasonSerializer,
        responses=serializers.CommitmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._decide(services.commitment_submit, pk)

    @extend_schema(
        summary="Publish a submitted commitment or its submitted edits",
        description="By the Secretariat.",
        request=serializers.ReasonSerializer,
        responses=serializers.CommitmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._decide(services.commitment_publish, pk)

    @extend_schema(
        summary="Return a submitted commitment or its edits, with the reason",
        description="By the Secretariat; the partner reads the reason.",
        request=serializers.ReasonSerializer,
        responses=serializers.CommitmentDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_changes(self, request, pk=None):
        return self._decide(services.commitment_return, pk)

    @extend_schema(
        summary="Withdraw a published commitment, with the reason",
        description="By an admin of the lead organization or the Secretariat.",
        request=serializers.ReasonSerializer,
        responses=serializers.CommitmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._decide(services.commitment_withdraw, pk)

    @extend_schema(
        summary="Record that a published commitment is completed",
        description="By an admin of the lead organization or the Secretariat.",
        request=serializers.ReasonSerializer,
        responses=serializers.CommitmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._decide(services.commitment_complete, pk)


class ProgressUpdateApiFilter(LeanFilterSetMixin, django_filters.FilterSet):
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ProgressUpdate
        fields = []


COMMITMENT_PATH = OpenApiParameter("commitment_pk", int, OpenApiParameter.PATH)
MULTIPART = "multipart/form-data"


def _is_multipart(request) -> bool:
    return request.content_type.split(";")[0].strip().lower() == MULTIPART


def _refused(field: str, message: str, code: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [exceptions.ErrorDetail(message, code)]})


@extend_schema_view(
    list=extend_schema(
        summary="List the progress updates of a commitment",
        description=(
            "Newest first by default. With `updated_since`, the updates the Secretariat hid "
            "since then come as `public: false` records to remove."
        ),
        parameters=[COMMITMENT_PATH],
        responses=serializers.ProgressListItem,
    ),
    retrieve=extend_schema(
        summary="Read a progress update",
        parameters=[COMMITMENT_PATH],
        responses=serializers.ProgressUpdateSerializer,
    ),
    create=extend_schema(
        summary="Report progress on a published commitment",
        description=(
            "By a member of the lead organization. As JSON, or as multipart/form-data with "
            "evidence files (`files`, the other fields as in JSON): then its evidence level is "
            "`evidence_attached`. Files sent in a JSON body are refused (`multipart_required`)."
        ),
        parameters=[COMMITMENT_PATH],
        request={
            "application/json": serializers.ProgressUpdateInputSerializer,
            MULTIPART: serializers.ProgressUpdateUploadSerializer,
        },
        responses={
            201: serializers.ProgressUpdateSerializer,
            415: OpenApiResponse(
                ErrorSerializer, description="The body is neither JSON nor multipart/form-data."
            ),
        },
    ),
)
class ProgressUpdateViewSet(
    CommitmentsApiMixin, KeysetListMixin, RowRetrieveMixin, ResourceViewSet
):
    """Progress updates: what partners report on their published commitments."""

    filterset_class = ProgressUpdateApiFilter
    orderings = {**ResourceViewSet.orderings, "date": OrderingKey("date", date)}
    default_ordering = "-date"
    csv_columns = csv_columns_of(serializers.ProgressUpdateSerializer())
    queryset = ProgressUpdate.objects.none()

    def get_parsers(self):
        # Asked before `action` is set: the list's address is where progress is posted.
        if getattr(self, "action_map", {}).get("post") == "create":
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Anyone who may read the commitment reads its visible progress.
        self.commitment = selectors.commitment_get_for_user(
            pk=kwargs["commitment_pk"], user=request.user
        )
        self.entitled = selectors.sees_hidden_progress(
            commitment=self.commitment, user=request.user
        )

    def get_queryset(self) -> QuerySet[ProgressUpdate]:
        updates = ProgressUpdate.objects.filter(commitment=self.commitment)
        if not (self.entitled or self.is_sync):
            updates = updates.filter(hidden=False)
        return updates

    def project(self, queryset):
        return serializers.project_progress(queryset)

    def represent(self, row: dict) -> dict:
        if not hasattr(self, "_representer"):
            self._representer = serializers.ProgressRepresenter(
                self.request, commitment_pk=self.commitment.pk, entitled=self.entitled
            )
        return self._representer(row)

    def sync_scope(self) -> dict:
        return {"commitment_id": self.commitment.pk}

    def last_changed_expression(self):
        if self.entitled:
            return None
        return LastChange(ProgressUpdate, **self.sync_scope())

    def retrieve(self, request, *args, **kwargs):
        update = selectors.progress_update_visible(
            commitment=self.commitment, update_pk=kwargs["pk"], user=request.user
        )
        return self.represented(ProgressUpdate.objects.filter(pk=update.pk))

    def create(self, request, *args, **kwargs):
        commitment = selectors.commitment_get_for_user(
            pk=self.commitment.pk, user=request.user, for_edit=True
        )
        if _is_multipart(request):
            payload, files = self._multipart_payload(request)
        else:
            payload, files = request.data, []
            if isinstance(payload, dict) and "files" in payload:
                raise _refused(
                    "files",
                    _("Send evidence files in a multipart/form-data request, one part each."),
                    "multipart_required",
                )
        serializer = serializers.ProgressUpdateInputSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        update = self.perform_create(serializer, commitment, files)
        location = request.build_absolute_uri(
            reverse("api:progress-detail", args=[commitment.pk, update.pk])
        )
        return self.represented(
            ProgressUpdate.objects.filter(pk=update.pk), status=201, headers={"Location": location}
        )

    @staticmethod
    def _multipart_payload(request) -> tuple[dict, list]:
        """The fields of a multipart request as the JSON body would give them, and its files.
        A body larger than the files allowed (and room for the text) is refused unread."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_FILES_PER_UPDATE * max_bytes() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise _refused(
                "files",
                _("This request is larger than %(count)d files of %(size)s.")
                % {"count": MAX_FILES_PER_UPDATE, "size": filesizeformat(max_bytes())},
                "file_too_large",
            )
        try:
            fields, uploads = request.POST, request.FILES
        except TooManyFilesSent:
            raise _refused(
                "files",
                _("Attach %(count)d files at most to one update.")
                % {"count": MAX_FILES_PER_UPDATE},
                "too_many_files",
            ) from None
        except (RequestDataTooBig, TooManyFieldsSent):
            raise _refused(
                NON_FIELD_ERRORS, _("The fields of this request are too large."), "too_large"
            ) from None
        unexpected = [name for name in uploads if name != "files"]
        if unexpected:
            raise _refused(unexpected[0], _("Send evidence files as `files`."), "unexpected_file")
        if "files" in fields:
            raise _refused("files", _("Each part `files` must be a file."), "not_a_file")
        payload = {
            name: fields[name]
            for name in ("date", "narrative", "resources_mobilised")
            if fields.get(name, "") != ""
        }
        if "links" in fields:
            payload["links"] = fields.getlist("links")
        if "status_changes" in fields:
            payload["status_changes"] = []
            for part in fields.getlist("status_changes"):
                try:
                    value = orjson.loads(part)
                except orjson.JSONDecodeError:
                    raise _refused(
                        "status_changes",
                        _("Send the status changes as JSON: an array, or one object per part."),
                        "parse_error",
                    ) from None
                payload["status_changes"] += value if isinstance(value, list) else [value]
        return payload, uploads.getlist("files")

    def perform_create(self, serializer, commitment: Commitment, files=()) -> ProgressUpdate:
        data = serializer.validated_data
        return services.progress_update_create(
            commitment=commitment,
            actor=self.request.user,
            date=data["date"],
            narrative=data["narrative"],
            links=data["links"],
            files=files,
            status_changes={item["deliverable"]: item["status"] for item in data["status_changes"]},
            resources_mobilised=data["resources_mobilised"],
        )

    def _moderate(self, service, serializer_class, pk: int) -> Response:
        update = selectors.progress_update_visible(
            commitment=self.commitment, update_pk=pk, user=self.request.user
        )
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        service(update=update, actor=self.request.user, reason=serializer.validated_data["reason"])
        return self.represented(ProgressUpdate.objects.filter(pk=update.pk))

    @extend_schema(
        summary="Validate the evidence of a progress update",
        description=(
            "By the Secretariat: its evidence level becomes `validated` and the partner is "
            "told. A hidden update cannot be validated."
        ),
        parameters=[COMMITMENT_PATH],
        request=serializers.ProgressValidateSerializer,
        responses=serializers.ProgressUpdateSerializer,
    )
    @action(detail=True, methods=["post"])
    def validate(self, request, *args, **kwargs):
        return self._moderate(
            services.progress_update_validate, serializers.ProgressValidateSerializer, kwargs["pk"]
        )

    @extend_schema(
        summary="Hide a progress update from the public, with the reason",
        description=(
            "By the Secretariat. The update stays readable by the commitment's members and the "
            "Secretariat (`public: false`); others' syncs report it removed. The reason is "
            "told to the partner and never shown in the API."
        ),
        parameters=[COMMITMENT_PATH],
        request=serializers.ProgressHideSerializer,
        responses=serializers.ProgressUpdateSerializer,
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, *args, **kwargs):
        return self._moderate(
            services.progress_update_hide, serializers.ProgressHideSerializer, kwargs["pk"]
        )


class EvidenceFileView(CommitmentsApiMixin, ApiViewMixin, APIView):
    """One evidence file of a progress update, as its bytes: what the website's download gives
    a signed-in browser, for a token. Who may have it is the website's rule, in
    commitments.selectors (commitment_get_for_user, then evidence_file_for_user)."""

    def perform_content_negotiation(self, request, force=False):
        # The answer is the file whatever `Accept` asks (its type is known once it is found),
        # and an error is JSON.
        renderer = ORJSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        summary="Download an evidence file of a progress update",
        description=(
            "The file as it was uploaded, as an attachment under its original name, with the "
            "type read from its content at upload. Anyone may download the files of a visible "
            "update of a public commitment; those of a hidden update, or of a commitment that "
            "is not public, only the lead organization's members (any role) and the "
            "Secretariat. Any other request is 404, as for a file that does not exist. Each "
            "file's address is its `api_url` in the update's `files`."
        ),
        parameters=[
            COMMITMENT_PATH,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The update's id."),
            OpenApiParameter("file_pk", int, OpenApiParameter.PATH, description="The file's id."),
            OpenApiParameter(
                "Content-Disposition",
                str,
                OpenApiParameter.HEADER,
                response=[200],
                description="`attachment`, with the file's original name.",
            ),
        ],
        responses={
            (200, content_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file's bytes."
            )
            for content_type in [*SERVED_TYPES, OCTET_STREAM]
        },
    )
    def get(self, request, commitment_pk: int, pk: int, file_pk: int):
        commitment = selectors.commitment_get_for_user(pk=commitment_pk, user=request.user)
        evidence = selectors.evidence_file_for_user(
            commitment=commitment, update_pk=pk, file_pk=file_pk, user=request.user
        )
        # Shared caches may keep what anyone may download; the rest is for this client alone.
        public = commitment.is_public and not evidence.update.hidden
        # A file never changes once uploaded: its stored name (unique) names its bytes.
        validators = {
            "ETag": quote_etag(
                hashlib.blake2b(evidence.file.name.encode(), digest_size=16).hexdigest()
            ),
            "Last-Modified": http_date(int(evidence.created_at.timestamp())),
            "Cache-Control": (
                "no-cache" if public and not request.user.is_authenticated else "private, no-cache"
            ),
        }
        if _not_modified(request, validators["ETag"], int(evidence.created_at.timestamp())):
            return HttpResponseNotModified(headers=validators)
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=evidence.name,
            content_type=served_content_type(evidence.content_type),
            headers=validators,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        if not isinstance(response, FileResponse):
            return super().finalize_response(request, response, *args, **kwargs)
        # ApiViewMixin's validators are read from a rendered JSON body; a file has its own.
        response = APIView.finalize_response(self, request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept", "Authorization"])
        return response
