"""Every write of the commitments app: views, admin actions, API, tasks and commands call these.

A commitment's status moves only through ALLOWED_TRANSITIONS, by the actors TRANSITION_ACTORS
names. Drafts and returned commitments are edited in place; a published one's edits become a
CommitmentRevision that the Secretariat publishes (a new CommitmentVersion) or returns.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition import events
from coalition.history import record_change
from coalition.models import Priority, Region, SustainableDevelopmentGoal, ThematicArea, User
from commitments.content import content_errors, normalize
from commitments.errors import CommitmentError, NotAllowed, StaleEdit
from commitments.evidence import check_evidence_files
from commitments.models import (
    Autosave,
    Commitment,
    CommitmentRevision,
    CommitmentVersion,
    CoPartnership,
    Deliverable,
    DeliverableStatusChange,
    EvidenceFile,
    ProgressUpdate,
)
from commitments.search import refresh_search_vector
from commitments.selectors import commitment_content
from partners.models import Membership, Organization
from partners.selectors import membership_role

Status = Commitment.Status
RevisionStatus = CommitmentRevision.Status

# The commitment lifecycle of DESIGN.md, in one place: from each status, where it may go.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.PUBLISHED, Status.RETURNED},
    Status.RETURNED: {Status.SUBMITTED},
    Status.PUBLISHED: {Status.COMPLETED, Status.WITHDRAWN},
    Status.COMPLETED: set(),
    Status.WITHDRAWN: set(),
}
# Who moves a commitment into each status: the lead organization's admins, the Secretariat.
ADMIN, SECRETARIAT = "admin", "secretariat"
TRANSITION_ACTORS: dict[str, set[str]] = {
    Status.SUBMITTED: {ADMIN},
    Status.PUBLISHED: {SECRETARIAT},
    Status.RETURNED: {SECRETARIAT},
    Status.COMPLETED: {ADMIN, SECRETARIAT},
    Status.WITHDRAWN: {ADMIN, SECRETARIAT},
}
# Entering these statuses is a judgement the partner (and, for a withdrawal, the public) reads.
REASON_REQUIRED = {Status.RETURNED, Status.WITHDRAWN}


# Roles and permitted actions ------------------------------------------------------------------


_UNKNOWN = object()


def actor_roles(*, commitment: Commitment, actor: User, role=_UNKNOWN) -> set[str]:
    """The roles of TRANSITION_ACTORS the actor holds on this commitment (plus "member" for
    any member of its lead organization while that is an approved partner). `role`, when the
    caller already knows the actor's membership role, saves a query."""
    roles = set()
    if actor.is_authenticated and actor.is_secretariat:
        roles.add(SECRETARIAT)
    if role is _UNKNOWN:
        role = membership_role(user=actor, organization=commitment.lead_organization)
    if role is not None and commitment.lead_organization.status == Organization.Status.APPROVED:
        roles.add("member")
        if role == Membership.Role.ADMIN:
            roles.add(ADMIN)
    return roles


def commitment_actions(
    *, commitment: Commitment, roles: set[str], revision: CommitmentRevision | None
) -> set[str]:
    """What the page offers: the same rules the services below enforce."""
    actions = set()
    status = commitment.status
    member = "member" in roles
    revision_open = revision is not None and revision.status in (
        RevisionStatus.DRAFT,
        RevisionStatus.RETURNED,
    )
    revision_submitted = revision is not None and revision.status == RevisionStatus.SUBMITTED
    editable = commitment.is_editable_in_place or status == Status.PUBLISHED
    if member and editable and not revision_submitted:
        actions.add("edit")
    if (
        Status.SUBMITTED in ALLOWED_TRANSITIONS[status]
        and roles & TRANSITION_ACTORS[Status.SUBMITTED]
    ):
        actions.add("submit")
    if status == Status.PUBLISHED and revision_open and ADMIN in roles:
        actions.add("submit")
    for target, action in ((Status.COMPLETED, "complete"), (Status.WITHDRAWN, "withdraw")):
        if target in ALLOWED_TRANSITIONS[status] and roles & TRANSITION_ACTORS[target]:
            actions.add(action)
    if member and status in (Status.PUBLISHED, Status.COMPLETED):
        actions.add("progress")
    if member and revision_open:
        actions.add("discard_revision")
    return actions


