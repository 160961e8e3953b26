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


# Forum

from datetime import datetime, time, timedelta  # noqa: E402

from coalition.models import ThematicArea  # noqa: E402
from forum.markdown import render_markdown  # noqa: E402
from forum.models import (  # noqa: E402
    AttendanceMode,
    ForumEdition,
    Post,
    PostReport,
    Registration,
    Session,
    Speaker,
    Thread,
)


class ForumEditionFactory(factory.django.DjangoModelFactory):
    """A published edition a month ahead, registration open, no capacity limit."""

    class Meta:
        model = ForumEdition

    year = factory.Sequence(lambda n: 2100 + n)
    theme = "Social justice in a changing world of work"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda edition: edition.starts_on + timedelta(days=1))
    time_zone = "Europe/Zurich"
    in_person = True
    online = True
    place = "International Labour Office, Geneva"
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    is_published = True
    ever_published = factory.SelfAttribute("is_published")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    edition = factory.SubFactory(ForumEditionFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    description = "Partners compare what worked."
    thematic_area = factory.LazyFunction(lambda: ThematicArea.objects.get(code="protection"))
    starts_at = factory.LazyAttribute(
        lambda session: datetime.combine(
            session.edition.starts_on, time(10, 0), tzinfo=session.edition.zone
        )
    )
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + timedelta(minutes=90))
    room = "Room 2"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    session = factory.SubFactory(SessionFactory)
    name = factory.Faker("name")
    affiliation = "Independent expert"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """Give `user` and `organization` of a membership when the test depends on it."""

    class Meta:
        model = Registration

    edition = factory.SubFactory(ForumEditionFactory)
    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    attendance_mode = AttendanceMode.IN_PERSON
    status = Registration.Status.REGISTERED
    registered_at = factory.LazyFunction(timezone.now)


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    thematic_area = factory.LazyFunction(lambda: ThematicArea.objects.get(code="protection"))
    title = factory.Sequence(lambda n: f"Discussion {n}")
    author = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    last_posted_at = factory.LazyFunction(timezone.now)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SelfAttribute("thread.author")
    organization = factory.SelfAttribute("thread.organization")
    body = "What worked for **you**?"
    body_html = factory.LazyAttribute(lambda post: render_markdown(post.body))


class PostReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostReport

    post = factory.SubFactory(PostFactory)
    reporter = factory.SubFactory(UserFactory)
    reason = "Off topic and rude."


# Commitments ---------------------------------------------------------------------------------

import datetime as _datetime  # noqa: E402

from coalition import models as _vocabularies  # noqa: E402
from commitments.models import (  # noqa: E402
    Autosave,
    Commitment,
    CommitmentRevision,
    CommitmentVersion,
    CoPartnership,
    Deliverable,
    DeliverableStatusChange,
    EvidenceFile,
    ProgressUpdate,
)
from commitments.search import refresh_search_vector  # noqa: E402


def _today():
    return timezone.localdate()


