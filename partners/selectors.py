"""Reads of the partners app, and the one place that decides who may see or edit a partner."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from coalition.models import User
from coalition.vocabularies import REGION_COUNTRIES, REGION_SUBTREE
from partners.models import Membership, Organization


def organization_list_public() -> QuerySet[Organization]:
    return Organization.objects.public().select_related("constituency")


def organizations_in_region(
    organizations: QuerySet[Organization], m49: str
) -> QuerySet[Organization]:
    """A partner is in a region if it is headquartered in one of its countries or works there (a
    region of operation, or an area within it; the M49 tree is in coalition.vocabularies): the
    directory, the API and the admin agree on it. Tested on the row itself, not by a join."""
    working = Organization.regions.through.objects.filter(
        organization_id=OuterRef("pk"), region__m49__in=REGION_SUBTREE[m49]
    )
    return organizations.filter(Q(country__in=REGION_COUNTRIES[m49]) | Exists(working))


def organization_get_for_user(*, pk: int, user: User, for_edit: bool = False) -> Organization:
    """Approved partners are public; others only to their members and the Secretariat.
    Editing is for the organization's admins (and the Secretariat in the admin)."""
    organization = (
        Organization.objects.select_related("constituency", "application")
        .prefetch_related("regions")
        .filter(pk=pk)
        .first()
    )
    if organization is None:
        raise Http404
    role = membership_role(user=user, organization=organization)
    if for_edit:
        if role != Membership.Role.ADMIN:
            raise PermissionDenied
        return organization
    if organization.is_public or role is not None or (user.is_authenticated and user.is_staff):
        return organization
    raise Http404


def membership_role(*, user: User, organization: Organization) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization__constituency", "organization__application")
        .order_by("organization__name")
    )


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return organization.memberships.select_related("user").order_by("role", "user__email")
