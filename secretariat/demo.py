"""Demo data of the Secretariat (`manage.py seed_demo`): a few published good practices, a
Coordinating Group and two announcements. Runs after the partners' and commitments' demos, whose
organizations and people it uses. Safe to run again: rows are found by their title or term."""

from datetime import timedelta

from django.utils import timezone

from coalition.models import SustainableDevelopmentGoal, ThematicArea, User
from commitments.models import Commitment
from partners.models import Organization
from secretariat.models import Announcement, CoordinatingGroupMembership, GoodPractice
from secretariat.search import refresh_search_vector

# title, summary, what worked, results, countries, thematic areas, SDGs
PRACTICES = [
    (
        "Apprenticeships designed by employers and unions together",
        "A joint board of employers and workers chose the trades and wrote the curriculum of a "
        "national apprenticeship programme.",
        "Both sides owned the programme from the start: employers offered placements they "
        "needed, unions made sure apprentices were paid and protected.",
        "Two thirds of the first 1,200 apprentices were hired by their host company.",
        ["KE", "TZ"],
        ["employment"],
        [4, 8],
    ),
    (
        "Mobile registration of informal workers for social protection",
        "Health and income protection reached market traders through registration on mobile "
        "phones, with contributions adapted to irregular earnings.",
        "Registration at the market itself, in local languages, and contributions that can be "
        "paid daily or weekly.",
        "85,000 informal workers registered in the first year, 40% of them women.",
        ["SN", "GH"],
        ["protection"],
        [1, 3, 10],
    ),
    (
        "Fair labour clauses in infrastructure loans",
        "A development bank wrote core labour standards and a just-transition plan into the "
        "conditions of its infrastructure loans.",
        "Clauses checked at each disbursement, with workers' organizations consulted on site.",
        "Every new loan since 2025 carries the clauses; three grievances were settled on site.",
        [],
        ["just-transitions", "labour-rights"],
        [8, 9, 13],
    ),
]

ANNOUNCEMENTS = [
    (
        "Registrations for the next Forum are open",
        "Members of partner organizations can now register for the annual Forum of the "
        "Coalition, in person or online. Participants pay their own travel; there are no fees.",
    ),
    (
        "New good practices in the repository",
        "The Secretariat published the first good practices shared by partners. Browse them and "
        "share yours: what worked for you may work elsewhere.",
    ),
]


def seed() -> None:
    secretariat = User.objects.filter(is_staff=True).order_by("pk").first()
    partners = list(Organization.objects.public().order_by("pk"))
    if not partners:
        return
    now = timezone.now()
    for index, (title, summary, worked, results, countries, areas, goals) in enumerate(PRACTICES):
        organization = partners[index % len(partners)]
        published_at = now - timedelta(days=40 - index * 10)
        practice, created = GoodPractice.objects.get_or_create(
            title=title,
            defaults={
                "organization": organization,
                "summary": summary,
                "what_worked": worked,
                "results": results,
                "countries": countries,
                "status": GoodPractice.Status.PUBLISHED,
                "submitted_at": published_at - timedelta(days=5),
                "status_changed_at": published_at,
                "published_at": published_at,
            },
        )
        if not created:
            continue
        practice.thematic_areas.set(ThematicArea.objects.filter(code__in=areas))
        practice.sdgs.set(SustainableDevelopmentGoal.objects.filter(number__in=goals))
        practice.commitments.set(
            Commitment.objects.public().filter(lead_organization=organization)[:1]
        )
        refresh_search_vector(practice)

    today = now.date()
    roles = [CoordinatingGroupMembership.Role.CHAIR, CoordinatingGroupMembership.Role.VICE_CHAIR]
    for index, organization in enumerate(partners[:5]):
        CoordinatingGroupMembership.objects.get_or_create(
            organization=organization,
            term_start=today.replace(month=1, day=1),
            defaults={
                "role": roles[index] if index < len(roles) else "member",
                "term_end": today.replace(year=today.year + 1, month=12, day=31),
            },
        )

    for index, (title, body) in enumerate(ANNOUNCEMENTS):
        Announcement.objects.get_or_create(
            title=title,
            defaults={
                "body": body,
                "published_at": now - timedelta(days=3 + index * 7),
                "created_by": secretariat,
            },
        )