def _require_member(commitment: Commitment, actor: User, *, admin: bool = False) -> None:
    roles = actor_roles(commitment=commitment, actor=actor)
    if "member" not in roles:
        raise NotAllowed(
            _("Only members of %(name)s, an approved partner, work on this commitment.")
            % {"name": commitment.lead_organization.name}
        )
    if admin and ADMIN not in roles:
        raise NotAllowed(_("Only the organization's admins submit, complete or withdraw."))


def _require_secretariat(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_secretariat):
        raise NotAllowed(_("Only the Secretariat takes this decision."))


def _transition(
    commitment: Commitment, status: str, *, actor: User, reason: str = ""
) -> Commitment:
    """Moves a (locked) commitment to `status` if the lifecycle and the actor's role allow it."""
    if status not in ALLOWED_TRANSITIONS[commitment.status]:
        raise CommitmentError(
            _("A commitment that is %(current)s cannot become %(new)s.")
            % {
                "current": commitment.get_status_display().lower(),
                "new": Status(status).label.lower(),
            }
        )
    if not actor_roles(commitment=commitment, actor=actor) & TRANSITION_ACTORS[status]:
        if TRANSITION_ACTORS[status] == {SECRETARIAT}:
            raise NotAllowed(_("Only the Secretariat takes this decision."))
        raise NotAllowed(_("Only the organization's admins submit, complete or withdraw."))
    reason = reason.strip()
    if status in REASON_REQUIRED and not reason:
        raise CommitmentError(_("Give the reason of this decision."), field="reason")
    now = timezone.now()
    commitment.status = status
    commitment.status_changed_at = now
    commitment.status_reason = reason if status in REASON_REQUIRED else ""
    record_change(commitment, actor=actor, reason=reason or f"Status: {status}")
    commitment.save()
    return commitment


def _lock(commitment: Commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("lead_organization")
        .get(pk=commitment.pk)
    )


def _touch(commitment: Commitment) -> None:
    """Marks the commitment changed for incremental sync when its deliverables, progress or
    co-partners change (their own rows have their own `updated_at` too)."""
    Commitment.objects.filter(pk=commitment.pk).update(updated_at=timezone.now())


def _open_revision(commitment: Commitment) -> CommitmentRevision | None:
    return (
        commitment.revisions.select_for_update()
        .filter(status__in=CommitmentRevision.OPEN_STATUSES)
        .first()
    )


def _queue_decision_email(commitment: Commitment, decision: str, object_id: int | None = None):
    from commitments.tasks import send_commitment_decision

    send_commitment_decision.delay_on_commit(commitment.pk, decision, object_id)


# Content -------------------------------------------------------------------------------------


def _check_content(content: dict, *, for_submission: bool = False) -> dict:
    content = normalize(content)
    errors = content_errors(content)
    if for_submission and not content["deliverables"]:
        errors.append(
            ("deliverables", _("Add at least one deliverable before submitting the commitment."))
        )
    if errors:
        field, message = errors[0]
        raise CommitmentError(message, field=field)
    return content


def _vocabulary_objects(content: dict) -> dict:
    """The vocabulary rows the content names; an unknown code is refused."""
    lookups = {
        "thematic_areas": (ThematicArea, "code"),
        "priorities": (Priority, "code"),
        "sdgs": (SustainableDevelopmentGoal, "number"),
        "regions": (Region, "m49"),
    }
    objects = {}
    for name, (model, key) in lookups.items():
        codes = content[name]
        found = list(model.objects.filter(**{f"{key}__in": codes}))
        if len(found) != len(codes):
            unknown = set(codes) - {getattr(obj, key) for obj in found}
            raise CommitmentError(
                _("Unknown value: %(codes)s.") % {"codes": ", ".join(map(str, sorted(unknown)))},
                field=name,
            )
        objects[name] = found
    return objects


