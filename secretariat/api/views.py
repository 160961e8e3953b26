"""`/api/v1/stats/`: the dashboard's figures, for the same filters as `commitments/`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from coalition.api import ApiViewMixin, CSVRenderer, ORJSONRenderer, vocabulary_filters
from coalition.vocabularies import REGION_COUNTRIES
from commitments.api.views import CommitmentApiFilter
from commitments.models import Commitment, Level
from partners.models import Organization
from secretariat import stats
from secretariat.api.serializers import StatsSerializer


class StatsFilter(CommitmentApiFilter):
    """The API's commitment filters, on public commitments only (a token changes nothing here:
    the figures are the public's)."""


def _invalid(filterset):
    from django_filters.utils import translate_validation

    return translate_validation(filterset.errors)


class StatsView(ApiViewMixin, APIView):
    """Counts and sums over the registry, computed by aggregate queries."""

    csv_columns = ["figure", "code", "label", "value", "currency", "mobilised"]

    def get_renderers(self):
        # Not a list, but its figures make one table: CSV too (one row per category).
        return [ORJSONRenderer(), CSVRenderer()]

    @extend_schema(
        operation_id="stats_retrieve",
        summary="Read the figures of the dashboard",
        description=(
            "Partners by constituency and region; commitments by thematic area, priority, SDG, "
            "level and starting year; deliverables by status; reporting status of published "
            "commitments; resources pledged and mobilised by thematic area, region and "
            "constituency (summed per currency, never converted; mobilised: the amount of each "
            "commitment's latest public progress update that reports one); growth by year; "
            "commitments and partners by country. The filters are those of `commitments/` and "
            "narrow the commitments; `constituency`, `region` and `country` also narrow the "
            "partners (by their headquarters). Figures without filters may be a few minutes "
            "old."
        ),
        parameters=[
            *vocabulary_filters(
                "constituency", "thematic_area", "priority", "sdg", "region", "country"
            ),
            OpenApiParameter("level", str, enum=[level.value for level in Level]),
            OpenApiParameter(
                "status",
                str,
                enum=[status.value for status in Commitment.PUBLIC_STATUSES],
                description="Default: published and completed.",
            ),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1990, "maximum": 2100},
                description="Commitments running in this year.",
            ),
            OpenApiParameter(
                "partner",
                {"type": "integer", "minimum": 1},
                description="Id of a partner, leading or co-partner.",
            ),
            OpenApiParameter("search", str, description="Full-text search of commitments."),
            OpenApiParameter(
                "format",
                str,
                enum=["json", "csv"],
                description="`csv`: every figure as rows of (figure, code, label, value, "
                "currency, mobilised).",
            ),
        ],
        responses=StatsSerializer,
    )
    def get(self, request, *args, **kwargs):
        filterset = StatsFilter(request.query_params, queryset=Commitment.objects.public())
        if not filterset.is_valid():
            raise _invalid(filterset)
        commitments = filterset.qs.order_by()
        cleaned = filterset.form.cleaned_data
        partners = Organization.objects.public()
        if cleaned.get("constituency"):
            partners = partners.filter(constituency__code=cleaned["constituency"])
        if cleaned.get("region"):
            partners = partners.filter(country__in=REGION_COUNTRIES[cleaned["region"]])
        if cleaned.get("country"):
            partners = partners.filter(country=cleaned["country"])
        if cleaned.get("partner"):
            partners = partners.filter(pk=cleaned["partner"])
        filters = sorted((k, str(v)) for k, v in cleaned.items() if v not in (None, ""))
        if filters:
            figures = stats.cached(
                ("api", filters), lambda: stats.compute(partners=partners, commitments=commitments)
            )
        else:  # the dashboard's stored figures: one query
            figures = stats.summary(stats.DASHBOARD_KEY)
        if request.accepted_renderer.format == "csv":
            return Response({"results": stats.long_rows(figures)})
        return Response(StatsSerializer(figures).data)
