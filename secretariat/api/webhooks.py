"""Webhooks in the API: a token's owner registers, reads, changes and deletes their own hooks,
rotates a hook's secret, sends it the test event and reads its deliveries with the receiver's
answers. Another person's hook is 404, as an address that does not exist (the Secretariat
manages every hook in the admin). The rules are secretariat.webhook_services'.

The secret is in the answers to the creation and to a rotation only; afterwards its first
characters (`secret_hint`) tell which one a receiver holds.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from coalition.api import (
    ENUM_NAME_OVERRIDES,
    MAX_ID,
    ApiAutoSchema,
    ApiViewMixin,
    raw_json,
    whole_number,
)
from secretariat import webhook_services, webhooks
from secretariat.models import Webhook, WebhookDelivery, WebhookEvent

ENUM_NAME_OVERRIDES["WebhookEventEnum"] = [(event, event) for event in webhooks.EVENTS]
ENUM_NAME_OVERRIDES["WebhookDeliveryEventEnum"] = WebhookEvent.choices
ENUM_NAME_OVERRIDES["WebhookDeliveryStatusEnum"] = WebhookDelivery.Status.choices
DISABLED_REASONS = [
    (webhook_services.DISABLED_BY_FAILURES, "Its deliveries failed too many times in a row."),
    (webhook_services.DISABLED_MANUALLY, "Its owner (or the Secretariat) disabled it."),
]
ENUM_NAME_OVERRIDES["WebhookDisabledReasonEnum"] = DISABLED_REASONS
DELIVERIES_PAGE_SIZE = 50
MAX_DELIVERIES_PAGE_SIZE = 200


# Output ------------------------------------------------------------------------------------------


class WebhookSerializer(serializers.Serializer):
    """A webhook: where the registry sends which events, and its state."""

    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The address the registry POSTs each event to.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=webhooks.EVENTS))
    active = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.ChoiceField(
        choices=DISABLED_REASONS,
        allow_null=True,
        help_text="Why it is disabled; null while it is active.",
    )
    consecutive_failures = serializers.IntegerField(
        help_text=(
            f"Failed attempts in a row; at {webhooks.DISABLE_AFTER_FAILURES} the hook is "
            "disabled and its owner emailed."
        )
    )
    secret_hint = serializers.CharField(help_text="The first characters of the secret.")
    deliveries_url = serializers.URLField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookWithSecretSerializer(WebhookSerializer):
    """A webhook and its whole secret: only in the answer to its creation or a rotation."""

    secret = serializers.CharField(
        help_text=(
            "Verifies the `X-Coalition-Signature` of each delivery. Store it now: it is not "
            "shown again."
        )
    )


class WebhookListSerializer(serializers.Serializer):
    results = WebhookSerializer(many=True)


class WebhookDeliverySerializer(serializers.Serializer):
    """One event sent (or to send) to a webhook, and the receiver's last answer."""

    id = serializers.UUIDField(
        help_text="Also the `id` of the body and the `X-Coalition-Delivery` header."
    )
    event = serializers.ChoiceField(choices=WebhookEvent.choices)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it is tried again, while pending."
    )
    delivered_at = serializers.DateTimeField(allow_null=True)
    response_status = serializers.IntegerField(
        allow_null=True, help_text="HTTP status of the last answer; null when none came."
    )
    response_excerpt = serializers.CharField(
        allow_blank=True, help_text="The first 2,000 characters of the last answer's body."
    )
    error = serializers.CharField(
        allow_blank=True, help_text="Why the last attempt failed without an answer, if so."
    )
    payload = serializers.JSONField(help_text="The body sent, as sent at every attempt.")


class WebhookDeliveryListSerializer(serializers.Serializer):
    results = WebhookDeliverySerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next (older) page, or null.")


def represent(hook: Webhook, request, *, secret: bool = False) -> dict:
    data = {
        "id": hook.pk,
        "name": hook.name,
        "description": hook.description,
        "url": hook.url,
        "events": list(hook.events),
        "active": hook.active,
        "disabled_at": hook.disabled_at,
        "disabled_reason": hook.disabled_reason or None,
        "consecutive_failures": hook.consecutive_failures,
        "secret_hint": hook.secret_hint,
        "deliveries_url": request.build_absolute_uri(
            reverse("api:webhook-deliveries", args=[hook.pk])
        ),
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }
    if secret:
        data["secret"] = hook.secret
    return data


def represent_delivery(delivery: WebhookDelivery) -> dict:
    return {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "response_status": delivery.response_status,
        "response_excerpt": delivery.response_excerpt,
        "error": delivery.last_error,
        "payload": raw_json(delivery.body.encode()),
    }


# Input -------------------------------------------------------------------------------------------


class WebhookUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    description = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    url = serializers.CharField(
        max_length=500,
        required=False,
        help_text="http or https, resolving to a public address.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=webhooks.EVENTS),
        min_length=1,
        max_length=len(webhooks.EVENTS),
        required=False,
    )
    active = serializers.BooleanField(
        required=False,
        help_text=(
            "false disables the hook (its pending deliveries are dropped); true enables it "
            "again, its count of failures at zero."
        ),
    )


