"""Pages of commitments: the public browser and commitment page, and the partners' forms.

Every view reads through `selectors.commitment_get_for_user` (who may see or edit) and writes
through the services (what each role may do); a refusal by role is a 403, a broken rule an
error next to its field.
"""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from coalition.errors import ApplicationError
from coalition.forms import add_domain_error
from commitments import selectors, services
from commitments.content import content_diff, content_of
from commitments.errors import NotAllowed, StaleEdit
from commitments.evidence import served_content_type
from commitments.filters import CommitmentFilter
from commitments.forms import (
    ROW_ADD,
    ROW_KEEP,
    ROW_REMOVE,
    CommitmentEditor,
    DecisionForm,
    ProgressUpdateForm,
    SubmitForm,
    row_action_of,
)
from commitments.models import Commitment, CommitmentRevision
from commitments.presentation import present_content, present_row, version_history
from commitments.smart import smart_score
from partners.models import Organization

PAGE_SIZE = getattr(settings, "COMMITMENTS_PAGE_SIZE", 20)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# The public browser ---------------------------------------------------------------------------


def browse(request):
    filterset = CommitmentFilter(request.GET, queryset=selectors.commitment_list_public())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "commitments/list.html#results" if request.htmx else "commitments/list.html"
    return render(
        request,
        template,
        {"filter": filterset, "page": page, "query": _query_without_page(request)},
    )


class _Echo:
    def write(self, value):
        return value


# A spreadsheet runs a cell starting with one of these as a formula: prefix it with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = [
    "id",
    "url",
    "title",
    "lead_partner",
    "co_partners",
    "status",
    "reporting_status",
    "level",
    "thematic_areas",
    "priorities",
    "sdgs",
    "regions",
    "countries",
    "start_date",
    "end_date",
    "resources_amount",
    "resources_currency",
    "deliverables",
    "summary",
    "published_at",
    "updated_at",
]


def _csv_row(commitment: Commitment, site_url: str) -> list:
    return [
        commitment.pk,
        f"{site_url}{commitment.get_absolute_url()}",
        commitment.title,
        commitment.lead_organization.name,
        "; ".join(cp.organization.name for cp in commitment.confirmed_copartnerships),
        commitment.status,
        commitment.reporting_status or "",
        commitment.level,
        "; ".join(area.code for area in commitment.thematic_areas.all()),
        "; ".join(priority.code for priority in commitment.priorities.all()),
        "; ".join(str(goal.number) for goal in commitment.sdgs.all()),
        "; ".join(region.m49 for region in commitment.regions.all()),
        "; ".join(country.code for country in commitment.countries),
        commitment.start_date.isoformat(),
        commitment.end_date.isoformat(),
        commitment.resources_amount if commitment.resources_amount is not None else "",
        commitment.resources_currency,
        len(commitment.deliverables.all()),
        commitment.summary,
        commitment.published_at.isoformat() if commitment.published_at else "",
        commitment.updated_at.isoformat(),
    ]


def export_csv(request):
    """The browser's current filter as a CSV file (same parameters as the page)."""
    filterset = CommitmentFilter(request.GET, queryset=selectors.commitment_list_export())
    writer = csv.writer(_Echo())
    site_url = settings.SITE_URL

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for commitment in filterset.qs.iterator(chunk_size=500):
            yield writer.writerow([_cell(value) for value in _csv_row(commitment, site_url)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="commitments-{stamp}.csv"'
    return response


# The commitment page --------------------------------------------------------------------------


def _roles(request, commitment) -> set[str]:
    roles = services.actor_roles(
        commitment=commitment, actor=request.user, role=commitment.user_role
    )
    # These pages are the partners'; the Secretariat takes its decisions in its admin.
    roles.discard(services.SECRETARIAT)
    return roles


def detail(request, pk: int):
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user)
    data = selectors.commitment_page_data(commitment=commitment, user=request.user)
    versions = data["versions"]
    vocabulary = selectors.vocabulary() if len(versions) > 1 else None
    roles = _roles(request, commitment)
    revision = data["revision"]
    # An admin of an invited (or confirmed) co-partner answers for it on this page.
    administered = (
        selectors.administered_organization_ids(user=request.user)
        if commitment.is_copartner_member
        else set()
    )
    invitation = next(
        (cp for cp in data["copartnerships"] if cp.organization_id in administered), None
    )
    return render(
        request,
        "commitments/detail.html",
        {
            "commitment": commitment,
            "view": present_row(commitment, data),
            "data": data,
            "history": version_history(versions, vocabulary),
            "revision": revision,
            "actions": services.commitment_actions(
                commitment=commitment, roles=roles, revision=revision
            ),
            "is_member": commitment.user_role is not None,
            "invitation": invitation,
        },
    )


def evidence(request, pk: int, file_pk: int):
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user)
    evidence_file = selectors.evidence_file_for_user(
        commitment=commitment, file_pk=file_pk, user=request.user
    )
    try:
        handle = evidence_file.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence_file.name,
        content_type=served_content_type(evidence_file.content_type),
    )


