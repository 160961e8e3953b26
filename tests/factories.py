"""One factory per model. Vocabularies come from the data migrations, never from factories."""

import factory
from django.utils import timezone

from coalition.models import Constituency, User
from partners.models import PRINCIPLES_VERSION, Application, Membership, Organization


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    constituency = factory.LazyFunction(lambda: Constituency.objects.get(code="enterprise"))
    country = "KE"
    description = "Works for decent work and social protection."
    status = Organization.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.CONTRIBUTOR


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    organization = factory.SubFactory(OrganizationFactory, status=Organization.Status.APPLIED)
    applicant = factory.SubFactory(UserFactory)
    principles_version = PRINCIPLES_VERSION
    endorsed_at = factory.LazyFunction(timezone.now)
