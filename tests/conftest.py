"""The fixed cast: alice (admin) and bob (contributor) of Acme, charlie of Globex, sam of the
Secretariat, and a browser for the end-to-end tests."""

import os

import pytest

from partners.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher costs ~0.5 s per login on these machines.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme Workers Union", acronym="AWU")


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex Development Bank", country="FR")


@pytest.fixture
def alice(acme):
    return MembershipFactory(
        organization=acme, user__email="alice@example.org", role=Membership.Role.ADMIN
    ).user


@pytest.fixture
def bob(acme):
    return MembershipFactory(organization=acme, user__email="bob@example.org").user


@pytest.fixture
def charlie(globex):
    return MembershipFactory(
        organization=globex, user__email="charlie@example.org", role=Membership.Role.ADMIN
    ).user


@pytest.fixture
def sam(db):
    return UserFactory(email="sam@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def stranger(db):
    """Signed in, but a member of no organization."""
    return UserFactory(email="dora@example.org")
