from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coalition.models import ThematicArea
from forum.models import POST_MAX_LENGTH, AttendanceMode, ForumEdition, Thread
from partners.models import Organization


class OrganizationChoiceMixin:
    """The approved partner a person acts for; the field is left out when there is only one."""

    def _set_organizations(self, organizations: QuerySet[Organization], label) -> None:
        self.organizations = list(organizations)
        if len(self.organizations) > 1:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=organizations, label=label, empty_label=None
            )

    def chosen_organization(self):
        if "organization" in self.fields:
            return self.cleaned_data["organization"]
        return self.organizations[0]


class RegistrationForm(OrganizationChoiceMixin, forms.Form):
    attendance_mode = forms.ChoiceField(
        label=_("How will you attend?"), widget=forms.RadioSelect, choices=AttendanceMode.choices
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example step-free access, sign language interpretation or captions. Only the "
            "Secretariat sees this."
        ),
    )
    listed = forms.BooleanField(
        label=_("Show my name and organization in the public list of participants"),
        required=False,
    )

    def __init__(self, *args, edition: ForumEdition, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendance_mode"].choices = [
            (mode, AttendanceMode(mode).label) for mode in edition.modes
        ]
        if len(edition.modes) == 1:
            self.fields["attendance_mode"].initial = edition.modes[0]
        self._set_organizations(organizations, _("On behalf of"))
        self.order_fields(["organization"])


class RegistrationUpdateForm(forms.Form):
    accessibility_needs = RegistrationForm.base_fields["accessibility_needs"]
    listed = RegistrationForm.base_fields["listed"]


class ThreadForm(OrganizationChoiceMixin, forms.Form):
    thematic_area = forms.ModelChoiceField(
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        label=_("Thematic area"),
        empty_label=_("Choose a thematic area"),
    )
    title = forms.CharField(label=_("Title"), max_length=Thread._meta.get_field("title").max_length)
    body = forms.CharField(
        label=_("Message"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown is welcome: **bold**, *italic*, [a link](https://example.org), lists."
        ),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_organizations(organizations, _("Posting for"))


class PostForm(OrganizationChoiceMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=ThreadForm.base_fields["body"].help_text,
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_organizations(organizations, _("Posting for"))


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=ThreadForm.base_fields["body"].help_text,
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The Secretariat reads every report. The author is not told who reported."),
    )
