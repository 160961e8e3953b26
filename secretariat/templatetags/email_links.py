"""Absolute links for emails, resolved while the email is rendered, so that they carry the
recipient's language prefix (/fr/..., /es/...)."""

from django import template
from django.contrib import admin
from django.urls import reverse

from coalition.emails import absolute_url

register = template.Library()


@register.simple_tag
def link(viewname: str, *args) -> str:
    """`{% link "partners:workspace" %}` → https://registry.example.org/fr/partners/workspace/"""
    return absolute_url(reverse(viewname, args=args))


@register.simple_tag
def link_to(obj) -> str:
    """The absolute address of an object's page (its get_absolute_url)."""
    return absolute_url(obj.get_absolute_url())


@register.simple_tag
def admin_link(obj) -> str:
    """The object's page in the admin, or the admin's home if the admin doesn't list it."""
    if not admin.site.is_registered(type(obj)):
        return absolute_url(reverse("admin:index"))
    opts = obj._meta
    return absolute_url(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