def _apply_content(commitment: Commitment, content: dict, *, actor: User, reason: str) -> None:
    """Writes a checked content onto the commitment row and its deliverables.

    A deliverable left out is deleted while the commitment was never published; afterwards it
    is kept, marked dropped, so that its progress history stays readable.
    """
    vocabulary = _vocabulary_objects(content)
    for name in (
        "title",
        "summary",
        "description",
        "level",
        "resources_description",
        "resources_currency",
        "expected_results",
        "language",
        "resource_types",
        "links",
    ):
        setattr(commitment, name, content[name])
    commitment.countries = content["countries"]
    commitment.start_date = datetime.date.fromisoformat(content["start_date"])
    commitment.end_date = datetime.date.fromisoformat(content["end_date"])
    amount = content["resources_amount"]
    commitment.resources_amount = Decimal(amount) if amount is not None else None
    commitment.set_codes(**vocabulary)  # the row's copy of the relations set below
    commitment.last_edited_by = actor
    commitment.last_edited_at = timezone.now()
    record_change(commitment, actor=actor, reason=reason)
    commitment.save()
    for name, objects in vocabulary.items():
        getattr(commitment, name).set(objects)

    existing = {item.pk: item for item in commitment.deliverables.all()}
    kept = set()
    for position, item in enumerate(content["deliverables"]):
        deliverable = existing.get(item["id"]) or Deliverable(commitment=commitment)
        if deliverable.pk and deliverable.status == Deliverable.Status.DROPPED:
            deliverable.status = Deliverable.Status.PLANNED  # brought back by the partner
        deliverable.position = position
        for name in ("title", "indicator", "baseline", "target"):
            setattr(deliverable, name, item[name])
        deliverable.due_date = datetime.date.fromisoformat(item["due_date"])
        record_change(deliverable, actor=actor, reason=reason)
        deliverable.save()
        kept.add(deliverable.pk)
    for pk, deliverable in existing.items():
        if pk in kept or deliverable.status == Deliverable.Status.DROPPED:
            continue
        if commitment.first_published_at is None:
            record_change(deliverable, actor=actor, reason=reason)
            deliverable.delete()
        else:
            deliverable.status = Deliverable.Status.DROPPED
            deliverable.status_changed_at = timezone.now()
            record_change(deliverable, actor=actor, reason=reason)
            deliverable.save()
    refresh_search_vector(commitment)


def _set_co_partners(
    commitment: Commitment, organizations: Iterable[Organization], *, actor: User
) -> None:
    from commitments.tasks import send_copartner_invitation

    wanted = {organization.pk: organization for organization in organizations}
    wanted.pop(commitment.lead_organization_id, None)
    existing = {cp.organization_id: cp for cp in commitment.co_partnerships.all()}
    changed_public = False
    for pk, organization in wanted.items():
        if pk in existing:
            continue
        if organization.status != Organization.Status.APPROVED:
            raise CommitmentError(
                _("%(name)s is not an approved partner of the Coalition.")
                % {"name": organization.name},
                field="co_partners",
            )
        copartnership = CoPartnership(
            commitment=commitment, organization=organization, invited_by=actor
        )
        record_change(copartnership, actor=actor, reason="Invited as co-partner")
        copartnership.save()
        send_copartner_invitation.delay_on_commit(copartnership.pk)
    for pk, copartnership in existing.items():
        if pk not in wanted:
            changed_public |= copartnership.status == CoPartnership.Status.CONFIRMED
            record_change(copartnership, actor=actor, reason="Removed by the lead organization")
            copartnership.delete()
    if changed_public:
        _touch(commitment)


