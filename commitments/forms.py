"""The forms partners write commitments and progress with.

`CommitmentEditor` joins the commitment form and its deliverable rows (a formset: without
JavaScript, "Add a deliverable" submits the form and comes back with one more row) and checks
them with the same rules as the services (`content_errors`), so that every error shows next to
its field, all at once, and nothing typed is lost.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms.utils import ErrorDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from coalition.models import Priority, Region, SustainableDevelopmentGoal, ThematicArea
from commitments.content import normalize
from commitments.evidence import ACCEPT_ATTRIBUTE, MAX_FILES_PER_UPDATE, max_bytes
from commitments.models import Deliverable, Level, ResourceType
from partners.models import WORKING_LANGUAGES, Organization

MAX_DELIVERABLES = 30
MAX_LINKS = 10
MAX_NARRATIVE = 10_000
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _links(value: str) -> list[str]:
    links = [line.strip() for line in (value or "").splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise ValidationError(_("Give %(count)d links at most.") % {"count": MAX_LINKS})
    validate = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            validate(link)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address (https://…).") % {"link": link}
            ) from None
    return links


class PlainLabels:
    """Labels without the trailing colon (screen readers read the label as written)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CommitmentForm(PlainLabels, forms.Form):
    lead_organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        label=_("Lead organization"),
        empty_label=None,
        help_text=_("The partner that leads this action."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A short name of the action, e.g. “Apprenticeships for 500 young people”."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences the public reads first (600 characters at most)."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What will be done, by whom, for whom, and how."),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=WORKING_LANGUAGES,
        initial="en",
        help_text=_("Search uses it to understand the words of your text."),
    )
    thematic_areas = forms.ModelMultipleChoiceField(
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        label=_("Thematic areas"),
        help_text=_("The Coalition's areas of immediate action this commitment serves."),
        error_messages={"required": _("Choose at least one thematic area.")},
    )
    priorities = forms.ModelMultipleChoiceField(
        queryset=Priority.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Initial priorities"),
    )
    sdgs = forms.ModelMultipleChoiceField(
        queryset=SustainableDevelopmentGoal.objects.all(),
        to_field_name="number",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Sustainable Development Goals"),
    )
    level = forms.ChoiceField(
        choices=Level.choices,
        widget=forms.RadioSelect,
        label=_("Level of action"),
        help_text=_(
            "Regional: choose the regions (and the countries, if it focuses on some). "
            "National: choose the country or countries."
        ),
    )
    regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.filter(kind__in=[Region.Kind.REGION, Region.Kind.SUB_REGION]),
        to_field_name="m49",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Regions"),
    )
    countries = forms.MultipleChoiceField(
        choices=countries,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        label=_("Countries"),
        help_text=_("Hold Ctrl (or Cmd) to choose several countries."),
    )
    start_date = forms.DateField(
        label=_("Start date"),
        widget=DateInput,
        error_messages={"required": _("Give the start date.")},
    )
    end_date = forms.DateField(
        label=_("End date"),
        widget=DateInput,
        error_messages={"required": _("Give the end date.")},
    )
    resource_types = forms.MultipleChoiceField(
        choices=ResourceType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Resources committed"),
    )
    resources_description = forms.CharField(
        label=_("Resources: description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: two full-time staff, training rooms, 50,000 USD a year."),
    )
    resources_amount = forms.DecimalField(
        label=_("Resources: amount (optional)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
    )
    resources_currency = forms.CharField(
        label=_("Resources: currency (optional)"),
        required=False,
        max_length=3,
        help_text=_("Three-letter code, e.g. USD, EUR, XOF."),
    )
    expected_results = forms.CharField(
        label=_("Expected results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Web pages about the action, one per line."),
    )
    co_partners = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label=_("Co-partners (collective action)"),
        help_text=_(
            "Other partners taking part. Each is asked to confirm, and is shown once it does. "
            "Hold Ctrl (or Cmd) to choose several."
        ),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, lead_organizations=None, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lead_organizations is None:
            del self.fields["lead_organization"]
        else:
            self.fields["lead_organization"].queryset = lead_organizations
        partners = Organization.objects.public().order_by("name")
        if lead is not None:
            partners = partners.exclude(pk=lead.pk)
        self.fields["co_partners"].queryset = partners

    def clean_resources_currency(self):
        value = self.cleaned_data["resources_currency"].strip().upper()
        if value and not CURRENCY.match(value):
            raise ValidationError(_("Give the three-letter code of the currency, e.g. USD."))
        return value

    def clean_links(self):
        return _links(self.cleaned_data["links"])


class DeliverableForm(PlainLabels, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_("What will be delivered"),
        max_length=300,
        error_messages={"required": _("Say what will be delivered.")},
    )
    indicator = forms.CharField(
        label=_("Indicator"),
        max_length=300,
        help_text=_("How progress is measured, e.g. “number of workers covered”."),
        error_messages={"required": _("Give a measurable indicator for this deliverable.")},
    )
    baseline = forms.CharField(label=_("Baseline"), max_length=200, required=False)
    target = forms.CharField(
        label=_("Target"),
        max_length=200,
        error_messages={"required": _("Give the target to reach.")},
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=DateInput,
        error_messages={"required": _("Give the due date.")},
    )


def deliverable_formset(*, extra: int):
    return forms.formset_factory(
        DeliverableForm,
        extra=extra,
        can_delete=True,
        max_num=MAX_DELIVERABLES,
        validate_max=True,
    )


def _suppress_errors(form) -> None:
    # Showing a form again after "Add a deliverable" or a restore is not a save attempt: its
    # values come back, but no error is shown yet (Django validates lazily on `errors`).
    form._errors = ErrorDict()
    form.cleaned_data = {}


ROW_ADD, ROW_REMOVE, ROW_KEEP = "add_deliverable", "remove_deliverable", "keep_deliverable"


def row_action_of(data) -> tuple[str, int] | None:
    """The deliverable row button that submitted the form, if one did."""
    for action in (ROW_ADD, ROW_REMOVE, ROW_KEEP):
        if action in data:
            value = str(data.get(action) or "")
            return action, int(value) if value.isdigit() else -1
    return None


class CommitmentEditor:
    """The commitment form and its deliverable rows, checked together."""

    prefix = "deliverables"

    def __init__(
        self,
        data=None,
        *,
        initial: dict | None = None,
        lead_organizations=None,
        lead=None,
        lock_version: int | None = None,
        row_action: tuple[str, int] | None = None,
        quiet: bool = False,
    ):
        initial = normalize(initial) if initial else None
        self.initial_content = initial or {}
        form_initial = self._form_initial(initial) if initial else {}
        if lock_version is not None:
            form_initial["lock_version"] = lock_version
        self.form = CommitmentForm(
            data,
            initial=form_initial,
            lead_organizations=lead_organizations,
            lead=lead,
        )
        rows = initial["deliverables"] if initial else []
        if data is not None and row_action is not None:
            data = self._apply_row_action(data, *row_action)
        formset_class = deliverable_formset(extra=0 if rows or data is not None else 1)
        # A bound formset keeps every row with an id or with something typed in it.
        self.formset = formset_class(
            data, initial=(rows or None) if data is None else None, prefix=self.prefix
        )
        if quiet or row_action is not None:
            for form in (self.form, *self.formset.forms):
                _suppress_errors(form)
            self.formset._errors = [ErrorDict() for _form in self.formset.forms]
            self.formset._non_form_errors = self.formset.error_class()
        self._row_forms = []

    def _apply_row_action(self, data, action: str, index: int):
        """Adds a row, or marks one removed or kept again: what the row buttons ask for, with
        or without JavaScript. Nothing is saved; the form comes back with the change."""
        data = data.copy()
        total = f"{self.prefix}-TOTAL_FORMS"
        count = int(data.get(total) or 0) if str(data.get(total) or "0").isdigit() else 0
        if action == ROW_ADD:
            data[total] = str(min(count + 1, MAX_DELIVERABLES))
        elif action == ROW_REMOVE and 0 <= index < count:
            data[f"{self.prefix}-{index}-DELETE"] = "on"
        elif action == ROW_KEEP:
            data.pop(f"{self.prefix}-{index}-DELETE", None)
        return data

    @staticmethod
    def _form_initial(content: dict) -> dict:
        initial = {key: value for key, value in content.items() if key != "deliverables"}
        initial["links"] = "\n".join(content.get("links") or [])
        return initial

    def is_valid(self) -> bool:
        # Both parts and the rules are checked in every case, so that all errors show at once.
        fields_valid = self.form.is_valid() & self.formset.is_valid()
        rules_valid = not self._rule_errors()
        return fields_valid and rules_valid

    def _kept_rows(self) -> list:
        rows = []
        for form in self.formset.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if self.formset.can_delete and form.cleaned_data.get("DELETE"):
                continue
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            rows.append(form)
        return rows

    def _rule_errors(self) -> list:
        from commitments.content import content_errors

        self._row_forms = self._kept_rows()
        errors = content_errors(self.content())
        for field, message in errors:
            if field.startswith("deliverables."):
                _prefix, index, name = field.split(".")
                form = self._row_forms[int(index)]
            else:
                form, name = self.form, field
            if name not in form.fields:
                self.form.add_error(None, message)
            elif name not in form.errors:  # a field's own error (required, invalid) says enough
                form.add_error(name, message)
        return errors

    def content(self) -> dict:
        """The content typed, as the services take it (call after `is_valid`)."""
        data = self.form.cleaned_data
        return normalize(
            {
                **{name: data.get(name) for name in self.form.fields},
                "thematic_areas": [area.code for area in data.get("thematic_areas") or []],
                "priorities": [priority.code for priority in data.get("priorities") or []],
                "sdgs": [goal.number for goal in data.get("sdgs") or []],
                "regions": [region.m49 for region in data.get("regions") or []],
                "deliverables": [form.cleaned_data for form in self._row_forms],
            }
        )

    def partial_content(self) -> dict:
        """What can be read of an unfinished form, for the live SMART score."""
        self.form.is_valid()
        self.formset.is_valid()
        self._row_forms = self._kept_rows() if self.formset.is_bound else []
        return self.content()

    @property
    def co_partners(self):
        return self.form.cleaned_data.get("co_partners")

    def set_error(self, field: str | None, message: str) -> None:
        """Shows a refusal of the services next to its field."""
        if field and field.startswith("deliverables."):
            _prefix, index, name = field.split(".")
            rows = self._row_forms or self.formset.forms
            rows[int(index)].add_error(name, message)
        elif field == "deliverables":
            self.form.add_error(None, message)
        else:
            self.form.add_error(field if field in self.form.fields else None, message)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or any(form.errors for form in self.formset.forms)
            or self.formset.non_form_errors()
        )


