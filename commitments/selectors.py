"""Reads of the commitments app, and the one place that decides who may see or edit one."""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from coalition.models import Priority, Region, SustainableDevelopmentGoal, ThematicArea, User
from commitments.content import Vocabulary, content_of
from commitments.models import (
    Autosave,
    Commitment,
    CommitmentRevision,
    CoPartnership,
    Deliverable,
    DeliverableStatusChange,
    EvidenceFile,
)
from partners.models import Membership, Organization
from partners.selectors import membership_role

Status = Commitment.Status


def _confirmed_copartners() -> Prefetch:
    return Prefetch(
        "co_partnerships",
        queryset=CoPartnership.objects.filter(status=CoPartnership.Status.CONFIRMED)
        .select_related("organization")
        .order_by("organization__name"),
        to_attr="confirmed_copartnerships",
    )


def commitment_list_public(*, today=None) -> QuerySet[Commitment]:
    """Commitments the public may read (withdrawn ones included: the FilterSet leaves them out
    of default listings), with what a list row shows, in a constant number of queries."""
    return (
        Commitment.objects.public()
        .with_reporting_status(today=today)
        .select_related("lead_organization__constituency")
        .prefetch_related("thematic_areas", "sdgs", "regions", _confirmed_copartners())
    )


def commitment_list_export(*, today=None) -> QuerySet[Commitment]:
    """The browser's rows with every field a CSV download carries."""
    return commitment_list_public(today=today).prefetch_related("priorities", "deliverables")


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


def commitment_memberships(*, user: User, commitment: Commitment) -> tuple[str | None, bool]:
    """The user's role in the lead organization, and whether they belong to a co-partner
    (invited or confirmed) of the commitment: two small queries."""
    if not user.is_authenticated:
        return None, False
    role = membership_role(user=user, organization=commitment.lead_organization)
    copartner = CoPartnership.objects.filter(
        commitment=commitment,
        organization__memberships__user=user,
    ).exclude(status=CoPartnership.Status.DECLINED)
    return role, copartner.exists()


def commitment_get_for_user(*, pk: int, user: User, for_edit: bool = False) -> Commitment:
    """Published, completed and withdrawn commitments are public; drafts, submitted and
    returned ones only to the members of the lead organization and its (invited or confirmed)
    co-partners, and to the Secretariat. Editing is for the lead organization's members while it
    is an approved partner; what each role may then do is the services' `commitment_actions`.

    Sets `user_role` (role in the lead organization) and `is_copartner_member` on the result.
    """
    commitment = (
        Commitment.objects.with_reporting_status()
        .select_related("lead_organization__constituency", "created_by", "last_edited_by")
        .filter(pk=pk)
        .first()
    )
    if commitment is None:
        raise Http404
    role, copartner = commitment_memberships(user=user, commitment=commitment)
    commitment.user_role = role
    commitment.is_copartner_member = copartner
    may_read = (
        commitment.is_public
        or role is not None
        or copartner
        or (user.is_authenticated and user.is_secretariat)
    )
    if not may_read:
        raise Http404
    if for_edit and (
        role is None or commitment.lead_organization.status != Organization.Status.APPROVED
    ):
        raise PermissionDenied
    return commitment


def commitment_page_data(*, commitment: Commitment, user: User) -> dict:
    """Everything the commitment page shows besides the row, in a constant number of queries:
    vocabularies, deliverables, co-partners, progress timeline with files and status changes,
    published versions, and (for members) the pending revision."""
    may_see_hidden = sees_hidden_progress(commitment=commitment, user=user)
    updates = commitment.progress_updates.select_related("author").prefetch_related(
        Prefetch("files", queryset=EvidenceFile.objects.order_by("pk")),
        Prefetch(
            "status_changes",
            queryset=DeliverableStatusChange.objects.select_related("deliverable"),
        ),
    )
    if not may_see_hidden:
        updates = updates.filter(hidden=False)
    member = commitment.user_role is not None or commitment.is_copartner_member
    revision = (
        commitment_open_revision(commitment=commitment)
        if member or (user.is_authenticated and user.is_secretariat)
        else None
    )
    copartnerships = commitment.co_partnerships.select_related("organization").order_by(
        "organization__name"
    )
    if not (member or (user.is_authenticated and user.is_secretariat)):
        copartnerships = copartnerships.filter(status=CoPartnership.Status.CONFIRMED)
    return {
        "thematic_areas": list(commitment.thematic_areas.all()),
        "priorities": list(commitment.priorities.all()),
        "sdgs": list(commitment.sdgs.all()),
        "regions": list(commitment.regions.all()),
        "deliverables": list(commitment.deliverables.all()),
        "copartnerships": list(copartnerships),
        "updates": list(updates),
        "versions": list(commitment.versions.select_related("published_by").order_by("number")),
        "revision": revision,
    }


def commitment_open_revision(*, commitment: Commitment) -> CommitmentRevision | None:
    """The edits of a published commitment being written or waiting for review, if any."""
    return commitment.revisions.filter(status__in=CommitmentRevision.OPEN_STATUSES).first()


def commitment_content(*, commitment: Commitment, revision: CommitmentRevision | None) -> dict:
    """The content of the pending edits `revision` if there are some, else the commitment's
    own, read afresh from its row and relations (commitments.content)."""
    if revision is not None:
        return revision.content
    return content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))