@transaction.atomic
def commitment_create(
    *,
    organization: Organization,
    actor: User,
    content: dict,
    co_partners: Iterable[Organization] = (),
) -> Commitment:
    """A new draft led by `organization`, written by one of its members."""
    if (
        organization.status != Organization.Status.APPROVED
        or membership_role(user=actor, organization=organization) is None
    ):
        raise NotAllowed(
            _("Only members of an approved partner log its commitments."),
            field="lead_organization",
        )
    content = _check_content(content)
    commitment = Commitment(lead_organization=organization, status=Status.DRAFT, created_by=actor)
    commitment.status_changed_at = timezone.now()
    _apply_content(commitment, content, actor=actor, reason="Created")
    _set_co_partners(commitment, co_partners, actor=actor)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    actor: User,
    content: dict,
    lock_version: int,
    co_partners: Iterable[Organization] | None = None,
) -> Commitment:
    """Saves a member's edit: in place for a draft or a returned commitment, as the pending
    revision of a published one. Refuses a save that began before someone else's."""
    commitment = _lock(commitment)
    _require_member(commitment, actor)
    if commitment.status in (Status.SUBMITTED, Status.COMPLETED, Status.WITHDRAWN):
        raise CommitmentError(
            _("A commitment that is %(status)s cannot be edited.")
            % {"status": commitment.get_status_display().lower()}
        )
    revision = _open_revision(commitment) if commitment.status == Status.PUBLISHED else None
    if revision is not None and revision.status == RevisionStatus.SUBMITTED:
        raise CommitmentError(
            _(
                "Your changes are with the Secretariat for review; you can edit again once it "
                "publishes or returns them."
            )
        )
    if commitment.lock_version != lock_version:
        raise StaleEdit(
            _(
                "Someone saved this commitment after you began editing. Your changes are not "
                "saved yet: compare them with the saved version below, then save again to "
                "keep yours."
            ),
            current=commitment_content(commitment=commitment, revision=revision),
            lock_version=commitment.lock_version,
            edited_by=commitment.last_edited_by,
            edited_at=commitment.last_edited_at,
        )
    content = _check_content(content)
    if commitment.status == Status.PUBLISHED:
        if revision is None:
            revision = CommitmentRevision(
                commitment=commitment,
                created_by=actor,
                base_version=commitment.versions.aggregate(n=Max("number"))["n"] or 0,
            )
        revision.content = content
        record_change(revision, actor=actor, reason="Edited")
        revision.save()
        # The public row is unchanged: no new `updated_at` for the sync clients.
        Commitment.objects.filter(pk=commitment.pk).update(
            lock_version=F("lock_version") + 1,
            last_edited_by=actor,
            last_edited_at=timezone.now(),
        )
    else:
        commitment.lock_version += 1
        _apply_content(commitment, content, actor=actor, reason="Edited")
    if co_partners is not None:
        _set_co_partners(commitment, co_partners, actor=actor)
    commitment.refresh_from_db()
    return commitment


@transaction.atomic
def commitment_submit(*, commitment: Commitment, actor: User, reason: str = "") -> Commitment:
    """Sends a draft or returned commitment, or the pending edits of a published one, to the
    Secretariat. Edits need the partner's reason for the changes (shown with the new version)."""
    commitment = _lock(commitment)
    if commitment.status == Status.PUBLISHED:
        _require_member(commitment, actor, admin=True)
        revision = _open_revision(commitment)
        if revision is None or revision.status == RevisionStatus.SUBMITTED:
            raise CommitmentError(_("There are no edits waiting to be submitted."))
        if not reason.strip():
            raise CommitmentError(
                _("Say why the commitment changes: the public reads it with the new version."),
                field="reason",
            )
        _check_content(revision.content, for_submission=True)
        if normalize(revision.content) == commitment_content(commitment=commitment, revision=None):
            raise CommitmentError(_("The edits do not change the published commitment."))
        revision.status = RevisionStatus.SUBMITTED
        revision.reason = reason.strip()
        revision.submitted_at = timezone.now()
        revision.submitted_by = actor
        record_change(revision, actor=actor, reason=reason)
        revision.save()
        return commitment
    if Status.SUBMITTED in ALLOWED_TRANSITIONS[commitment.status]:
        _require_member(commitment, actor, admin=True)
        _check_content(
            commitment_content(commitment=commitment, revision=None), for_submission=True
        )
    commitment.submitted_at = timezone.now()
    commitment.submitted_by = actor
    return _transition(commitment, Status.SUBMITTED, actor=actor, reason=reason)


