"""Reads the API needs beyond commitments.selectors (thin wrappers; candidates to move there)."""

from django.db.models import Q, QuerySet

from coalition.models import User
from commitments.content import content_of
from commitments.models import Commitment, CommitmentRevision, CoPartnership
from partners.models import Membership


def commitment_list_for_api(*, user: User) -> QuerySet[Commitment]:
    """The commitments this client may list: the public ones (published, completed, withdrawn);
    for a member, also every commitment of its organizations, led or joined (as
    commitment_get_for_user decides for one); for the Secretariat, all."""
    if user.is_authenticated and user.is_secretariat:
        return Commitment.objects.all()
    visible = Q(status__in=Commitment.PUBLIC_STATUSES)
    if user.is_authenticated:
        organizations = Membership.objects.filter(user=user).values("organization_id")
        joined = (
            CoPartnership.objects.filter(organization__in=organizations)
            .exclude(status=CoPartnership.Status.DECLINED)
            .values("commitment_id")
        )
        visible |= Q(lead_organization__in=organizations) | Q(pk__in=joined)
    return Commitment.objects.filter(visible)


def organization_ids_of(*, user: User) -> frozenset[int]:
    """The organizations where the user is a member (one query)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def commitment_open_revision(*, commitment: Commitment) -> CommitmentRevision | None:
    return commitment.revisions.filter(status__in=CommitmentRevision.OPEN_STATUSES).first()


def commitment_current_content(*, commitment: Commitment) -> dict:
    """What a member edits: the pending edits of a published commitment, else its content (as
    commitments.services reads it before an update)."""
    revision = (
        commitment_open_revision(commitment=commitment)
        if commitment.status == Commitment.Status.PUBLISHED
        else None
    )
    if revision is not None:
        return revision.content
    return content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))