class WebhookCreateInputSerializer(WebhookUpdateInputSerializer):
    url = serializers.CharField(
        max_length=500, help_text="http or https, resolving to a public address."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=webhooks.EVENTS),
        min_length=1,
        max_length=len(webhooks.EVENTS),
    )
    active = None


# Views -------------------------------------------------------------------------------------------


class OwnerOnlySchema(ApiAutoSchema):
    """Every operation needs a token, reads included."""

    def get_auth(self):
        return super(ApiAutoSchema, self).get_auth()


@extend_schema_view(
    list=extend_schema(
        summary="List your webhooks",
        responses=extend_schema_serializer(many=False)(WebhookListSerializer),
    ),
    create=extend_schema(
        summary="Register a webhook",
        description=(
            "The answer holds the secret that signs every delivery: store it, it is not shown "
            f"again. An account has at most {webhook_services.MAX_WEBHOOKS_PER_USER} webhooks."
        ),
        request=WebhookCreateInputSerializer,
        responses={201: WebhookWithSecretSerializer},
    ),
    retrieve=extend_schema(summary="Read a webhook", responses=WebhookSerializer),
    partial_update=extend_schema(
        summary="Change, disable or enable a webhook",
        request=WebhookUpdateInputSerializer,
        responses=WebhookSerializer,
    ),
    destroy=extend_schema(summary="Delete a webhook and its deliveries", responses={204: None}),
)
class WebhookViewSet(ApiViewMixin, GenericViewSet):
    """Webhooks: the registry POSTs public events to your address, signed."""

    permission_classes = [IsAuthenticated]
    schema = OwnerOnlySchema()
    pagination_class = None
    serializer_class = WebhookSerializer
    queryset = Webhook.objects.none()  # for the schema's path parameter type
    lookup_value_converter = "int"

    def get_hook(self) -> Webhook:
        return webhook_services.webhook_get_for_user(pk=self.kwargs["pk"], user=self.request.user)

    def list(self, request, *args, **kwargs):
        hooks = webhook_services.webhook_list_for_user(user=request.user)
        return Response({"results": [represent(hook, request) for hook in hooks]})

    def create(self, request, *args, **kwargs):
        serializer = WebhookCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hook = webhook_services.webhook_create(owner=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(reverse("api:webhook-detail", args=[hook.pk]))
        return Response(
            represent(hook, request, secret=True),
            status=status.HTTP_201_CREATED,
            headers={"Location": location, "Cache-Control": "no-store"},
        )

    def retrieve(self, request, *args, **kwargs):
        return Response(represent(self.get_hook(), request))

    def partial_update(self, request, *args, **kwargs):
        hook = self.get_hook()
        serializer = WebhookUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        active = changes.pop("active", None)
        if changes:
            hook = webhook_services.webhook_update(hook=hook, actor=request.user, **changes)
        if active is True:
            hook = webhook_services.webhook_enable(hook=hook, actor=request.user)
        elif active is False:
            hook = webhook_services.webhook_disable(hook=hook, actor=request.user)
        return Response(represent(hook, request))

    def destroy(self, request, *args, **kwargs):
        webhook_services.webhook_delete(hook=self.get_hook(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Rotate a webhook's secret",
        description=(
            "A new secret signs every delivery from now on, retries of earlier events included. "
            "The answer holds it: store it, it is not shown again."
        ),
        request=None,
        responses=WebhookWithSecretSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, pk=None):
        hook = webhook_services.webhook_rotate_secret(hook=self.get_hook(), actor=request.user)
        return Response(
            represent(hook, request, secret=True), headers={"Cache-Control": "no-store"}
        )

    @extend_schema(
        summary="Send the test event",
        description=(
            "Queues a `ping` delivery to the hook (an active one); read its outcome in the "
            "deliveries."
        ),
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        delivery = webhook_services.webhook_ping(hook=self.get_hook(), actor=request.user)
        return Response(represent_delivery(delivery), status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="List a webhook's deliveries",
        description="The newest first, with the receiver's last answer to each.",
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="Where a page starts: use the `next` address as it is.",
            ),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description=(
                    f"{DELIVERIES_PAGE_SIZE} by default, at most {MAX_DELIVERIES_PAGE_SIZE}."
                ),
            ),
        ],
        responses=WebhookDeliveryListSerializer,
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        hook = self.get_hook()
        size = whole_number(
            request.query_params.get("page_size"),
            "page_size",
            default=DELIVERIES_PAGE_SIZE,
            maximum=MAX_DELIVERIES_PAGE_SIZE,
        )
        before = whole_number(request.query_params.get("cursor"), "cursor", maximum=MAX_ID)
        deliveries = webhook_services.webhook_deliveries(hook=hook).order_by("-pk")
        if before is not None:
            deliveries = deliveries.filter(pk__lt=before)
        rows = list(deliveries[: size + 1])
        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            path = reverse("api:webhook-deliveries", args=[hook.pk])
            next_url = request.build_absolute_uri(f"{path}?cursor={rows[-1].pk}&page_size={size}")
        return Response({"results": [represent_delivery(row) for row in rows], "next": next_url})
