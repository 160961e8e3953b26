"""Pieces shared by the apps' admins: decisions that need a reason, and age filters."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coalition.errors import ApplicationError


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Sent to the partner and kept in the history."),
    )

    def __init__(self, *args, reason_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


def decision_action(*, service, description: str, reason_required: bool, object_arg: str):
    """An admin action that asks for a reason, then calls `service` on each selected object.

    Each object is decided on its own: one refused transition is reported and the others go on.
    """

    def action(modeladmin, request, queryset):
        form = ReasonForm(
            request.POST if "confirm" in request.POST else None, reason_required=reason_required
        )
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/decision_reason.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": description,
                    "objects": queryset,
                    "form": form,
                    "action": request.POST["action"],
                    "opts": modeladmin.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        done = 0
        for obj in queryset:
            try:
                service(**{object_arg: obj}, actor=request.user, reason=form.cleaned_data["reason"])
                done += 1
            except ApplicationError as error:
                modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        if done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d item done.", "%(count)d items done.", done) % {"count": done},
                messages.SUCCESS,
            )
        return None

    action.short_description = description
    action.__name__ = service.__name__
    return action


class AgeFilter(admin.SimpleListFilter):
    """How long an item has been waiting, for the moderation lists."""

    title = _("waiting")
    parameter_name = "age"
    field_name = "created_at"
    OPTIONS = {"1": 1, "5": 5, "30": 30}

    def lookups(self, request, model_admin):
        return [
            ("1", _("more than a day")),
            ("5", _("more than 5 days")),
            ("30", _("more than 30 days")),
        ]

    def queryset(self, request, queryset):
        days = self.OPTIONS.get(self.value() or "")
        if days is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}__lt": timezone.now() - timedelta(days=days)})