class SubmitForm(PlainLabels, forms.Form):
    reason = forms.CharField(
        label=_("Why does the commitment change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text=_(
            "The public reads this next to the new version, e.g. “Fewer employers joined"
            " than planned, so the target moves from 500 to 400.”"
        ),
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            del self.fields["reason"]


class DecisionForm(PlainLabels, forms.Form):
    """Withdrawal (a reason is required) or completion (a note is optional) by the partner."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, reason_required: bool, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ProgressUpdateForm(PlainLabels, forms.Form):
    date = forms.DateField(label=_("Date of the update"), widget=DateInput)
    narrative = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_NARRATIVE,
        help_text=_("Optional if you link to a report you already publish."),
    )
    links = forms.CharField(
        label=_("Links to evidence or to your own report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line."),
    )
    files = MultipleFileField(label=_("Evidence files"), required=False)
    resources_mobilised = forms.DecimalField(
        label=_("Resources mobilised so far (optional)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("In the currency of the commitment."),
    )

    def __init__(self, *args, deliverables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "PDF, images (PNG, JPEG, GIF, WebP) or office documents; %(size)s each, "
            "%(count)d files at most."
        ) % {"size": filesizeformat(max_bytes()), "count": MAX_FILES_PER_UPDATE}
        self.deliverables = list(deliverables)
        choices = [("", _("No change")), *Deliverable.Status.choices]
        for deliverable in self.deliverables:
            self.fields[f"deliverable_{deliverable.pk}"] = forms.ChoiceField(
                label=deliverable.title,
                choices=choices,
                required=False,
                help_text=_("Now: %(status)s") % {"status": deliverable.get_status_display()},
            )

    def clean_links(self):
        return _links(self.cleaned_data["links"])

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES_PER_UPDATE:
            raise ValidationError(
                _("Attach %(count)d files at most.") % {"count": MAX_FILES_PER_UPDATE}
            )
        return files

    def deliverable_fields(self):
        return [self[f"deliverable_{deliverable.pk}"] for deliverable in self.deliverables]

    def status_changes(self) -> dict[int, str]:
        return {
            deliverable.pk: self.cleaned_data.get(f"deliverable_{deliverable.pk}")
            for deliverable in self.deliverables
            if self.cleaned_data.get(f"deliverable_{deliverable.pk}")
        }
