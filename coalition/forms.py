from django import forms

from coalition.errors import ApplicationError


def add_domain_error(form: forms.Form, error: ApplicationError) -> None:
    """Shows a refused action next to the field it concerns, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
