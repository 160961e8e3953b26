from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coalition.models import (
    Constituency,
    Priority,
    Region,
    SustainableDevelopmentGoal,
    ThematicArea,
    User,
)

admin.site.site_header = _("Coalition Registry administration")
admin.site.site_title = _("Coalition Registry")


class UniqueEmailMixin:
    """Refuses an email that differs from another account's only by case, with a clear message.

    The database refuses it too (`user_email_ci_unique`), but only with the constraint's name.
    """

    def clean_email(self):
        email = self.cleaned_data["email"]
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("Another account already uses this email address."))
        return email


class UserCreationForm(UniqueEmailMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")


class UserChangeForm(UniqueEmailMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "full_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "is_superuser", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")


class SuperuserEditsVocabularyMixin:
    """Reference vocabularies come from migrations: staff may look, only a superuser may edit.

    Viewing still needs the model's view permission, as for any model.
    """

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class TermAdmin(SuperuserEditsVocabularyMixin, admin.ModelAdmin):
    list_display = ("code", "name_en", "name_fr", "name_es", "position")
    search_fields = ("code", "name_en", "name_fr", "name_es")


admin.site.register(Constituency, TermAdmin)
admin.site.register(ThematicArea, TermAdmin)


@admin.register(Priority)
class PriorityAdmin(TermAdmin):
    search_fields = (*TermAdmin.search_fields, "description_en")


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(SuperuserEditsVocabularyMixin, admin.ModelAdmin):
    list_display = ("number", "name_en", "name_fr", "name_es", "colour")
    search_fields = ("name_en", "name_fr", "name_es")


@admin.register(Region)
class RegionAdmin(SuperuserEditsVocabularyMixin, admin.ModelAdmin):
    list_display = ("m49", "name_en", "kind", "parent", "country_count")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("m49", "name_en", "name_fr", "name_es")

    @admin.display(description=_("countries"))
    def country_count(self, obj: Region) -> int:
        return len(obj.countries)