# Writing a commitment -------------------------------------------------------------------------


def _editor_context(request, editor, **extra) -> dict:
    content = editor.partial_content() if editor.form.is_bound else editor.initial_content
    score = smart_score(content)
    return {
        "editor": editor,
        "form": editor.form,
        "formset": editor.formset,
        "score": score,
        **extra,
    }


def _render_form(request, editor, *, status=200, **extra):
    context = _editor_context(request, editor, **extra)
    if request.htmx and row_action_of(request.POST) is not None:
        return render(request, "commitments/form.html#deliverables", context)
    return render(request, "commitments/form.html", context, status=status)


def _restored_data(autosave) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in autosave.data.items():
        data.setlist(key, values if isinstance(values, list) else [values])
    return data


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    organizations = selectors.user_lead_organizations(user=request.user)
    if not organizations.exists():
        raise PermissionDenied(_("Only members of an approved partner log commitments."))
    chosen = organizations.filter(pk=request.GET.get("organization") or 0).first()
    chosen = chosen or organizations.first()
    autosave = selectors.autosave_for(user=request.user, organization=chosen, commitment=None)
    if request.method == "GET":
        if autosave is not None and "restore" in request.GET:
            editor = CommitmentEditor(
                _restored_data(autosave), lead_organizations=organizations, quiet=True
            )
            autosave = None
        else:
            editor = CommitmentEditor(lead_organizations=organizations)
            editor.form.initial["lead_organization"] = chosen.pk
        return _render_form(request, editor, autosave=autosave, organization=chosen)

    row_action = row_action_of(request.POST)
    editor = CommitmentEditor(request.POST, lead_organizations=organizations, row_action=row_action)
    if row_action is None and editor.is_valid():
        organization = editor.form.cleaned_data["lead_organization"]
        try:
            commitment = services.commitment_create(
                organization=organization,
                actor=request.user,
                content=editor.content(),
                co_partners=editor.co_partners or (),
            )
        except ApplicationError as error:
            editor.set_error(error.field, error.message)
        else:
            services.autosave_discard(user=request.user, organization=organization, commitment=None)
            messages.success(
                request,
                _("The draft is saved. Submit it to the Secretariat when it is ready."),
            )
            return redirect(commitment)
    return _render_form(request, editor, organization=chosen)


