"""Reads the API needs beyond partners.selectors (thin wrappers; candidates to move there)."""

from django.db.models import QuerySet

from partners.models import Organization

Status = Organization.Status


def organization_list_for_sync() -> QuerySet[Organization]:
    """Approved partners and those that left (suspended, withdrawn: only an approved partner
    becomes either): a sync client must learn that they left. Applicants and rejected
    organizations were never public and are not reported."""
    return Organization.objects.filter(
        status__in=[Status.APPROVED, Status.SUSPENDED, Status.WITHDRAWN]
    )