class CommitmentFactory(factory.django.DjangoModelFactory):
    """A national draft in Kenya on employment (SDG 8), running from last month for two years.
    `published=True` makes it public; `thematic_areas` and `sdgs` take codes and numbers."""

    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=Commitment.Status.PUBLISHED,
            first_published_at=factory.LazyFunction(timezone.now),
            published_at=factory.LazyFunction(timezone.now),
        )

    lead_organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Commitment {n}")
    summary = "Decent jobs for young people."
    description = "Apprenticeships with employers and unions."
    level = "national"
    countries = ["KE"]
    start_date = factory.LazyFunction(lambda: _today() - _datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: _today() + _datetime.timedelta(days=730))
    language = "en"
    status = Commitment.Status.DRAFT

    @factory.post_generation
    def thematic_areas(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["employment"]
            self.thematic_areas.set(_vocabularies.ThematicArea.objects.filter(code__in=codes))

    @factory.post_generation
    def sdgs(self, create, extracted, **kwargs):
        if create:
            numbers = extracted if extracted is not None else [8]
            self.sdgs.set(
                _vocabularies.SustainableDevelopmentGoal.objects.filter(number__in=numbers)
            )

    @factory.post_generation
    def codes(self, create, extracted, **kwargs):
        # The relations above are set without the services: copy their codes onto the row.
        if create:
            Commitment.objects.filter(pk=self.pk).refresh_codes()
            arrays = ["theme_codes", "priority_codes", "sdg_numbers", "region_codes"]
            self.refresh_from_db(fields=[*arrays, "country_codes"])

    @factory.post_generation
    def search_vector(self, create, extracted, **kwargs):
        if create:
            refresh_search_vector(self)


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable
        skip_postgeneration_save = True

    commitment = factory.SubFactory(CommitmentFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Deliverable {n}")
    indicator = "Young people placed in apprenticeships"
    baseline = "0"
    target = "500"
    due_date = factory.LazyFunction(lambda: _today() + _datetime.timedelta(days=365))

    @factory.post_generation
    def search_vector(self, create, extracted, **kwargs):
        if create:
            refresh_search_vector(self.commitment)


class CoPartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoPartnership

    commitment = factory.SubFactory(CommitmentFactory)
    organization = factory.SubFactory(OrganizationFactory)
    status = CoPartnership.Status.CONFIRMED


class CommitmentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentVersion

    commitment = factory.SubFactory(CommitmentFactory, published=True)
    number = factory.Sequence(lambda n: n + 1)
    content = factory.LazyAttribute(lambda version: {"title": version.commitment.title})
    published_at = factory.LazyFunction(timezone.now)


class CommitmentRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitmentRevision

    commitment = factory.SubFactory(CommitmentFactory, published=True)
    content = factory.LazyAttribute(lambda revision: {"title": revision.commitment.title})
    base_version = 1


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    commitment = factory.SubFactory(CommitmentFactory, published=True)
    date = factory.LazyFunction(_today)
    narrative = "First cohort of apprentices started."


class DeliverableStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverableStatusChange

    update = factory.SubFactory(ProgressUpdateFactory)
    deliverable = factory.SubFactory(
        DeliverableFactory, commitment=factory.SelfAttribute("..update.commitment")
    )
    old_status = Deliverable.Status.PLANNED
    new_status = Deliverable.Status.ON_TRACK


class EvidenceFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceFile

    update = factory.SubFactory(ProgressUpdateFactory)
    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.4 evidence")
    name = "report.pdf"
    content_type = "application/pdf"
    size = 17


class AutosaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Autosave

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    data = factory.LazyFunction(lambda: {"title": ["Unsaved title"]})


# Notifications (secretariat) -----------------------------------------------------------------

from secretariat.models import (  # noqa: E402
    EmailDelivery,
    NotificationKind,
    NotificationPreference,
)


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    """`thematic_areas` takes codes: `thematic_areas=["employment"]`."""

    class Meta:
        model = NotificationPreference
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def thematic_areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.thematic_areas.set(_vocabularies.ThematicArea.objects.filter(code__in=extracted))


class EmailDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailDelivery

    kind = NotificationKind.DIGEST
    recipient = factory.SubFactory(UserFactory)
    to_email = factory.SelfAttribute("recipient.email")
    period = factory.Sequence(lambda n: f"2026-W{n % 52 + 1:02d}-{n}")
    language = "en"
    subject = "Your digest"
    body_text = "What is new."
    body_html = "<p>What is new.</p>"
    message_id = factory.Sequence(lambda n: f"<delivery-{n}@registry.example.org>")


# Good practices, the Coordinating Group, announcements ---------------------------------------

from secretariat.models import (  # noqa: E402
    Announcement,
    CoordinatingGroupMembership,
    GoodPractice,
    GoodPracticeAttachment,
)
from secretariat.search import refresh_search_vector as _refresh_practice_vector  # noqa: E402


class GoodPracticeFactory(factory.django.DjangoModelFactory):
    """A draft on employment (SDG 8) in Kenya. `published=True` makes it public;
    `thematic_areas` and `sdgs` take codes and numbers."""

    class Meta:
        model = GoodPractice
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=GoodPractice.Status.PUBLISHED,
            submitted_at=factory.LazyFunction(timezone.now),
            published_at=factory.LazyFunction(timezone.now),
        )
        submitted = factory.Trait(
            status=GoodPractice.Status.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
        )

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Good practice {n}")
    summary = "Apprenticeships that lead to decent jobs."
    what_worked = "Employers and unions designed the curriculum together."
    results = "Two thirds of the apprentices were hired."
    countries = ["KE"]
    language = "en"
    status = GoodPractice.Status.DRAFT

    @factory.post_generation
    def thematic_areas(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["employment"]
            self.thematic_areas.set(_vocabularies.ThematicArea.objects.filter(code__in=codes))

    @factory.post_generation
    def sdgs(self, create, extracted, **kwargs):
        if create:
            numbers = extracted if extracted is not None else [8]
            self.sdgs.set(
                _vocabularies.SustainableDevelopmentGoal.objects.filter(number__in=numbers)
            )

    @factory.post_generation
    def search_vector(self, create, extracted, **kwargs):
        if create:
            _refresh_practice_vector(self)


class GoodPracticeAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoodPracticeAttachment

    practice = factory.SubFactory(GoodPracticeFactory)
    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.4 report")
    name = "report.pdf"
    content_type = "application/pdf"
    size = 15


class CoordinatingGroupMembershipFactory(factory.django.DjangoModelFactory):
    """A seat held since last year, with no end date."""

    class Meta:
        model = CoordinatingGroupMembership

    organization = factory.SubFactory(OrganizationFactory)
    role = CoordinatingGroupMembership.Role.MEMBER
    term_start = factory.LazyFunction(lambda: _today() - _datetime.timedelta(days=365))
    term_end = None


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """Published an hour ago, for readers of every language."""

    class Meta:
        model = Announcement

    title = factory.Sequence(lambda n: f"Announcement {n}")
    body = "The Secretariat has news for the partners."
    language = ""
    published_at = factory.LazyFunction(lambda: timezone.now() - _datetime.timedelta(hours=1))
