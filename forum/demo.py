"""A demo Forum (`manage.py seed_demo`): an upcoming edition with its programme, a few
registrations and two discussions. Runs after the partners' demo, whose people it uses."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from coalition.models import ThematicArea, User
from forum.markdown import render_markdown
from forum.models import AttendanceMode, ForumEdition, Post, Registration, Session, Speaker, Thread
from partners.models import Membership, Organization

# day (0 or 1), start, end, title, thematic area, room, description, speakers
# A speaker is (email of a demo partner person, role) or (guest name, affiliation, role).
SESSIONS = [
    (
        0,
        time(9, 30),
        time(11, 0),
        "Opening plenary: a decade of action for social justice",
        None,
        "Assembly hall",
        "The Director-General of the ILO and partners open the Forum and take stock of the "
        "Coalition's first commitments.",
        [("Amina Diallo", "International Labour Organization", "speaker")],
    ),
    (
        0,
        time(11, 30),
        time(13, 0),
        "Extending social protection to workers in the informal economy",
        "protection",
        "Room 2",
        "Governments and workers' organizations compare how they reached informal workers "
        "with health and income protection.",
        [
            ("partner@example.org", "speaker"),
            ("contact@acw.example.org", "speaker"),
            ("Lucía Fernández", "Regional social security association", "moderator"),
        ],
    ),
    (
        0,
        time(14, 30),
        time(16, 0),
        "Skills for productive and freely chosen employment",
        "employment",
        "Room 3",
        "Employers, training institutes and young workers on apprenticeships that lead to "
        "decent jobs.",
        [("contact@ncef.example.org", "speaker"), ("contact@msen.example.org", "speaker")],
    ),
    (
        1,
        time(9, 30),
        time(11, 0),
        "Just transitions in finance and infrastructure",
        "just-transitions",
        "Room 2",
        "How development banks write fair labour clauses and just-transition plans into the "
        "projects they finance.",
        [
            ("contact@mdb.example.org", "speaker"),
            ("Kenji Watanabe", "Independent expert", "speaker"),
        ],
    ),
    (
        1,
        time(11, 30),
        time(13, 0),
        "Social dialogue as a driver of resilience",
        "social-dialogue",
        "Assembly hall",
        "Social partners of the Caribbean and the Pacific share how dialogue helped them "
        "through crises.",
        [("contact@ccsd.example.org", "moderator"), ("contact@pispf.example.org", "speaker")],
    ),
    (
        1,
        time(14, 30),
        time(15, 30),
        "Closing plenary: commitments for the year ahead",
        None,
        "Assembly hall",
        "Partners announce new commitments; the Secretariat presents the next steps.",
        [],
    ),
]

THREADS = [
    (
        "protection",
        "Reaching domestic workers with social protection",
        "partner@example.org",
        "Our ministry is extending health insurance to **domestic workers**. What worked for "
        "you in registering employers?\n\n- simplified forms\n- mobile payment\n- campaigns",
        [
            (
                "contact@ohi.example.org",
                "In our experience a *one-stop shop* helped most. See our brief on "
                "[fair migration](https://ohi.example.org).",
            )
        ],
    ),
    (
        "employment",
        "Apprenticeships that lead to decent jobs",
        "contact@ncef.example.org",
        "We are looking for partners to compare apprenticeship completion rates across the "
        "region. Who collects these figures?",
        [],
    ),
]


def _person(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _approved_organization(user: User) -> Organization | None:
    membership = (
        Membership.objects.filter(user=user, organization__status=Organization.Status.APPROVED)
        .select_related("organization")
        .first()
    )
    return membership.organization if membership else None


def _seed_sessions(edition: ForumEdition) -> None:
    for day, start, end, title, area, room, description, speakers in SESSIONS:
        date = edition.starts_on + timedelta(days=day)
        session = Session.objects.create(
            edition=edition,
            title=title,
            description=description,
            thematic_area=ThematicArea.objects.filter(code=area).first() if area else None,
            starts_at=datetime.combine(date, start, tzinfo=edition.zone),
            ends_at=datetime.combine(date, end, tzinfo=edition.zone),
            room=room,
            link="https://webcast.example.org/forum" if room == "Assembly hall" else "",
        )
        for position, speaker in enumerate(speakers):
            if len(speaker) == 2:
                person = _person(speaker[0])
                if person is None:
                    continue
                Speaker.objects.create(
                    session=session,
                    user=person,
                    organization=_approved_organization(person),
                    name=person.full_name,
                    role=speaker[1],
                    position=position,
                )
            else:
                name, affiliation, role = speaker
                Speaker.objects.create(
                    session=session,
                    name=name,
                    affiliation=affiliation,
                    role=role,
                    position=position,
                )


def _seed_registrations(edition: ForumEdition) -> None:
    emails = ["contact@acw.example.org", "contact@ncef.example.org", "contact@ifws.example.org"]
    now = timezone.now()
    for email in emails:
        person = _person(email)
        organization = person and _approved_organization(person)
        if organization is None:
            continue
        Registration.objects.get_or_create(
            edition=edition,
            user=person,
            status=Registration.Status.REGISTERED,
            defaults={
                "organization": organization,
                "attendance_mode": AttendanceMode.IN_PERSON,
                "listed": True,
                "registered_at": now,
            },
        )


def _seed_threads() -> None:
    now = timezone.now()
    for index, (area, title, author_email, body, replies) in enumerate(THREADS):
        author = _person(author_email)
        organization = author and _approved_organization(author)
        if organization is None or Thread.objects.filter(title=title).exists():
            continue
        opened = now - timedelta(days=10 - index * 3)
        thread = Thread.objects.create(
            thematic_area=ThematicArea.objects.get(code=area),
            title=title,
            author=author,
            organization=organization,
            last_posted_at=opened,
        )
        posts = [(author, organization, body, opened)]
        for offset, (reply_email, reply_body) in enumerate(replies, start=1):
            replier = _person(reply_email)
            replier_organization = replier and _approved_organization(replier)
            if replier_organization is not None:
                posts.append(
                    (replier, replier_organization, reply_body, opened + timedelta(hours=offset))
                )
        for post_author, post_organization, post_body, created in posts:
            post = Post.objects.create(
                thread=thread,
                author=post_author,
                organization=post_organization,
                body=post_body,
                body_html=render_markdown(post_body),
            )
            # created_at is automatic; the demo backdates the conversation.
            Post.objects.filter(pk=post.pk).update(created_at=created)
        Thread.objects.filter(pk=thread.pk).update(last_posted_at=posts[-1][3])


def seed() -> dict:
    """An edition two months ahead, registration open; safe to run again."""
    today = timezone.localdate()
    starts_on = today + timedelta(days=60)
    edition, created = ForumEdition.objects.get_or_create(
        year=starts_on.year,
        defaults={
            "theme": "Social justice in a changing world of work",
            "description": "Two days for partners to share what works, agree on joint action and "
            "meet the people behind the Coalition's commitments.",
            "starts_on": starts_on,
            "ends_on": starts_on + timedelta(days=1),
            "time_zone": "Europe/Zurich",
            "in_person": True,
            "online": True,
            "place": "International Labour Office, Geneva",
            "registration_opens_at": timezone.now() - timedelta(days=14),
            "registration_closes_at": timezone.now() + timedelta(days=45),
            "in_person_capacity": 120,
            "online_capacity": None,
            "is_published": True,
            "ever_published": True,
        },
    )
    if created:
        _seed_sessions(edition)
        _seed_registrations(edition)
    _seed_threads()
    return {"edition": edition}
