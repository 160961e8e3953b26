from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from coalition.models import Region
from partners.models import PRINCIPLES, WORKING_LANGUAGES, Membership, Organization

LOGO_CONTENT_TYPES = {"PNG", "JPEG", "WEBP"}


class OrganizationProfileForm(forms.ModelForm):
    """The public profile of an organization, as its applicant and its admins write it."""

    regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.filter(kind__in=[Region.Kind.REGION, Region.Kind.SUB_REGION]),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Regions of operation"),
    )
    languages = forms.MultipleChoiceField(
        choices=WORKING_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Working languages"),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "acronym",
            "constituency",
            "country",
            "regions",
            "countries",
            "website",
            "description",
            "languages",
            "logo",
        ]
        help_texts = {
            "name": _("The full official name."),
            "countries": _("Hold Ctrl (or Cmd) to choose several countries."),
            "logo": _("PNG, JPEG or WebP, 1 MB at most."),
            "website": _("For example https://www.example.org"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constituency"].empty_label = _("Choose a constituency")

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "image"):
            return logo
        if logo.size > settings.LOGO_MAX_BYTES:
            raise ValidationError(
                _("The logo is %(size)s; it can be %(limit)s at most.")
                % {
                    "size": filesizeformat(logo.size),
                    "limit": filesizeformat(settings.LOGO_MAX_BYTES),
                }
            )
        if logo.image.format not in LOGO_CONTENT_TYPES:
            raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."))
        return logo

    def profile_data(self) -> dict:
        """The cleaned fields as the services take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "logo"}
        if self.cleaned_data.get("logo") is not None:
            data["logo"] = self.cleaned_data["logo"]
        return data


class ApplicationForm(OrganizationProfileForm):
    endorsed = forms.BooleanField(
        required=True,
        label=_("On behalf of this organization, I endorse both commitments above."),
        error_messages={
            "required": _("Partners endorse both commitments of the Coalition to join it.")
        },
    )
    motivation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Why does your organization join? (optional)"),
        max_length=2000,
    )

    principles = PRINCIPLES


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))
    role = forms.ChoiceField(choices=Membership.Role.choices, label=_("Role"))


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices, label=_("Role"))
