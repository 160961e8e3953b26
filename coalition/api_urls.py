"""The REST API at /api/v1/ (mounted outside i18n_patterns: its addresses do not change with the
language). One router; each app's viewsets come from its `api/views.py`."""

from django.urls import include, path, re_path

from coalition import api
from commitments.api.views import CommitmentViewSet, EvidenceFileView, ProgressUpdateViewSet
from forum.api.views import ForumEditionViewSet, SessionViewSet
from partners.api.views import PartnerViewSet
from secretariat.api.good_practices import GoodPracticeViewSet
from secretariat.api.webhooks import WebhookViewSet

app_name = "api"

router = api.ApiRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("good-practices", GoodPracticeViewSet, basename="good-practice")
router.register("forum/editions", ForumEditionViewSet, basename="forum-edition")
router.register("forum/sessions", SessionViewSet, basename="forum-session")
router.register("thematic-areas", api.ThematicAreaViewSet, basename="thematic-area")
router.register("priorities", api.PriorityViewSet, basename="priority")
router.register("sdgs", api.SdgViewSet, basename="sdg")
router.register("constituencies", api.ConstituencyViewSet, basename="constituency")
router.register("regions", api.RegionViewSet, basename="region")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("schema/", api.SchemaView.as_view(), name="schema"),
    path("docs/", api.DocsView.as_view(), name="docs"),
    path(
        "commitments/<int:commitment_pk>/progress/",
        ProgressUpdateViewSet.as_view({"get": "list", "post": "create"}),
        name="progress-list",
    ),
    path(
        "commitments/<int:commitment_pk>/progress/<int:pk>/",
        ProgressUpdateViewSet.as_view({"get": "retrieve"}),
        name="progress-detail",
    ),
    path(
        "commitments/<int:commitment_pk>/progress/<int:pk>/validate/",
        ProgressUpdateViewSet.as_view({"post": "validate"}),
        name="progress-validate",
    ),
    path(
        "commitments/<int:commitment_pk>/progress/<int:pk>/hide/",
        ProgressUpdateViewSet.as_view({"post": "hide"}),
        name="progress-hide",
    ),
    path(
        "commitments/<int:commitment_pk>/progress/<int:pk>/files/<int:file_pk>/",
        EvidenceFileView.as_view(),
        name="progress-file",
    ),
    path("stats/", include("secretariat.api.urls")),
    *router.urls,
    re_path(r"^[\s\S]*$", api.not_found),  # any address, line breaks included
]
