"""Import and export of partners and commitments in the admin (CSV and XLSX), through
django-import-export.

Spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is run as a formula by Excel or LibreOffice. The library's own setting
(IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) only strips a leading `=`, so every exported cell goes
through `neutralize` here instead, whatever the settings: a quote is put in front of such a value,
which spreadsheets show as text (OWASP's advice).
"""

import re

from django.db import transaction
from import_export import fields, resources, widgets

from coalition.models import (
    Constituency,
    Priority,
    Region,
    SustainableDevelopmentGoal,
    ThematicArea,
)
from commitments.models import Commitment
from commitments.search import refresh_search_vectors
from partners.models import Organization

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file can't hold (openpyxl refuses them); tab, LF and CR are fine.
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralize(value):
    """The value as a spreadsheet may show it without running it."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_CHARACTERS.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class CountriesWidget(widgets.Widget):
    """A CountryField(multiple=True) as "KE,TZ"."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return []
        return [code.strip().upper() for code in str(value).split(",") if code.strip()]

    def render(self, value, obj=None, **kwargs):
        return ",".join(country.code for country in value or [])


class CountryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return str(value or "").strip().upper()

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


class SafeExportResource(resources.ModelResource):
    """Every exported cell neutralized (see the module's docstring)."""

    def export_field(self, field, instance, **kwargs):
        return neutralize(super().export_field(field, instance, **kwargs))


class OrganizationResource(SafeExportResource):
    constituency = fields.Field(
        attribute="constituency",
        column_name="constituency",
        widget=widgets.ForeignKeyWidget(Constituency, field="code"),
    )
    country = fields.Field(attribute="country", column_name="country", widget=CountryWidget())
    countries = fields.Field(
        attribute="countries", column_name="countries", widget=CountriesWidget()
    )
    regions = fields.Field(
        attribute="regions",
        column_name="regions",
        widget=widgets.ManyToManyWidget(Region, field="m49", separator=","),
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "acronym",
            "constituency",
            "country",
            "countries",
            "regions",
            "website",
            "description",
            "status",
            "approved_at",
            "updated_at",
        ]
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class CommitmentResource(SafeExportResource):
    lead_organization = fields.Field(
        attribute="lead_organization",
        column_name="lead_organization",
        widget=widgets.ForeignKeyWidget(Organization, field="pk"),
    )
    lead_organization_name = fields.Field(
        attribute="lead_organization__name", column_name="lead_organization_name", readonly=True
    )
    thematic_areas = fields.Field(
        attribute="thematic_areas",
        column_name="thematic_areas",
        widget=widgets.ManyToManyWidget(ThematicArea, field="code", separator=","),
    )
    priorities = fields.Field(
        attribute="priorities",
        column_name="priorities",
        widget=widgets.ManyToManyWidget(Priority, field="code", separator=","),
    )
    sdgs = fields.Field(
        attribute="sdgs",
        column_name="sdgs",
        widget=widgets.ManyToManyWidget(SustainableDevelopmentGoal, field="number", separator=","),
    )
    regions = fields.Field(
        attribute="regions",
        column_name="regions",
        widget=widgets.ManyToManyWidget(Region, field="m49", separator=","),
    )
    countries = fields.Field(
        attribute="countries", column_name="countries", widget=CountriesWidget()
    )

    class Meta:
        model = Commitment
        fields = [
            "id",
            "title",
            "lead_organization",
            "lead_organization_name",
            "summary",
            "description",
            "thematic_areas",
            "priorities",
            "sdgs",
            "level",
            "regions",
            "countries",
            "start_date",
            "end_date",
            "expected_results",
            "language",
            "status",
            "status_reason",
            "published_at",
            "updated_at",
        ]
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self):
        return Commitment.objects.select_related("lead_organization").prefetch_related(
            "thematic_areas", "priorities", "sdgs", "regions"
        )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self._is_dry_run(kwargs):
            return
        # Imported rows skip the services, which keep the search vector up to date, and the
        # codes of the relations on the row (in the import's transaction).
        ids = [row.object_id for row in result.rows if row.object_id]
        Commitment.objects.filter(pk__in=ids).refresh_codes()
        transaction.on_commit(lambda: refresh_search_vectors(Commitment.objects.filter(pk__in=ids)))
