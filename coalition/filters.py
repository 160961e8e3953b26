"""Filters shared by every FilterSet, for pages and the API alike."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC. Python reads offsets PostgreSQL refuses (`+22:47`) and
    years it cannot shift (`0001-01-01T00:00-01:00`): both are a 400, not a database error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or timezone.is_naive(moment):
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """`updated_since`: records created or changed at or after this time (ISO 8601)."""

    field_class = UtcIsoDateTimeField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", gettext_lazy("Changed since (ISO 8601)"))
        super().__init__(**kwargs)
