"""Fictional commitments of the demo partners (`manage.py seed_demo`), through the services.

Every stage of the lifecycle appears: drafts, a submission and an edit waiting in the
Secretariat's queues, a returned commitment, published ones with deliverables, progress (with
each evidence level) and a second published version, a completed and a withdrawn one; and each
reporting status (on track, update due, overdue, inactive). Safe to run again: an organization
that already leads a commitment is left as it is.
"""

from datetime import timedelta

from django.utils import timezone

from commitments import services
from commitments.content import content_of
from commitments.models import Commitment, CommitmentVersion, ProgressUpdate
from partners.models import Membership, Organization

DAY = timedelta(days=1)


def _d(days: int) -> str:
    return (timezone.localdate() + days * DAY).isoformat()


def _deliverable(title, indicator, baseline, target, due_in_days):
    return {
        "title": title,
        "indicator": indicator,
        "baseline": baseline,
        "target": target,
        "due_date": _d(due_in_days),
    }


# acronym (or name) of the lead, its story (`stage`), and the content. Days are from today.
COMMITMENTS = [
    {
        "lead": "MESP",
        "stage": "published_with_history",
        "published_days_ago": 300,
        "content": {
            "title": "Social protection for 300,000 informal economy workers in Senegal",
            "summary": (
                "A simplified contribution scheme brings health insurance and pensions to "
                "workers of the informal economy, with the unions and employers of the sector."
            ),
            "description": (
                "The Ministry opens a simplified social security scheme for own-account and "
                "informal workers: one monthly contribution, paid by mobile money, covers health "
                "insurance and an old-age pension. Unions and market associations register "
                "their members; the social security fund adapts its services to seasonal "
                "incomes. The scheme is designed and monitored in the national social dialogue "
                "council."
            ),
            "expected_results": (
                "300,000 informal workers covered by health insurance and a pension scheme; "
                "contribution collection by mobile money in all 14 regions."
            ),
            "thematic_areas": ["protection", "inequality"],
            "priorities": ["employment-social-protection"],
            "sdgs": [1, 8, 10],
            "level": "national",
            "countries": ["SN"],
            "start_date": _d(-400),
            "end_date": _d(700),
            "resource_types": ["financial", "staff"],
            "resources_description": "Matching contributions for the first two years; 40 staff.",
            "resources_amount": "12000000",
            "resources_currency": "XOF",
            "language": "en",
            "links": ["https://mesp.example.org/informal-protection"],
            "deliverables": [
                _deliverable(
                    "Simplified scheme adopted",
                    "Decree establishing the scheme",
                    "No scheme",
                    "1 decree adopted",
                    -250,
                ),
                _deliverable(
                    "Informal workers registered",
                    "Number of informal workers contributing",
                    "40,000",
                    "300,000",
                    650,
                ),
            ],
        },
        "revision": {
            "changes": {"end_date": _d(760)},
            "target": (1, "250,000"),
            "reason": (
                "Registration started six months late after the decree; the target is lowered "
                "to 250,000 and the period extended by two months."
            ),
            "publish": True,
        },
        "updates": [
            (-240, "The decree establishing the scheme was adopted.", {0: "achieved"}, True),
            (
                -30,
                "62,000 workers now contribute, mostly in Dakar and Thiès.",
                {1: "on_track"},
                False,
            ),
        ],
    },
    {
        "lead": "NCEF",
        "stage": "published",
        "published_days_ago": 500,
        "content": {
            "title": "Apprenticeships for 5,000 young Ghanaians",
            "summary": (
                "Member enterprises open paid apprenticeships with a recognized certificate."
            ),
            "description": (
                "The Federation's members in construction, agro-processing and hospitality "
                "offer paid apprenticeships of 12 months to young people who left school early, "
                "with the national TVET agency certifying the skills and the unions "
                "mentoring the apprentices on their rights at work."
            ),
            "expected_results": "5,000 certified apprentices, 60% of them employed a year later.",
            "thematic_areas": ["employment"],
            "priorities": ["employment-social-protection", "reducing-inequalities"],
            "sdgs": [4, 8],
            "level": "national",
            "countries": ["GH"],
            "start_date": _d(-600),
            "end_date": _d(500),
            "resource_types": ["in-kind", "staff"],
            "resources_description": "Workplaces and 300 workplace tutors.",
            "language": "en",
            "deliverables": [
                _deliverable(
                    "First cohort certified",
                    "Apprentices certified",
                    "0",
                    "1,500",
                    -60,
                ),
                _deliverable(
                    "All cohorts certified",
                    "Apprentices certified",
                    "0",
                    "5,000",
                    480,
                ),
            ],
        },
        "updates": [
            (-200, "1,100 apprentices started in 140 enterprises.", {0: "on_track"}, False)
        ],
    },
    {
        "lead": "ACW",
        "stage": "published",
        "published_days_ago": 200,
        "content": {
            "title": "Observatorio andino del diálogo social",
            "summary": (
                "Un observatorio sindical documenta la negociación colectiva y los conflictos "
                "laborales en los países andinos."
            ),
            "description": (
                "La confederación crea un observatorio abierto de la negociación colectiva, las "
                "huelgas y las mesas de diálogo tripartito en Bolivia, Colombia, Ecuador y Perú, "
                "con informes trimestrales y formación de negociadores sindicales jóvenes."
            ),
            "expected_results": "Cuatro informes anuales públicos y 200 negociadores formados.",
            "thematic_areas": ["social-dialogue", "labour-rights"],
            "priorities": ["social-dialogue"],
            "sdgs": [8, 16],
            "level": "regional",
            "regions": ["005"],
            "countries": ["BO", "CO", "EC", "PE"],
            "start_date": _d(-250),
            "end_date": _d(1000),
            "resource_types": ["staff", "financial"],
            "resources_amount": "180000",
            "resources_currency": "USD",
            "language": "es",
            "deliverables": [
                _deliverable(
                    "Informe anual del observatorio",
                    "Informes publicados",
                    "0",
                    "4",
                    900,
                ),
                _deliverable(
                    "Negociadores jóvenes formados",
                    "Personas formadas",
                    "0",
                    "200",
                    20,
                ),
            ],
        },
        "updates": [
            (-40, "Primer informe trimestral publicado.", {1: "on_track"}, "validate"),
        ],
    },
    {
        "lead": "PISPF",
        "stage": "published",
        "published_days_ago": 420,
        "content": {
            "title": "Climate-resilient livelihoods and social protection in the Pacific",
            "summary": "Shock-responsive cash transfers linked to early warnings of cyclones.",
            "description": "Governments and social partners of five island states design "
            "shock-responsive social protection that pays before a cyclone lands.",
            "thematic_areas": ["protection", "just-transitions"],
            "sdgs": [1, 13],
            "level": "regional",
            "regions": ["009"],
            "start_date": _d(-450),
            "end_date": _d(800),
            "language": "en",
            "deliverables": [
                _deliverable(
                    "Anticipatory cash transfer protocol",
                    "Countries with an adopted protocol",
                    "0",
                    "5",
                    600,
                ),
            ],
        },
        "updates": [],
    },
    {
        "lead": "MDB",
        "stage": "published",
        "published_days_ago": 90,
        "content": {
            "title": "Just transition clauses in all infrastructure lending",
            "summary": "Every new infrastructure loan carries labour and just transition clauses.",
            "description": (
                "From next year, the Bank's infrastructure loans require a just transition plan "
                "agreed with workers' representatives, fair labour clauses for contractors, and "
                "a grievance mechanism open to workers and communities."
            ),
            "expected_results": "100% of new infrastructure loans with the clauses.",
            "thematic_areas": ["just-transitions"],
            "priorities": ["multilateral-coherence"],
            "sdgs": [8, 9, 13],
            "level": "regional",
            "regions": ["002"],
            "start_date": _d(-100),
            "end_date": _d(1400),
            "resource_types": ["staff"],
            "resources_description": "A team of six labour and safeguards specialists.",
            "language": "en",
            "deliverables": [
                _deliverable(
                    "Clauses in the lending policy",
                    "Share of new loans with the clauses",
                    "0%",
                    "100%",
                    300,
                ),
            ],
        },
        "revision": {
            "changes": {"countries": ["CI", "GH", "SN"]},
            "reason": "The first loans are in three countries; we name them.",
            "publish": False,
        },
        "updates": [],
    },
    {
        "lead": "Lumen Textiles Cooperative",
        "stage": "published",
        "published_days_ago": 150,
        "co_partners": ["OHI"],
        "content": {
            "title": "Living wages and safe factories for 2,500 garment workers",
            "summary": "A living wage and an elected safety committee in each of our factories.",
            "description": (
                "The cooperative raises the lowest wages to the living wage benchmark of the "
                "region in three steps, and each factory elects a safety committee trained with "
                "the support of an international NGO."
            ),
            "expected_results": "All 2,500 workers earn at least the living wage.",
            "thematic_areas": ["labour-rights", "inequality"],
            "priorities": ["reducing-inequalities"],
            "sdgs": [3, 5, 8],
            "level": "national",
            "countries": ["BD"],
            "start_date": _d(-160),
            "end_date": _d(900),
            "resource_types": ["financial"],
            "resources_amount": "950000",
            "resources_currency": "USD",
            "language": "en",
            "deliverables": [
                _deliverable(
                    "Safety committees elected",
                    "Factories with an elected committee",
                    "1",
                    "6",
                    25,
                ),
                _deliverable(
                    "Living wage paid",
                    "Workers paid at least the living wage",
                    "900",
                    "2,500",
                    880,
                ),
            ],
        },
        "updates": [
            (
                -20,
                "",
                {0: "on_track"},
                ["https://lumen.example.org/reports/safety-committees-2025.pdf"],
            ),
        ],
    },
    {
        "lead": "OHI",
        "stage": "published",
        "published_days_ago": 60,
        "content": {
            "title": "Un corridor de recrutement équitable pour les travailleuses domestiques",
            "summary": (
                "Zéro frais de recrutement et des contrats types pour les travailleuses "
                "domestiques migrantes entre l'Afrique de l'Ouest et le Moyen-Orient."
            ),
            "description": (
                "Avec des agences de recrutement engagées et les syndicats des deux rives, "
                "l'organisation teste un corridor où aucune travailleuse ne paie de frais, où "
                "chaque contrat est signé avant le départ et où une ligne d'aide répond dans sa "
                "langue."
            ),
            "expected_results": "1 500 travailleuses recrutées sans frais.",
            "thematic_areas": ["labour-rights", "inequality"],
            "priorities": ["reducing-inequalities"],
            "sdgs": [5, 8, 10],
            "level": "regional",
            "regions": ["011", "145"],
            "start_date": _d(-70),
            "end_date": _d(1000),
            "resource_types": ["financial", "staff"],
            "resources_amount": "400000",
            "resources_currency": "CHF",
            "language": "fr",
            "deliverables": [
                _deliverable(
                    "Travailleuses recrutées sans frais",
                    "Nombre de travailleuses",
                    "0",
                    "1500",
                    950,
                ),
            ],
        },
        "updates": [],
    },
    {
        "lead": "IFWS",
        "stage": "completed",
        "published_days_ago": 700,
        "content": {
            "title": "An open monitor of wage inequality in 40 countries",
            "summary": "Yearly open data on the gap between the lowest and the median wages.",
            "description": "The Institute publishes comparable wage inequality data every year.",
            "thematic_areas": ["inequality"],
            "sdgs": [10],
            "level": "global",
            "start_date": _d(-800),
            "end_date": _d(-10),
            "language": "en",
            "deliverables": [
                _deliverable("Data sets published", "Yearly releases", "0", "2", -30),
            ],
        },
        "updates": [(-25, "The second yearly release is online.", {0: "achieved"}, True)],
    },
    {
        "lead": "IFWS",
        "stage": "withdrawn",
        "published_days_ago": 300,
        "withdrawal": "The research grant that funded the survey was not renewed.",
        "content": {
            "title": "A survey of platform workers in southern Europe",
            "summary": "Working conditions of 3,000 platform workers in four countries.",
            "thematic_areas": ["labour-rights"],
            "sdgs": [8],
            "level": "regional",
            "regions": ["039"],
            "start_date": _d(-320),
            "end_date": _d(400),
            "language": "en",
            "deliverables": [
                _deliverable("Survey report", "Report published", "0", "1", 300),
            ],
        },
        "updates": [],
    },
    {
        "lead": "BUPSW",
        "stage": "draft",
        "content": {
            "title": "Universal social protection campaign in the Baltic states",
            "summary": "A campaign for social protection floors covering every worker.",
            "thematic_areas": ["protection"],
            "level": "regional",
            "regions": ["154"],
            "start_date": _d(30),
            "end_date": _d(760),
            "language": "en",
            "deliverables": [],
        },
    },
    {
        "lead": "MSEN",
        "stage": "submitted",
        "content": {
            "title": "10,000 decent jobs for young people in social enterprises",
            "summary": "Social enterprises of the network hire and train young people.",
            "description": (
                "Members of the network commit to hire young people on permanent contracts with "
                "social insurance, and to train them in digital and green skills."
            ),
            "expected_results": "10,000 young people in decent jobs.",
            "thematic_areas": ["employment"],
            "priorities": ["employment-social-protection"],
            "sdgs": [8],
            "level": "national",
            "countries": ["VN"],
            "start_date": _d(10),
            "end_date": _d(1100),
            "resource_types": ["financial"],
            "resources_description": "A guarantee fund for the first year's wages.",
            "language": "en",
            "deliverables": [
                _deliverable(
                    "Young people hired", "Permanent contracts signed", "0", "10,000", 1000
                ),
            ],
        },
    },
    {
        "lead": "CCSD",
        "stage": "returned",
        "return_reason": (
            "Please give the deliverable a number to reach and name the countries where the "
            "training takes place."
        ),
        "content": {
            "title": "Training negotiators of the social partners in the Caribbean",
            "summary": "Courses in negotiation and mediation for unions and employers.",
            "thematic_areas": ["social-dialogue"],
            "sdgs": [16],
            "level": "regional",
            "regions": ["029"],
            "start_date": _d(-20),
            "end_date": _d(700),
            "language": "en",
            "deliverables": [
                _deliverable("Negotiators trained", "People trained", "0", "many", 600),
            ],
        },
    },
]