def _edit_state(commitment: Commitment):
    """The open revision of a published commitment, and the content the form starts from."""
    revision = commitment.revisions.filter(status__in=CommitmentRevision.OPEN_STATUSES).first()
    if revision is not None:
        return revision, revision.content
    row = Commitment.objects.prefetch_for_content().get(pk=commitment.pk)
    return None, content_of(row)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
    revision, current = _edit_state(commitment)
    actions = services.commitment_actions(
        commitment=commitment, roles=_roles(request, commitment), revision=revision
    )
    if "edit" not in actions:
        messages.error(request, _("This commitment cannot be edited now."))
        return redirect(commitment)
    organization = commitment.lead_organization
    autosave = selectors.autosave_for(
        user=request.user, organization=organization, commitment=commitment
    )
    context = {"commitment": commitment, "revision": revision, "organization": organization}
    if request.method == "GET":
        if autosave is not None and "restore" in request.GET:
            editor = CommitmentEditor(_restored_data(autosave), lead=organization, quiet=True)
            autosave = None
        else:
            editor = CommitmentEditor(
                initial=current, lead=organization, lock_version=commitment.lock_version
            )
            editor.form.initial["co_partners"] = [
                cp.organization_id for cp in commitment.co_partnerships.all()
            ]
        return _render_form(request, editor, autosave=autosave, **context)

    row_action = row_action_of(request.POST)
    editor = CommitmentEditor(request.POST, lead=organization, row_action=row_action)
    if row_action is None and editor.is_valid():
        try:
            services.commitment_update(
                commitment=commitment,
                actor=request.user,
                content=editor.content(),
                lock_version=editor.form.cleaned_data["lock_version"] or 0,
                co_partners=editor.co_partners,
            )
        except StaleEdit as stale:
            # Keep what this person typed; compare it with what is saved; the next save (with
            # the current edit number) is a deliberate choice to keep theirs.
            data = request.POST.copy()
            data["lock_version"] = str(stale.lock_version)
            editor = CommitmentEditor(data, lead=organization, quiet=True)
            editor.is_valid()
            changes = content_diff(editor.content(), stale.current, selectors.vocabulary())
            return _render_form(
                request, editor, status=409, stale=stale, stale_changes=changes, **context
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except ApplicationError as error:
            editor.set_error(error.field, error.message)
        else:
            services.autosave_discard(
                user=request.user, organization=organization, commitment=commitment
            )
            if commitment.status == Commitment.Status.PUBLISHED:
                messages.success(
                    request,
                    _(
                        "Your changes are saved. The public still sees the published version "
                        "until the Secretariat publishes them: submit them when ready."
                    ),
                )
            else:
                messages.success(request, _("The commitment is saved."))
            return redirect(commitment)
    return _render_form(request, editor, **context)


@login_required
@require_POST
def smart(request):
    """The live SMART score of the form being written (an htmx fragment)."""
    editor = CommitmentEditor(request.POST)
    return render(
        request, "commitments/form.html#smart", {"score": smart_score(editor.partial_content())}
    )


_NOT_KEPT = {"csrfmiddlewaretoken", ROW_ADD, ROW_REMOVE, ROW_KEEP}


@login_required
@require_POST
def autosave(request, pk: int | None = None):
    """Keeps what is typed in the form without saving it (an htmx fragment)."""
    if pk is not None:
        commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
        organization = commitment.lead_organization
    else:
        commitment = None
        organization = get_object_or_404(
            selectors.user_lead_organizations(user=request.user),
            pk=request.POST.get("lead_organization") or 0,
        )
    data = {key: values for key, values in request.POST.lists() if key not in _NOT_KEPT}
    try:
        kept = services.autosave_store(
            user=request.user, organization=organization, commitment=commitment, data=data
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    return render(request, "commitments/form.html#autosave", {"autosaved_at": kept.updated_at})


@login_required
@require_POST
def autosave_discard(request, pk: int | None = None):
    if pk is not None:
        commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
        organization = commitment.lead_organization
        target = reverse("commitments:edit", kwargs={"pk": pk})
    else:
        commitment = None
        organization = get_object_or_404(
            Organization.objects.all(), pk=request.POST.get("organization") or 0
        )
        target = f"{reverse('commitments:create')}?organization={organization.pk}"
    services.autosave_discard(user=request.user, organization=organization, commitment=commitment)
    messages.success(request, _("The unsaved changes were discarded."))
    return redirect(target)


# Decisions of the partner ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int):
    """Preview, then submission to the Secretariat (of a draft, or of a published one's edits)."""
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
    revision, current = _edit_state(commitment)
    actions = services.commitment_actions(
        commitment=commitment, roles=_roles(request, commitment), revision=revision
    )
    if "submit" not in actions:
        raise PermissionDenied(
            _("Only the organization's admins submit, when there is something to submit.")
        )
    form = SubmitForm(
        request.POST if request.method == "POST" else None, reason_required=revision is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_submit(
                commitment=commitment,
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Submitted. The Secretariat will review it; you will receive its decision "
                    "by email."
                ),
            )
            return redirect(commitment)
    vocabulary = selectors.vocabulary()
    changes = None
    if revision is not None:
        published = content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))
        changes = content_diff(published, current, vocabulary)
    return render(
        request,
        "commitments/submit.html",
        {
            "commitment": commitment,
            "revision": revision,
            "view": present_content(current, vocabulary),
            "score": smart_score(current),
            "changes": changes,
            "form": form,
        },
    )


