"""Commitments shown on pages of the partners app: the partner profile and the workspace."""

from django import template

from commitments import selectors
from partners.models import Membership, Organization

register = template.Library()


@register.inclusion_tag("commitments/_partner_commitments.html")
def partner_commitments(organization: Organization):
    """The public commitments a partner leads or joined, for its profile."""
    return {
        "organization": organization,
        "commitments": list(selectors.partner_commitments_public(organization=organization)),
    }


@register.inclusion_tag("commitments/_workspace.html")
def organization_commitments(membership: Membership):
    """An organization's commitments by status and what needs its attention, for its members."""
    organization = membership.organization
    if organization.status in (Organization.Status.APPLIED, Organization.Status.REJECTED):
        return {"show": False}
    return {
        "show": True,
        "organization": organization,
        "membership": membership,
        "can_log": organization.status == Organization.Status.APPROVED,
        **selectors.organization_commitments(organization=organization),
    }