def _organization(key: str) -> Organization | None:
    return (
        Organization.objects.filter(acronym=key).first()
        or Organization.objects.filter(name=key).first()
    )


def _admin_of(organization: Organization):
    membership = (
        Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _backdate(commitment: Commitment, days: int) -> None:
    """Moves the publication back in time, as if the demo had been running for a while."""
    moment = timezone.now() - days * DAY
    Commitment.objects.filter(pk=commitment.pk).update(
        first_published_at=moment, published_at=moment, status_changed_at=moment
    )
    CommitmentVersion.objects.filter(commitment=commitment, number=1).update(published_at=moment)


def _with_ids(commitment: Commitment) -> dict:
    return content_of(Commitment.objects.prefetch_for_content().get(pk=commitment.pk))


def _create(spec: dict, secretariat) -> Commitment | None:
    lead = _organization(spec["lead"])
    if lead is None:
        return None
    if Commitment.objects.filter(lead_organization=lead, title=spec["content"]["title"]).exists():
        return None
    actor = _admin_of(lead)
    co_partners = [org for key in spec.get("co_partners", []) if (org := _organization(key))]
    commitment = services.commitment_create(
        organization=lead, actor=actor, content=spec["content"], co_partners=co_partners
    )
    for copartnership in commitment.co_partnerships.select_related("organization"):
        services.copartnership_respond(
            copartnership=copartnership, actor=_admin_of(copartnership.organization), accept=True
        )
    stage = spec["stage"]
    if stage == "draft":
        return commitment
    services.commitment_submit(commitment=commitment, actor=actor)
    if stage == "submitted":
        return commitment
    if stage == "returned":
        services.commitment_return(
            commitment=commitment, actor=secretariat, reason=spec["return_reason"]
        )
        return commitment
    services.commitment_publish(commitment=commitment, actor=secretariat)
    _backdate(commitment, spec["published_days_ago"])
    deliverables = list(commitment.deliverables.order_by("position"))
    for days, narrative, changes, evidence in spec.get("updates", []):
        update = services.progress_update_create(
            commitment=commitment,
            actor=actor,
            date=timezone.localdate() + days * DAY,
            narrative=narrative,
            links=evidence if isinstance(evidence, list) else [],
            status_changes={deliverables[index].pk: status for index, status in changes.items()},
        )
        if evidence == "validate":
            services.progress_update_validate(update=update, actor=secretariat)
        ProgressUpdate.objects.filter(pk=update.pk).update(created_at=timezone.now() + days * DAY)
    revision = spec.get("revision")
    if revision:
        content = _with_ids(commitment) | revision["changes"]
        if "target" in revision:
            index, target = revision["target"]
            content["deliverables"][index]["target"] = target
        commitment.refresh_from_db()
        services.commitment_update(
            commitment=commitment,
            actor=actor,
            content=content,
            lock_version=commitment.lock_version,
        )
        services.commitment_submit(commitment=commitment, actor=actor, reason=revision["reason"])
        if revision["publish"]:
            services.commitment_publish(commitment=commitment, actor=secretariat)
    if stage == "completed":
        services.commitment_complete(commitment=commitment, actor=actor)
    elif stage == "withdrawn":
        services.commitment_withdraw(commitment=commitment, actor=actor, reason=spec["withdrawal"])
    return commitment


def seed(*, secretariat) -> list[Commitment]:
    """Creates the demo commitments through the services (the partners' demo runs first); their
    decision emails land in var/mail/ like any other."""
    created = []
    for spec in COMMITMENTS:
        commitment = _create(spec, secretariat)
        if commitment is not None:
            created.append(commitment)
    return created
