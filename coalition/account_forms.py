"""Forms of the account pages that are ours rather than django-allauth's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.models import User


class ProfileForm(forms.ModelForm):
    """The person's name and the language the registry writes to them in."""

    class Meta:
        model = User
        fields = ["full_name", "language"]
        help_texts = {
            "full_name": _("Shown to the Secretariat and to the members of your organization."),
        }
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Optional in the model (an account exists before its owner gives a name), but a person
        # who edits their profile says who they are.
        self.fields["full_name"].required = True
