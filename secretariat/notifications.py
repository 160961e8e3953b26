"""Who gets which reminder or digest on a given day, and what it says.

Each builder reads the database for one day and returns `OutgoingEmail`s; it writes nothing.
`services.deliveries_create` records them under their idempotency key, so a builder may return
the same email on several days (a sweep catches up after a missed run) and it is sent once.
Dates are UTC days, as the beat schedule runs in UTC.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coalition.emails import OutgoingEmail
from commitments.models import Autosave, Commitment, CoPartnership, Deliverable, ProgressUpdate
from forum.models import ForumEdition, Registration, Session
from partners.models import Organization
from secretariat import selectors
from secretariat.models import (
    Announcement,
    DigestFrequency,
    GoodPractice,
    NotificationKind,
    NotificationPreference,
)

# A sweep that did not run for a few days (beat stopped, a deploy) still sends what came due
# meanwhile, up to this many days late; older events are not worth a late reminder.
CATCH_UP_DAYS = 7
DUE_SOON_DAYS = 14
OVERDUE_AFTER_DAYS = 7
NO_COMMITMENT_AFTER_DAYS = 30
DRAFT_IDLE_DAYS = 30
REVIEW_AFTER_WORKING_DAYS = 5
FORUM_REGISTRATION_CLOSING_DAYS = 7
# The longest a digest looks back, whatever the date of the previous one.
DIGEST_MAX_LOOKBACK = timedelta(days=62)
# A digest stays short: the latest few of each section, then a link to the rest on the site.
DIGEST_ITEMS_PER_SECTION = 10


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _email(user, *, kind: str, template: str, about=None, period: str = "", **context):
    return OutgoingEmail(
        kind=kind,
        to=user.email,
        language=user.language,
        recipient=user,
        template=template,
        about=about,
        period=period,
        context=context,
    )


# --- Reminders --------------------------------------------------------------------------------


def _published_deliverables():
    return Deliverable.objects.filter(
        status__in=Deliverable.OPEN_STATUSES,
        commitment__status=Commitment.Status.PUBLISHED,
        commitment__lead_organization__status=Organization.Status.APPROVED,
    ).select_related("commitment__lead_organization")


def deliverable_due_emails(*, day: date) -> list[OutgoingEmail]:
    """To the members of the lead organization, once per deliverable and due date: an open
    deliverable of a published commitment falls due within 14 days."""
    deliverables = list(
        _published_deliverables()
        .filter(due_date__gte=day, due_date__lte=day + timedelta(days=DUE_SOON_DAYS))
        .order_by("due_date", "pk")
    )
    kind = NotificationKind.DELIVERABLE_DUE
    members = selectors.members_wanting(
        kind=kind, organization_ids={d.commitment.lead_organization_id for d in deliverables}
    )
    return [
        _email(
            user,
            kind=kind,
            template="secretariat/deliverable_due",
            about=deliverable,
            period=deliverable.due_date.isoformat(),
            deliverable=deliverable,
            commitment=deliverable.commitment,
            organization=deliverable.commitment.lead_organization,
            days_left=(deliverable.due_date - day).days,
        )
        for deliverable in deliverables
        for user in members.get(deliverable.commitment.lead_organization_id, [])
    ]


def deliverable_overdue_emails(*, day: date) -> list[OutgoingEmail]:
    """To the members of the lead organization, once per deliverable and due date: an open
    deliverable is 7 days past its due date and no progress update was posted since that date
    (the commitments app's definition of overdue)."""
    latest_due = day - timedelta(days=OVERDUE_AFTER_DAYS)
    update_since_due = ProgressUpdate.objects.filter(
        commitment_id=OuterRef("commitment_id"), hidden=False, date__gte=OuterRef("due_date")
    )
    deliverables = list(
        _published_deliverables()
        .filter(
            due_date__lte=latest_due,
            due_date__gte=latest_due - timedelta(days=CATCH_UP_DAYS),
        )
        .exclude(Exists(update_since_due))
        .order_by("due_date", "pk")
    )
    kind = NotificationKind.DELIVERABLE_OVERDUE
    members = selectors.members_wanting(
        kind=kind, organization_ids={d.commitment.lead_organization_id for d in deliverables}
    )
    return [
        _email(
            user,
            kind=kind,
            template="secretariat/deliverable_overdue",
            about=deliverable,
            period=deliverable.due_date.isoformat(),
            deliverable=deliverable,
            commitment=deliverable.commitment,
            organization=deliverable.commitment.lead_organization,
            days_late=(day - deliverable.due_date).days,
        )
        for deliverable in deliverables
        for user in members.get(deliverable.commitment.lead_organization_id, [])
    ]


def no_commitment_emails(*, day: date) -> list[OutgoingEmail]:
    """To the members of a partner approved 30 days ago that has no published commitment yet
    (neither as lead nor as a confirmed co-partner); once per approval."""
    published = Commitment.objects.filter(status__in=Commitment.LISTED_STATUSES).filter(
        Q(lead_organization=OuterRef("pk"))
        | Q(
            co_partnerships__organization=OuterRef("pk"),
            co_partnerships__status=CoPartnership.Status.CONFIRMED,
        )
    )
    latest = day - timedelta(days=NO_COMMITMENT_AFTER_DAYS)
    organizations = list(
        Organization.objects.filter(
            status=Organization.Status.APPROVED,
            approved_at__lt=start_of(latest + timedelta(days=1)),
            approved_at__gte=start_of(latest - timedelta(days=CATCH_UP_DAYS)),
        )
        .exclude(Exists(published))
        .order_by("approved_at", "pk")
    )
    kind = NotificationKind.NO_COMMITMENT
    members = selectors.members_wanting(
        kind=kind, organization_ids={organization.pk for organization in organizations}
    )
    return [
        _email(
            user,
            kind=kind,
            template="secretariat/no_commitment",
            about=organization,
            period=organization.approved_at.date().isoformat(),
            organization=organization,
        )
        for organization in organizations
        for user in members.get(organization.pk, [])
    ]


def draft_idle_emails(*, day: date) -> list[OutgoingEmail]:
    """To the members of the lead organization, once per idle spell: a draft commitment nobody
    saved, or typed in (autosave), for 30 days."""
    last_autosave = (
        Autosave.objects.filter(commitment=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    latest = day - timedelta(days=DRAFT_IDLE_DAYS)
    drafts = list(
        Commitment.objects.filter(
            status=Commitment.Status.DRAFT,
            lead_organization__status=Organization.Status.APPROVED,
        )
        .annotate(
            last_touched=Greatest("updated_at", Coalesce(Subquery(last_autosave), "updated_at"))
        )
        .filter(
            last_touched__lt=start_of(latest + timedelta(days=1)),
            last_touched__gte=start_of(latest - timedelta(days=CATCH_UP_DAYS)),
        )
        .select_related("lead_organization")
        .order_by("last_touched", "pk")
    )
    kind = NotificationKind.DRAFT_IDLE
    members = selectors.members_wanting(
        kind=kind, organization_ids={draft.lead_organization_id for draft in drafts}
    )
    return [
        _email(
            user,
            kind=kind,
            template="secretariat/draft_idle",
            about=draft,
            period=draft.last_touched.date().isoformat(),
            commitment=draft,
            organization=draft.lead_organization,
            idle_days=(day - draft.last_touched.date()).days,
        )
        for draft in drafts
        for user in members.get(draft.lead_organization_id, [])
    ]


def review_waiting_emails(*, day: date) -> list[OutgoingEmail]:
    """To the Secretariat, once per item and submission: an application, a submitted commitment
    or edit, a reported post has waited more than 5 working days."""
    items = [
        item
        for item in selectors.waiting_for_review()
        if item.working_days(day) > REVIEW_AFTER_WORKING_DAYS
    ]
    if not items:
        return []
    kind = NotificationKind.REVIEW_WAITING
    staff = selectors.secretariat_wanting(kind=kind)
    return [
        _email(
            user,
            kind=kind,
            template="secretariat/review_waiting",
            about=item.obj,
            period=item.waiting_since.date().isoformat(),
            item=item,
            working_days=item.working_days(day),
        )
        for item in items
        for user in staff
    ]


def forum_registration_closing_emails(*, day: date) -> list[OutgoingEmail]:
    """To every member of an approved partner who has not registered (nor joined the waitlist)
    for a published edition whose registration closes within 7 days; once per edition.

    A sweep that missed days still reminds while registration is open: an edition closing in
    fewer than 7 days is caught up on, one closing today (after the morning run) or earlier is
    not."""
    editions = list(
        ForumEdition.objects.published()
        .filter(
            registration_opens_at__lt=start_of(day + timedelta(days=1)),
            registration_closes_at__gte=start_of(day + timedelta(days=1)),
            registration_closes_at__lt=start_of(
                day + timedelta(days=FORUM_REGISTRATION_CLOSING_DAYS + 1)
            ),
        )
        .order_by("registration_closes_at", "pk")
    )
    if not editions:
        return []
    registered = set(
        Registration.objects.live()
        .filter(edition__in=editions)
        .values_list("edition_id", "user_id")
    )
    kind = NotificationKind.FORUM_REGISTRATION_CLOSING
    members = selectors.members_wanting(
        kind=kind,
        organization_ids=Organization.objects.filter(
            status=Organization.Status.APPROVED
        ).values_list("pk", flat=True),
    )
    # A person who belongs to several partners is reminded once.
    people = {user.pk: user for users in members.values() for user in users}
    emails = []
    for edition in editions:
        for user_id in sorted(people):
            if (edition.pk, user_id) in registered:
                continue
            emails.append(
                _email(
                    people[user_id],
                    kind=kind,
                    template="secretariat/forum_registration_closing",
                    about=edition,
                    edition=edition,
                    closes_at=edition.registration_closes_at,
                    days_left=(edition.registration_closes_at.date() - day).days,
                )
            )
    return emails


# The daily reminders job runs each of these: a function of `day` returning OutgoingEmails of a
# NotificationKind (with its switch in NotificationPreference and PREFERENCE_FIELD_OF_KIND).
REMINDERS = {
    NotificationKind.DELIVERABLE_DUE: deliverable_due_emails,
    NotificationKind.DELIVERABLE_OVERDUE: deliverable_overdue_emails,
    NotificationKind.NO_COMMITMENT: no_commitment_emails,
    NotificationKind.DRAFT_IDLE: draft_idle_emails,
    NotificationKind.REVIEW_WAITING: review_waiting_emails,
    NotificationKind.FORUM_REGISTRATION_CLOSING: forum_registration_closing_emails,
}


def reminder_emails(*, day: date) -> list[OutgoingEmail]:
    return [email for build in REMINDERS.values() for email in build(day=day)]


# --- The Secretariat's daily moderation digest -------------------------------------------------


def moderation_digest_emails(*, day: date) -> list[OutgoingEmail]:
    """To the Secretariat, once a day: everything waiting for a decision, with its age. Nothing
    when nothing waits."""
    items = selectors.waiting_for_review()
    if not items:
        return []
    rows = [
        {
            "item": item,
            "working_days": item.working_days(day),
            "late": item.working_days(day) > REVIEW_AFTER_WORKING_DAYS,
        }
        for item in items
    ]
    kind = NotificationKind.MODERATION_DIGEST
    return [
        _email(
            user,
            kind=kind,
            template="secretariat/moderation_digest",
            period=day.isoformat(),
            rows=rows,
            day=day,
            late_count=sum(row["late"] for row in rows),
        )
        for user in selectors.secretariat_wanting(kind=kind)
    ]


# --- Digests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    """One piece of news, with what it is about: a person following one of its thematic areas
    or countries sees it."""

    obj: Any
    at: datetime
    thematic_area_ids: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()
    # News for every reader of the digest, whatever they follow (an announcement).
    for_everyone: bool = False
    # Shown only to readers of this language; empty: to all (a language-neutral announcement).
    language: str = ""


def _region_countries(regions) -> set[str]:
    return {code for region in regions for code in region.country_codes}


class DigestSection:
    """One kind of news in the digest.

    To add one (good practices, Forum news): subclass it with a `key`, a `title`, the URL name
    of the page listing them all (`list_viewname`), templates
    `emails/secretariat/digest/<key>.txt` and `.html` rendering one `item`, and an `items()`
    that fetches the news of a period in a constant number of queries, with everything the
    templates read; then append an instance to DIGEST_SECTIONS.
    """

    key: str
    title: Promise
    list_viewname: str

    def items(self, *, since: datetime, until: datetime) -> list[DigestItem]:
        raise NotImplementedError

    @property
    def text_template(self) -> str:
        return f"emails/secretariat/digest/{self.key}.txt"

    @property
    def html_template(self) -> str:
        return f"emails/secretariat/digest/{self.key}.html"


class PartnersJoined(DigestSection):
    key = "partners"
    title = _("New partners")
    list_viewname = "partners:directory"

    def items(self, *, since, until):
        organizations = (
            Organization.objects.filter(
                status=Organization.Status.APPROVED, approved_at__gte=since, approved_at__lt=until
            )
            .select_related("constituency")
            .prefetch_related("regions")
            .order_by("approved_at", "pk")
        )
        return [
            DigestItem(
                obj=organization,
                at=organization.approved_at,
                countries=frozenset(
                    {
                        organization.country.code,
                        *(country.code for country in organization.countries),
                        *_region_countries(organization.regions.all()),
                    }
                ),
            )
            for organization in organizations
        ]


def _commitment_scope(commitment: Commitment) -> dict:
    return {
        "thematic_area_ids": frozenset(area.pk for area in commitment.thematic_areas.all()),
        "countries": frozenset(
            {
                *(country.code for country in commitment.countries),
                *_region_countries(commitment.regions.all()),
            }
        ),
    }


class CommitmentsPublished(DigestSection):
    key = "commitments"
    title = _("Commitments published")
    list_viewname = "commitments:list"

    def items(self, *, since, until):
        commitments = (
            Commitment.objects.filter(
                status__in=Commitment.LISTED_STATUSES,
                first_published_at__gte=since,
                first_published_at__lt=until,
            )
            .select_related("lead_organization")
            .prefetch_related("thematic_areas", "regions")
            .order_by("first_published_at", "pk")
        )
        return [
            DigestItem(
                obj=commitment, at=commitment.first_published_at, **_commitment_scope(commitment)
            )
            for commitment in commitments
        ]


class ProgressReported(DigestSection):
    key = "progress"
    title = _("Progress reported")
    list_viewname = "commitments:list"

    def items(self, *, since, until):
        updates = (
            ProgressUpdate.objects.filter(
                hidden=False,
                created_at__gte=since,
                created_at__lt=until,
                commitment__status__in=Commitment.LISTED_STATUSES,
            )
            .select_related("commitment__lead_organization")
            .prefetch_related("commitment__thematic_areas", "commitment__regions")
            .order_by("created_at", "pk")
        )
        return [
            DigestItem(obj=update, at=update.created_at, **_commitment_scope(update.commitment))
            for update in updates
        ]


class GoodPracticesPublished(DigestSection):
    key = "good_practices"
    title = _("Good practices published")
    list_viewname = "good_practices:list"

    def items(self, *, since, until):
        practices = (
            GoodPractice.objects.published()
            .filter(published_at__gte=since, published_at__lt=until)
            .select_related("organization")
            .prefetch_related("thematic_areas")
            .order_by("published_at", "pk")
        )
        return [
            DigestItem(
                obj=practice,
                at=practice.published_at,
                thematic_area_ids=frozenset(area.pk for area in practice.thematic_areas.all()),
                countries=frozenset(country.code for country in practice.countries),
            )
            for practice in practices
        ]


class AnnouncementsPublished(DigestSection):
    """News from the Secretariat: in every digest, whatever the reader follows."""

    key = "announcements"
    title = _("News from the Secretariat")
    list_viewname = "secretariat:announcements"

    def items(self, *, since, until):
        announcements = Announcement.objects.filter(
            published_at__gte=since, published_at__lt=until
        ).order_by("published_at", "pk")
        return [
            DigestItem(
                obj=announcement,
                at=announcement.published_at,
                for_everyone=True,
                language=announcement.language,
            )
            for announcement in announcements
        ]


class ForumEditionsPublished(DigestSection):
    """A Forum edition made public in the period: news for every reader. An edition has no
    publication date of its own; its history says when it was first published."""

    key = "forum_editions"
    title = _("Forum editions announced")
    list_viewname = "forum:index"

    def items(self, *, since, until):
        first_published = (
            ForumEdition.history.filter(id=OuterRef("pk"), is_published=True)
            .order_by("history_date")
            .values("history_date")[:1]
        )
        editions = (
            ForumEdition.objects.published()
            .annotate(first_published_at=Subquery(first_published))
            .filter(first_published_at__gte=since, first_published_at__lt=until)
            .order_by("first_published_at", "pk")
        )
        return [
            DigestItem(obj=edition, at=edition.first_published_at, for_everyone=True)
            for edition in editions
        ]


class ForumSessionsAdded(DigestSection):
    """A session added to the programme of a published edition: news for the followers of its
    thematic area, or for every reader when it has none."""

    key = "forum_sessions"
    title = _("Forum sessions added")
    list_viewname = "forum:index"

    def items(self, *, since, until):
        sessions = (
            Session.objects.public()
            .filter(created_at__gte=since, created_at__lt=until)
            .select_related("edition", "thematic_area")
            .order_by("created_at", "pk")
        )
        return [
            DigestItem(
                obj=session,
                at=session.created_at,
                thematic_area_ids=frozenset({session.thematic_area_id})
                if session.thematic_area_id
                else frozenset(),
                for_everyone=session.thematic_area_id is None,
            )
            for session in sessions
        ]


# In the order the digest shows them.
DIGEST_SECTIONS: list[DigestSection] = [
    AnnouncementsPublished(),
    PartnersJoined(),
    CommitmentsPublished(),
    ProgressReported(),
    GoodPracticesPublished(),
    ForumEditionsPublished(),
    ForumSessionsAdded(),
]


@dataclass(frozen=True)
class SectionNews:
    """What one person sees of a section: the latest items, and how many more there are."""

    section: DigestSection
    items: list[DigestItem]
    more: int = 0

    @property
    def title(self):
        return self.section.title

    @property
    def count(self) -> int:
        return len(self.items) + self.more


class _Index:
    """The news of one section by thematic area and by country, so that each person's digest
    is assembled from what they follow rather than by testing every item."""

    def __init__(self, items: list[DigestItem]):
        self.items = items
        self.by_area: dict[int, set[int]] = defaultdict(set)
        self.by_country: dict[str, set[int]] = defaultdict(set)
        self.for_everyone: dict[str, set[int]] = defaultdict(set)  # by language, "" for all
        for position, item in enumerate(items):
            if item.for_everyone:
                self.for_everyone[item.language].add(position)
            for area in item.thematic_area_ids:
                self.by_area[area].add(position)
            for country in item.countries:
                self.by_country[country].add(position)

    def matching(
        self, *, areas: set[int], countries: set[str], since: datetime, language: str = ""
    ):
        positions: set[int] = set(self.for_everyone.get("", set()))
        if language:
            positions |= self.for_everyone.get(language[:2], set())
        for area in areas:
            positions |= self.by_area.get(area, set())
        for country in countries:
            positions |= self.by_country.get(country, set())
        return [self.items[p] for p in sorted(positions) if self.items[p].at >= since]


@dataclass
class DigestPlan:
    emails: list[OutgoingEmail] = field(default_factory=list)
    # Everyone whose digest period was looked at, whether they had news or not.
    covered_preference_ids: list[int] = field(default_factory=list)
    until: datetime | None = None


def digest_period(*, frequency: str, day: date) -> str:
    if frequency == DigestFrequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == DigestFrequency.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    raise ValueError(f"No digest is sent {frequency!r}.")


def _default_since(*, frequency: str, day: date) -> datetime:
    if frequency == DigestFrequency.WEEKLY:
        return start_of(day - timedelta(days=7))
    first_of_month = day.replace(day=1)
    return start_of((first_of_month - timedelta(days=1)).replace(day=1))


def digest_since(preference: NotificationPreference, *, frequency: str, day: date) -> datetime:
    """Where a person's digest starts: where their last one ended, or one period back."""
    until = start_of(day)
    last = preference.digest_sent_until
    if last is not None and last >= until - DIGEST_MAX_LOOKBACK:
        return last
    return _default_since(frequency=frequency, day=day)


def digest_emails(
    *, preferences: list[NotificationPreference], frequency: str, day: date
) -> DigestPlan:
    """The digests of a batch of people: the news of the period is fetched once for the batch
    (a constant number of queries), then each person gets what they follow, if anything."""
    until = start_of(day)
    since_of = {
        preference.pk: digest_since(preference, frequency=frequency, day=day)
        for preference in preferences
    }
    due = [preference for preference in preferences if since_of[preference.pk] < until]
    plan = DigestPlan(covered_preference_ids=[preference.pk for preference in due], until=until)
    if not due:
        return plan
    earliest = min(since_of[preference.pk] for preference in due)
    indexes = [
        (section, _Index(section.items(since=earliest, until=until))) for section in DIGEST_SECTIONS
    ]
    period = digest_period(frequency=frequency, day=day)
    for preference in due:
        since = since_of[preference.pk]
        areas = preference.thematic_area_ids
        countries = {country.code for country in preference.countries}
        sections = [
            SectionNews(
                section=section,
                items=items[-DIGEST_ITEMS_PER_SECTION:][::-1],  # the latest first
                more=max(len(items) - DIGEST_ITEMS_PER_SECTION, 0),
            )
            for section, index in indexes
            if (
                items := index.matching(
                    areas=areas,
                    countries=countries,
                    since=since,
                    language=preference.user.language,
                )
            )
        ]
        if not sections:
            continue
        plan.emails.append(
            _email(
                preference.user,
                kind=NotificationKind.DIGEST,
                template="secretariat/digest",
                period=period,
                sections=sections,
                since=since,
                until=until,
                last_day=(until - timedelta(days=1)).date(),
                frequency=frequency,
                item_count=sum(news.count for news in sections),
                followed_areas=list(preference.thematic_areas.all()),
                followed_countries=list(preference.countries),
            )
        )
    return plan