def commitment_current_content(*, commitment: Commitment) -> dict:
    """What a member's next edit starts from: the pending edits of a published commitment,
    else its content (as commitments.services reads it before an update)."""
    revision = (
        commitment_open_revision(commitment=commitment)
        if commitment.status == Status.PUBLISHED
        else None
    )
    return commitment_content(commitment=commitment, revision=revision)


def vocabulary() -> Vocabulary:
    """Names of every vocabulary code (four small queries), for previews and differences."""
    return Vocabulary(
        thematic_areas={area.code: area.name for area in ThematicArea.objects.all()},
        priorities={priority.code: priority.name for priority in Priority.objects.all()},
        sdgs={goal.number: str(goal) for goal in SustainableDevelopmentGoal.objects.all()},
        regions={region.m49: region.name for region in Region.objects.all()},
    )


def moderation_queue() -> dict[str, QuerySet]:
    """What waits for the Secretariat, oldest first: new submissions and edits."""
    return {
        "commitments": Commitment.objects.filter(status=Status.SUBMITTED)
        .select_related("lead_organization")
        .order_by("submitted_at", "pk"),
        "revisions": CommitmentRevision.objects.filter(status=CommitmentRevision.Status.SUBMITTED)
        .select_related("commitment__lead_organization")
        .order_by("submitted_at", "pk"),
    }


def administered_organization_ids(*, user: User) -> set[int]:
    """The organizations this person answers for (as their admin)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values_list(
            "organization_id", flat=True
        )
    )


def user_lead_organizations(*, user: User) -> QuerySet[Organization]:
    """Approved organizations where the user may log commitments."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        status=Organization.Status.APPROVED, memberships__user=user
    ).order_by("name")


def partner_commitments_public(*, organization: Organization) -> QuerySet[Commitment]:
    """What a partner profile lists: public commitments it leads or joined as co-partner."""
    return (
        Commitment.objects.listed()
        .involving(organization)
        .with_reporting_status()
        .select_related("lead_organization")
        .prefetch_related("thematic_areas")
        .order_by("-published_at", "-pk")
    )


def organization_commitments(*, organization: Organization) -> dict:
    """The workspace's view of one organization: its commitments by status, and what needs
    its attention (returned items, overdue deliverables, pending co-partner invitations)."""
    today = timezone.localdate()
    commitments = list(
        Commitment.objects.filter(lead_organization=organization)
        .with_reporting_status(today=today)
        .annotate(
            open_revision_status=_open_revision_status(),
        )
        .order_by("status", "-updated_at")
    )
    by_status = {status: [] for status in Status.values}
    for commitment in commitments:
        by_status[commitment.status].append(commitment)
    overdue = list(
        Deliverable.objects.filter(
            commitment__lead_organization=organization,
            commitment__status=Status.PUBLISHED,
            status__in=Deliverable.OPEN_STATUSES,
            due_date__lt=today,
        )
        .select_related("commitment")
        .order_by("due_date")
    )
    invitations = list(
        CoPartnership.objects.filter(
            organization=organization, status=CoPartnership.Status.INVITED
        ).select_related("commitment__lead_organization")
    )
    return {
        "groups": [(Status(status), items) for status, items in by_status.items() if items],
        "returned": by_status[Status.RETURNED],
        "returned_edits": [
            c for c in commitments if c.open_revision_status == CommitmentRevision.Status.RETURNED
        ],
        "overdue": overdue,
        "attention_reporting": [
            c for c in commitments if c.reporting_status in ("overdue", "update_due", "inactive")
        ],
        "invitations": invitations,
        "count": len(commitments),
    }


def _open_revision_status():
    return Subquery(
        CommitmentRevision.objects.filter(
            commitment=OuterRef("pk"), status__in=CommitmentRevision.OPEN_STATUSES
        ).values("status")[:1]
    )


def autosave_for(*, user: User, organization: Organization, commitment: Commitment | None):
    return Autosave.objects.filter(
        user=user, organization=organization, commitment=commitment
    ).first()


def sees_hidden_progress(*, commitment: Commitment, user: User) -> bool:
    """Whether this user sees the progress updates the Secretariat hid on a commitment read
    through commitment_get_for_user (which sets `user_role`): the lead organization's members,
    whatever their role, and the Secretariat. Co-partners and the public do not."""
    return commitment.user_role is not None or (user.is_authenticated and user.is_secretariat)


def progress_update_visible(*, commitment: Commitment, update_pk: int, user: User):
    """A progress update of a readable commitment, if this user may see it (hidden ones only
    to the lead organization's members and the Secretariat)."""
    updates = commitment.progress_updates.all()
    if not sees_hidden_progress(commitment=commitment, user=user):
        updates = updates.filter(hidden=False)
    update = updates.filter(pk=update_pk).first()
    if update is None:
        raise Http404
    return update


def evidence_file_for_user(
    *, commitment: Commitment, file_pk: int, user: User, update_pk: int | None = None
) -> EvidenceFile:
    """An evidence file of a commitment read through commitment_get_for_user (and of the
    update `update_pk`, when the address names it), if this user may see its update: the one
    rule of the website's download and the API's. Anything else is 404, so that the address
    never tells whether a file exists."""
    evidence = EvidenceFile.objects.select_related("update").filter(
        pk=file_pk, update__commitment=commitment
    )
    if update_pk is not None:
        evidence = evidence.filter(update_id=update_pk)
    if not sees_hidden_progress(commitment=commitment, user=user):
        evidence = evidence.filter(update__hidden=False)
    found = evidence.first()
    if found is None:
        raise Http404
    return found
