"""Fictional partners for the demo (`manage.py seed_demo`): every constituency and region."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from coalition.models import Constituency, Region, User
from partners.models import PRINCIPLES_VERSION, Application, Membership, Organization

DEMO_PASSWORD = "coalition-demo"

# name, acronym, constituency, country, regions (M49), website host, status, description
ORGANIZATIONS = [
    (
        "Demo Ministry of Employment and Social Protection",
        "MESP",
        "government",
        "SN",
        ["202"],
        "approved",
        "Leads national employment policy and the extension of social protection to "
        "workers in the informal economy.",
    ),
    (
        "Northern Coast Employers' Federation",
        "NCEF",
        "employers-organization",
        "GH",
        ["011"],
        "approved",
        "Represents 4,000 enterprises and promotes productive employment and skills.",
    ),
    (
        "Andes Confederation of Workers",
        "ACW",
        "workers-organization",
        "PE",
        ["005"],
        "approved",
        "A confederation of trade unions defending labour rights and social dialogue "
        "across the Andean countries.",
    ),
    (
        "Pacific Islands Social Partnership Forum",
        "PISPF",
        "international-organization",
        "FJ",
        ["009"],
        "approved",
        "A regional body bringing governments and social partners of the "
        "Pacific together on resilience and decent work.",
    ),
    (
        "Meridian Development Bank",
        "MDB",
        "financial-institution",
        "CI",
        ["002", "142"],
        "approved",
        "Finances infrastructure with just-transition plans and fair labour clauses.",
    ),
    (
        "Lumen Textiles Cooperative",
        "",
        "enterprise",
        "BD",
        ["034"],
        "approved",
        "A garment cooperative of 2,500 workers committed to living wages and safe factories.",
    ),
    (
        "Open Horizons International",
        "OHI",
        "ingo",
        "CH",
        ["150", "002"],
        "approved",
        "An international NGO working on fair labour migration and the rights of domestic workers.",
    ),
    (
        "Institute for Fair Work Studies",
        "IFWS",
        "academia",
        "ES",
        ["150"],
        "approved",
        "University research centre measuring inequality, wages and working conditions.",
    ),
    (
        "Baltic Union of Public Service Workers",
        "BUPSW",
        "workers-organization",
        "LT",
        ["154"],
        "approved",
        "Trade union of public service workers advocating universal social protection.",
    ),
    (
        "Mekong Social Enterprise Network",
        "MSEN",
        "enterprise",
        "VN",
        ["035"],
        "approved",
        "Network of social enterprises creating decent jobs for young people.",
    ),
    (
        "Caribbean Centre for Social Dialogue",
        "CCSD",
        "academia",
        "JM",
        ["029"],
        "approved",
        "Trains negotiators and mediators of the social partners in the Caribbean.",
    ),
    (
        "Prairie Cooperative Credit Union",
        "PCCU",
        "financial-institution",
        "CA",
        ["021"],
        "applied",
        "Provides credit to small enterprises that formalize their workers.",
    ),
    (
        "Steppe Women Workers Association",
        "SWWA",
        "ingo",
        "KZ",
        ["143"],
        "applied",
        "Supports women workers in agriculture and their access to social security.",
    ),
]


def _verified_user(email: str, *, full_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed() -> dict:
    secretariat = _verified_user(
        "secretariat@example.org",
        full_name="Sam Secretariat",
        is_staff=True,
        is_superuser=True,
    )
    partner = _verified_user("partner@example.org", full_name="Pat Partner")
    now = timezone.now()
    organizations = []
    for index, (name, acronym, constituency, country, regions, status, description) in enumerate(
        ORGANIZATIONS
    ):
        approved = status == Organization.Status.APPROVED
        applied_at = now - timedelta(days=400 - index * 25)
        organization, created = Organization.objects.get_or_create(
            name=name,
            defaults={
                "acronym": acronym,
                "constituency": Constituency.objects.get(code=constituency),
                "country": country,
                "description": description,
                "website": f"https://{(acronym or name.split()[0]).lower()}.example.org",
                "languages": ["en", "fr"] if index % 2 else ["en", "es"],
                "status": status,
                "status_changed_at": applied_at + timedelta(days=7) if approved else applied_at,
                "approved_at": applied_at + timedelta(days=7) if approved else None,
            },
        )
        organizations.append(organization)
        if not created:
            continue
        organization.regions.set(Region.objects.filter(m49__in=regions))
        representative = (
            partner
            if index == 0
            else _verified_user(
                f"contact@{organization.website.removeprefix('https://')}",
                full_name=f"{organization.acronym or organization.name} contact",
            )
        )
        Membership.objects.get_or_create(
            organization=organization,
            user=representative,
            defaults={"role": Membership.Role.ADMIN},
        )
        Application.objects.create(
            organization=organization,
            applicant=representative,
            principles_version=PRINCIPLES_VERSION,
            endorsed_at=applied_at,
            decision=Application.Decision.APPROVED if approved else Application.Decision.PENDING,
            decided_at=applied_at + timedelta(days=7) if approved else None,
            reviewer=secretariat if approved else None,
        )
    return {"secretariat": secretariat, "partner": partner, "organizations": organizations}