DECISIONS = {
    "withdraw": {
        "service": services.commitment_withdraw,
        "reason_required": True,
        "title": _lazy("Withdraw this commitment"),
        "label": _lazy("Why is it withdrawn?"),
        "help": _lazy(
            "The commitment stays readable at its address, marked withdrawn with this reason."
        ),
        "done": _lazy("The commitment is withdrawn."),
    },
    "complete": {
        "service": services.commitment_complete,
        "reason_required": False,
        "title": _lazy("Record this commitment as completed"),
        "label": _lazy("A note on its completion (optional)"),
        "help": _lazy("Post a last progress update to tell what was achieved."),
        "done": _lazy("The commitment is recorded as completed. Thank you!"),
    },
}


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk: int, decision: str):
    """The partner's own decisions on a published commitment: withdraw, complete."""
    spec = DECISIONS.get(decision)
    if spec is None:
        raise Http404
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
    actions = services.commitment_actions(
        commitment=commitment, roles=_roles(request, commitment), revision=None
    )
    if decision not in actions:
        raise PermissionDenied(
            _("Only the organization's admins do this, on a published commitment.")
        )
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        reason_required=spec["reason_required"],
        label=spec["label"],
        help_text=spec["help"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            spec["service"](
                commitment=commitment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, spec["done"])
            return redirect(commitment)
    return render(
        request,
        "commitments/decision.html",
        {"commitment": commitment, "form": form, "title": spec["title"], "decision": decision},
    )


@login_required
@require_POST
def revision_discard(request, pk: int):
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
    revision = get_object_or_404(commitment.revisions, status__in=CommitmentRevision.OPEN_STATUSES)
    try:
        services.revision_discard(revision=revision, actor=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your pending changes are discarded."))
    return redirect(commitment)


@login_required
@require_POST
def copartner_respond(request, pk: int):
    """An admin of an invited organization confirms (or declines) its participation."""
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user)
    copartnership = get_object_or_404(
        commitment.co_partnerships, organization_id=request.POST.get("organization") or 0
    )
    accept = request.POST.get("answer") == "confirm"
    try:
        services.copartnership_respond(
            copartnership=copartnership, actor=request.user, accept=accept
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s takes part in this commitment.") % {"name": copartnership.organization.name}
            if accept
            else _("%(name)s does not take part in this commitment.")
            % {"name": copartnership.organization.name},
        )
    return redirect(commitment)


# Progress -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def progress_create(request, pk: int):
    commitment = selectors.commitment_get_for_user(pk=pk, user=request.user, for_edit=True)
    actions = services.commitment_actions(
        commitment=commitment, roles=_roles(request, commitment), revision=None
    )
    if "progress" not in actions:
        raise PermissionDenied(_("Progress is reported on published commitments."))
    deliverables = commitment.deliverables.order_by("position", "pk")
    form = ProgressUpdateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        deliverables=deliverables,
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_create(
                commitment=commitment,
                actor=request.user,
                date=form.cleaned_data["date"],
                narrative=form.cleaned_data["narrative"],
                links=form.cleaned_data["links"],
                files=form.cleaned_data["files"],
                status_changes=form.status_changes(),
                resources_mobilised=form.cleaned_data["resources_mobilised"],
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message) from None
        except ApplicationError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Your progress update is published on the commitment's page.")
            )
            return redirect(commitment.get_absolute_url() + "#progress")
    return render(
        request, "commitments/progress_form.html", {"commitment": commitment, "form": form}
    )