def _publish_version(commitment: Commitment, *, actor: User, reason: str, now) -> CommitmentVersion:
    number = (commitment.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    content = commitment_content(commitment=commitment, revision=None)
    return CommitmentVersion.objects.create(
        commitment=commitment,
        number=number,
        content=content,
        reason=reason,
        published_at=now,
        published_by=actor,
    )


@transaction.atomic
def commitment_publish(*, commitment: Commitment, actor: User, reason: str = "") -> Commitment:
    """The Secretariat publishes a submitted commitment (or its submitted edits)."""
    _require_secretariat(actor)
    commitment = _lock(commitment)
    if commitment.status == Status.PUBLISHED:
        revision = commitment.revisions.filter(status=RevisionStatus.SUBMITTED).first()
        if revision is not None:
            revision_publish(revision=revision, actor=actor, reason=reason)
            commitment.refresh_from_db()
            return commitment
    now = timezone.now()
    commitment.first_published_at = commitment.first_published_at or now
    commitment.published_at = now
    _transition(commitment, Status.PUBLISHED, actor=actor, reason=reason)
    _publish_version(commitment, actor=actor, reason="", now=now)
    _queue_decision_email(commitment, "published")
    events.emit("commitment.published", commitment)
    return commitment


@transaction.atomic
def commitment_return(*, commitment: Commitment, actor: User, reason: str) -> Commitment:
    """The Secretariat returns a submitted commitment (or its submitted edits) with a reason."""
    _require_secretariat(actor)
    commitment = _lock(commitment)
    if commitment.status == Status.PUBLISHED:
        revision = commitment.revisions.filter(status=RevisionStatus.SUBMITTED).first()
        if revision is not None:
            revision_return(revision=revision, actor=actor, reason=reason)
            return commitment
    _transition(commitment, Status.RETURNED, actor=actor, reason=reason)
    _queue_decision_email(commitment, "returned")
    return commitment


def _lock_submitted_revision(revision: CommitmentRevision) -> CommitmentRevision:
    revision = CommitmentRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.SUBMITTED:
        raise CommitmentError(
            _("These edits are %(status)s, not waiting for review.")
            % {"status": revision.get_status_display().lower()}
        )
    return revision


@transaction.atomic
def revision_publish(
    *, revision: CommitmentRevision, actor: User, reason: str = ""
) -> CommitmentRevision:
    """Publishes a published commitment's edits: the row takes them and a new version is kept
    with the partner's reason for the changes."""
    _require_secretariat(actor)
    commitment = _lock(revision.commitment)
    revision = _lock_submitted_revision(revision)
    if commitment.status != Status.PUBLISHED:
        raise CommitmentError(_("Only the edits of a published commitment are published."))
    content = _check_content(revision.content)
    now = timezone.now()
    commitment.lock_version += 1
    commitment.published_at = now
    _apply_content(commitment, content, actor=actor, reason=reason or "Edits published")
    _publish_version(commitment, actor=actor, reason=revision.reason, now=now)
    revision.status = RevisionStatus.PUBLISHED
    revision.decided_at = now
    revision.decided_by = actor
    revision.decision_reason = reason.strip()
    record_change(revision, actor=actor, reason=reason or "Published")
    revision.save()
    _queue_decision_email(commitment, "revision_published", revision.pk)
    events.emit("commitment.updated", commitment)
    return revision


@transaction.atomic
def revision_return(
    *, revision: CommitmentRevision, actor: User, reason: str
) -> CommitmentRevision:
    """Returns a published commitment's edits to the partner; the published version stays."""
    _require_secretariat(actor)
    if not reason.strip():
        raise CommitmentError(_("Give the reason of this decision."), field="reason")
    revision = _lock_submitted_revision(revision)
    revision.status = RevisionStatus.RETURNED
    revision.decided_at = timezone.now()
    revision.decided_by = actor
    revision.decision_reason = reason.strip()
    record_change(revision, actor=actor, reason=reason)
    revision.save()
    _queue_decision_email(revision.commitment, "revision_returned", revision.pk)
    return revision


@transaction.atomic
def revision_discard(*, revision: CommitmentRevision, actor: User) -> CommitmentRevision:
    """A member drops the pending edits of a published commitment (not once submitted)."""
    commitment = _lock(revision.commitment)
    _require_member(commitment, actor)
    revision = CommitmentRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status not in (RevisionStatus.DRAFT, RevisionStatus.RETURNED):
        raise CommitmentError(_("Only edits that are not with the Secretariat can be discarded."))
    revision.status = RevisionStatus.DISCARDED
    record_change(revision, actor=actor, reason="Discarded")
    revision.save()
    Commitment.objects.filter(pk=commitment.pk).update(lock_version=F("lock_version") + 1)
    return revision


def _close_open_revision(commitment: Commitment, *, actor: User, reason: str) -> None:
    revision = _open_revision(commitment)
    if revision is not None:
        revision.status = RevisionStatus.DISCARDED
        record_change(revision, actor=actor, reason=reason)
        revision.save()


@transaction.atomic
def commitment_withdraw(*, commitment: Commitment, actor: User, reason: str) -> Commitment:
    """The partner (its admins) or the Secretariat withdraws a published commitment. It stays
    readable at its address, marked withdrawn with the reason, and leaves the listings."""
    commitment = _lock(commitment)
    _transition(commitment, Status.WITHDRAWN, actor=actor, reason=reason)
    _close_open_revision(commitment, actor=actor, reason="Commitment withdrawn")
    if membership_role(user=actor, organization=commitment.lead_organization) is None:
        _queue_decision_email(commitment, "withdrawn")
    events.emit("commitment.withdrawn", commitment)
    return commitment


@transaction.atomic
def commitment_complete(*, commitment: Commitment, actor: User, reason: str = "") -> Commitment:
    """The partner (its admins) or the Secretariat records that a published commitment is done."""
    commitment = _lock(commitment)
    _transition(commitment, Status.COMPLETED, actor=actor, reason=reason)
    _close_open_revision(commitment, actor=actor, reason="Commitment completed")
    if membership_role(user=actor, organization=commitment.lead_organization) is None:
        _queue_decision_email(commitment, "completed")
    return commitment


# Co-partners ---------------------------------------------------------------------------------


@transaction.atomic
def copartnership_respond(
    *, copartnership: CoPartnership, actor: User, accept: bool
) -> CoPartnership:
    """An admin of the invited organization confirms or declines (or later leaves)."""
    copartnership = (
        CoPartnership.objects.select_for_update(of=("self",))
        .select_related("organization", "commitment")
        .get(pk=copartnership.pk)
    )
    if membership_role(user=actor, organization=copartnership.organization) != (
        Membership.Role.ADMIN
    ):
        raise NotAllowed(
            _("Only the admins of %(name)s answer for it.")
            % {"name": copartnership.organization.name}
        )
    new_status = CoPartnership.Status.CONFIRMED if accept else CoPartnership.Status.DECLINED
    if copartnership.status == new_status:
        return copartnership
    if accept and copartnership.status != CoPartnership.Status.INVITED:
        raise CommitmentError(_("Ask the lead organization to invite you again."))
    was_public = copartnership.status == CoPartnership.Status.CONFIRMED
    copartnership.status = new_status
    copartnership.responded_by = actor
    copartnership.responded_at = timezone.now()
    record_change(copartnership, actor=actor, reason=f"Co-partnership {new_status}")
    copartnership.save()
    if accept or was_public:
        _touch(copartnership.commitment)
    return copartnership


# Progress ------------------------------------------------------------------------------------


@transaction.atomic
def progress_update_create(
    *,
    commitment: Commitment,
    actor: User,
    date: datetime.date,
    narrative: str = "",
    links: Iterable[str] = (),
    files: Iterable = (),
    status_changes: dict[int, str] | None = None,
    resources_mobilised: Decimal | None = None,
) -> ProgressUpdate:
    """A member reports progress on a published (or completed) commitment."""
    commitment = _lock(commitment)
    _require_member(commitment, actor)
    if commitment.status not in (Status.PUBLISHED, Status.COMPLETED):
        raise CommitmentError(_("Progress is reported on published commitments."))
    if date > timezone.localdate():
        raise CommitmentError(_("The date of an update cannot be in the future."), field="date")
    links = [link.strip() for link in links if link and link.strip()]
    validate_url = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            validate_url(link)
        except ValidationError:
            raise CommitmentError(
                _("“%(link)s” is not a web address (https://…).") % {"link": link},
                field="links",
            ) from None
    files = list(files)
    checked = check_evidence_files(files)
    status_changes = {int(pk): status for pk, status in (status_changes or {}).items() if status}
    if not (narrative.strip() or links or files or status_changes):
        raise CommitmentError(
            _("Say what happened, or link to a report you already publish."), field="narrative"
        )
    if resources_mobilised is not None and resources_mobilised < 0:
        raise CommitmentError(_("The amount cannot be negative."), field="resources_mobilised")
    update = ProgressUpdate(
        commitment=commitment,
        author=actor,
        date=date,
        narrative=narrative.strip(),
        links=links,
        resources_mobilised=resources_mobilised,
        evidence_level=ProgressUpdate.EvidenceLevel.EVIDENCE_ATTACHED
        if links or files
        else ProgressUpdate.EvidenceLevel.SELF_REPORTED,
    )
    record_change(update, actor=actor, reason="Progress reported")
    update.save()
    deliverables = {item.pk: item for item in commitment.deliverables.select_for_update()}
    for pk, new_status in status_changes.items():
        deliverable = deliverables.get(pk)
        if deliverable is None:
            raise CommitmentError(_("This deliverable is not part of the commitment."))
        if new_status not in Deliverable.Status.values:
            raise CommitmentError(_("Choose a valid status."), field=f"deliverable_{pk}")
        if new_status == deliverable.status:
            continue
        DeliverableStatusChange.objects.create(
            update=update,
            deliverable=deliverable,
            old_status=deliverable.status,
            new_status=new_status,
        )
        deliverable.status = new_status
        deliverable.status_changed_at = timezone.now()
        record_change(deliverable, actor=actor, reason=f"Progress update of {date.isoformat()}")
        deliverable.save()
    for upload, info in zip(files, checked, strict=True):
        evidence = EvidenceFile(
            update=update, name=info.name, content_type=info.content_type, size=info.size
        )
        evidence.file.save(info.stored_name, upload, save=False)
        evidence.save()
    _touch(commitment)
    events.emit("progress.posted", update)
    return update


@transaction.atomic
def progress_update_hide(*, update: ProgressUpdate, actor: User, reason: str) -> ProgressUpdate:
    """The Secretariat hides a progress update from the public, with the reason."""
    _require_secretariat(actor)
    if not reason.strip():
        raise CommitmentError(_("Give the reason for hiding this update."), field="reason")
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if update.hidden:
        raise CommitmentError(_("This update is already hidden."))
    update.hidden = True
    update.hidden_reason = reason.strip()
    update.hidden_by = actor
    update.hidden_at = timezone.now()
    record_change(update, actor=actor, reason=reason)
    update.save()
    _touch(update.commitment)
    _queue_decision_email(update.commitment, "update_hidden", update.pk)
    return update


@transaction.atomic
def progress_update_validate(
    *, update: ProgressUpdate, actor: User, reason: str = ""
) -> ProgressUpdate:
    """The Secretariat confirms the evidence of a progress update."""
    _require_secretariat(actor)
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if update.evidence_level == ProgressUpdate.EvidenceLevel.VALIDATED:
        raise CommitmentError(_("This update is already validated."))
    if update.hidden:
        raise CommitmentError(_("A hidden update cannot be validated."))
    update.evidence_level = ProgressUpdate.EvidenceLevel.VALIDATED
    update.validated_by = actor
    update.validated_at = timezone.now()
    record_change(update, actor=actor, reason=reason or "Evidence validated")
    update.save()
    _touch(update.commitment)
    _queue_decision_email(update.commitment, "update_validated", update.pk)
    return update


# Autosave ------------------------------------------------------------------------------------


def _autosave_key(*, user: User, organization: Organization, commitment: Commitment | None):
    return {"user": user, "organization": organization, "commitment": commitment}


@transaction.atomic
def autosave_store(
    *,
    user: User,
    organization: Organization,
    commitment: Commitment | None,
    data: dict,
) -> Autosave:
    """Keeps what a member typed and has not saved yet (one per person and form)."""
    if membership_role(user=user, organization=organization) is None:
        raise NotAllowed(_("Only members of the organization write its commitments."))
    autosave, _created = Autosave.objects.update_or_create(
        **_autosave_key(user=user, organization=organization, commitment=commitment),
        defaults={"data": data},
    )
    return autosave


def autosave_discard(
    *, user: User, organization: Organization, commitment: Commitment | None
) -> None:
    Autosave.objects.filter(
        **_autosave_key(user=user, organization=organization, commitment=commitment)
    ).delete()
