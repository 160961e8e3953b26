from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coalition.models import SustainableDevelopmentGoal, ThematicArea
from commitments.evidence import ACCEPT_ATTRIBUTE
from partners.models import Organization
from secretariat.models import (
    PREFERENCE_FIELD_OF_KIND,
    SECRETARIAT_KINDS,
    GoodPractice,
    NotificationPreference,
)

REMINDER_FIELDS = list(PREFERENCE_FIELD_OF_KIND.values())
SECRETARIAT_FIELDS = [PREFERENCE_FIELD_OF_KIND[kind] for kind in SECRETARIAT_KINDS]


class PreferencesForm(forms.ModelForm):
    """What a person wants to hear about, how often, and in which language."""

    language = forms.ChoiceField(
        label=_("Language of the emails"),
        choices=settings.LANGUAGES,
        help_text=_("Reminders and digests are written to you in this language."),
    )

    class Meta:
        model = NotificationPreference
        fields = ["digest_frequency", "thematic_areas", "countries", *REMINDER_FIELDS]
        widgets = {
            "digest_frequency": forms.RadioSelect,
            "thematic_areas": forms.CheckboxSelectMultiple,
            "countries": forms.SelectMultiple(attrs={"size": 10}),
        }
        help_texts = {
            "digest_frequency": _(
                "A digest is sent only when something is new in what you follow."
            ),
            "thematic_areas": _("New partners, commitments and progress in these areas."),
            "countries": _(
                "New partners, commitments and progress in these countries (and in regions "
                "that include them). Hold Ctrl (or Cmd) to choose several countries."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["language"].initial = user.language
        self.fields["thematic_areas"].queryset = ThematicArea.objects.all()
        if not user.is_staff:
            for name in SECRETARIAT_FIELDS:
                del self.fields[name]

    @property
    def digest_fields(self):
        return [self[name] for name in ("digest_frequency", "thematic_areas", "countries")]

    @property
    def reminder_fields(self):
        return [self[name] for name in REMINDER_FIELDS if name in self.fields]

    def service_data(self) -> dict:
        """The cleaned fields as `preference_update` takes them."""
        data = {name: self.cleaned_data[name] for name in self.fields}
        data["countries"] = [str(country) for country in data["countries"]]
        return data


class GoodPracticeForm(forms.ModelForm):
    """A practice as its organization writes it. The organization is chosen when it is created,
    among the approved partners the person belongs to; linked commitments among theirs."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Shared by"), empty_label=None
    )

    class Meta:
        model = GoodPractice
        fields = [
            "title",
            "summary",
            "what_worked",
            "results",
            "thematic_areas",
            "sdgs",
            "countries",
            "commitments",
            "language",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "what_worked": forms.Textarea(attrs={"rows": 8}),
            "results": forms.Textarea(attrs={"rows": 5}),
            "thematic_areas": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
            "commitments": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary": _("Two or three sentences: what was done, where and for whom."),
            "what_worked": _("What made it work, and what others could reuse."),
            "results": _("What changed, with figures where you have them."),
            "commitments": _("Commitments of your organization this practice comes from."),
        }

    def __init__(self, *args, organizations, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organization"]  # a practice stays with its organization
        else:
            self.fields["organization"].queryset = organizations
        self.fields["commitments"].queryset = commitments
        self.fields["thematic_areas"].queryset = ThematicArea.objects.all()
        self.fields["sdgs"].queryset = SustainableDevelopmentGoal.objects.all()
        self.fields["sdgs"].label_from_instance = lambda goal: f"{goal.number}. {goal.name}"

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["thematic_areas"] = list(data["thematic_areas"])
        data["sdgs"] = list(data["sdgs"])
        data["commitments"] = list(data["commitments"])
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_(
            "PDF, images (PNG, JPEG, GIF, WebP) or office documents, 10 MB at most; "
            "5 files per practice."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
