"""The reference vocabularies: data only, loaded by the migration `0002_vocabularies`.

Users never type these. Codes are stable identifiers that other code, the API and the URLs rely
on: fix a name freely, never change a code. A change here reaches existing databases only through
a new data migration (the loader updates rows by code, so running it again is safe).

Sources: the Coalition's description (`shared/seed`) for constituencies, thematic areas and
priorities; the United Nations for the Sustainable Development Goals (short titles and colours of
the official icons) and for the M49 standard of geographic regions.
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Term:
    """An entry of a vocabulary named in the three interface languages; its position is its rank."""

    code: str
    name_en: str
    name_fr: str
    name_es: str


@dataclass(frozen=True)
class PriorityTerm(Term):
    description_en: str


@dataclass(frozen=True)
class Goal:
    number: int
    name_en: str
    name_fr: str
    name_es: str
    colour: str


@dataclass(frozen=True)
class Area:
    """A UN M49 area: the countries listed on it directly, and the smaller areas it contains.

    `countries` holds ISO 3166-1 alpha-2 codes separated by spaces; an area's full list (what the
    database stores) adds the countries of all the areas below it.
    """

    m49: str
    name_en: str
    name_fr: str
    name_es: str
    countries: str = ""
    children: tuple["Area", ...] = ()

    def all_countries(self) -> list[str]:
        codes = self.countries.split()
        for child in self.children:
            codes.extend(child.all_countries())
        return sorted(codes)


# The eight kinds of organization the Coalition is open to, in the order of the seed text.
CONSTITUENCIES: tuple[Term, ...] = (
    Term("government", "Government", "Gouvernement", "Gobierno"),
    Term(
        "employers-organization",
        "Employers' organization",
        "Organisation d'employeurs",
        "Organización de empleadores",
    ),
    Term(
        "workers-organization",
        "Workers' organization",
        "Organisation de travailleurs",
        "Organización de trabajadores",
    ),
    Term(
        "international-organization",
        "International or regional organization",
        "Organisation internationale ou régionale",
        "Organización internacional o regional",
    ),
    Term(
        "financial-institution",
        "Financial institution or development bank",
        "Institution financière ou banque de développement",
        "Institución financiera o banco de desarrollo",
    ),
    Term("enterprise", "Enterprise", "Entreprise", "Empresa"),
    Term(
        "ingo",
        "International non-governmental organization",
        "Organisation non gouvernementale internationale",
        "Organización no gubernamental internacional",
    ),
    Term("academia", "Academia", "Milieu universitaire", "Mundo académico"),
)

# The six "areas of immediate action" of the seed text, in its order.
THEMATIC_AREAS: tuple[Term, ...] = (
    Term(
        "inequality",
        "Addressing inequality, discrimination and exclusion",
        "Lutter contre les inégalités, la discrimination et l'exclusion",
        "Abordar la desigualdad, la discriminación y la exclusión",
    ),
    Term(
        "labour-rights",
        "Realizing labour rights as human rights, ensuring human dignity and meeting basic needs",
        "Faire des droits au travail des droits humains, garantir la dignité humaine et répondre "
        "aux besoins essentiels",
        "Hacer efectivos los derechos laborales como derechos humanos, garantizar la dignidad "
        "humana y satisfacer las necesidades básicas",
    ),
    Term(
        "employment",
        "Expanding access to and capabilities for productive and freely chosen employment and "
        "sustainable enterprises",
        "Élargir l'accès à un emploi productif et librement choisi et aux entreprises durables, "
        "et renforcer les capacités en la matière",
        "Ampliar el acceso al empleo productivo y libremente elegido y a las empresas "
        "sostenibles, así como las capacidades para ello",
    ),
    Term(
        "protection",
        "Providing protection and building resilience",
        "Assurer une protection et renforcer la résilience",
        "Brindar protección y fortalecer la resiliencia",
    ),
    Term(
        "just-transitions",
        "Strengthening just transitions and the social dimension of sustainable development, "
        "trade and investment",
        "Renforcer les transitions justes et la dimension sociale du développement durable, du "
        "commerce et de l'investissement",
        "Fortalecer las transiciones justas y la dimensión social del desarrollo sostenible, el "
        "comercio y la inversión",
    ),
    Term(
        "social-dialogue",
        "Reinforcing institutions of social dialogue",
        "Renforcer les institutions du dialogue social",
        "Reforzar las instituciones del diálogo social",
    ),
)

# The four initial priorities the ILO targets for the Coalition's early thematic work.
PRIORITIES: tuple[PriorityTerm, ...] = (
    PriorityTerm(
        "employment-social-protection",
        "Employment creation and universal social protection",
        "Création d'emplois et protection sociale universelle",
        "Creación de empleo y protección social universal",
        description_en=(
            "Creating jobs and extending social protection to everyone, notably through the "
            "Global Accelerator on Jobs and Social Protection for Just Transitions, which many "
            "actors have already joined. It also covers a sound environment for sustainable "
            "enterprises and investment in skills."
        ),
    ),
    PriorityTerm(
        "reducing-inequalities",
        "Reduction of inequalities",
        "Réduction des inégalités",
        "Reducción de las desigualdades",
        description_en=(
            "Narrowing inequalities by helping countries apply international labour standards, "
            "tackling youth unemployment and informality, and advancing equality, "
            "non-discrimination, lifelong learning, fair labour migration and safe and healthy "
            "working conditions, wages included."
        ),
    ),
    PriorityTerm(
        "multilateral-coherence",
        "Elevation of social justice and decent work in the priorities of other multilateral "
        "organizations",
        "Élévation de la justice sociale et du travail décent au rang des priorités des autres "
        "organisations multilatérales",
        "Elevación de la justicia social y el trabajo decente en las prioridades de otras "
        "organizaciones multilaterales",
        description_en=(
            "Working with other multilateral organizations, above all international financial "
            "institutions and development banks, on social spending in developing countries, "
            "decent work in supply chains and trade, and just transition planning in climate "
            "finance."
        ),
    ),
    PriorityTerm(
        "social-dialogue",
        "Promoting social dialogue",
        "Promotion du dialogue social",
        "Promoción del diálogo social",
        description_en=(
            "Strengthening social dialogue and its institutions, and bringing the value of "
            "tripartism and international labour standards into UN and multilateral processes "
            "such as Cooperation Frameworks and Decent Work Country Programmes."
        ),
    ),
)

# The 17 Goals with the United Nations' short titles and the colours of their official icons.
SUSTAINABLE_DEVELOPMENT_GOALS: tuple[Goal, ...] = (
    Goal(1, "No poverty", "Pas de pauvreté", "Fin de la pobreza", "#E5243B"),
    Goal(2, "Zero hunger", "Faim « zéro »", "Hambre cero", "#DDA63A"),
    Goal(
        3, "Good health and well-being", "Bonne santé et bien-être", "Salud y bienestar", "#4C9F38"
    ),
    Goal(4, "Quality education", "Éducation de qualité", "Educación de calidad", "#C5192D"),
    Goal(5, "Gender equality", "Égalité entre les sexes", "Igualdad de género", "#FF3A21"),
    Goal(
        6,
        "Clean water and sanitation",
        "Eau propre et assainissement",
        "Agua limpia y saneamiento",
        "#26BDE2",
    ),
    Goal(
        7,
        "Affordable and clean energy",
        "Énergie propre et d'un coût abordable",
        "Energía asequible y no contaminante",
        "#FCC30B",
    ),
    Goal(
        8,
        "Decent work and economic growth",
        "Travail décent et croissance économique",
        "Trabajo decente y crecimiento económico",
        "#A21942",
    ),
    Goal(
        9,
        "Industry, innovation and infrastructure",
        "Industrie, innovation et infrastructure",
        "Industria, innovación e infraestructura",
        "#FD6925",
    ),
    Goal(
        10,
        "Reduced inequalities",
        "Inégalités réduites",
        "Reducción de las desigualdades",
        "#DD1367",
    ),
    Goal(
        11,
        "Sustainable cities and communities",
        "Villes et communautés durables",
        "Ciudades y comunidades sostenibles",
        "#FD9D24",
    ),
    Goal(
        12,
        "Responsible consumption and production",
        "Consommation et production responsables",
        "Producción y consumo responsables",
        "#BF8B2E",
    ),
    Goal(
        13,
        "Climate action",
        "Mesures relatives à la lutte contre les changements climatiques",
        "Acción por el clima",
        "#3F7E44",
    ),
    Goal(14, "Life below water", "Vie aquatique", "Vida submarina", "#0A97D9"),
    Goal(15, "Life on land", "Vie terrestre", "Vida de ecosistemas terrestres", "#56C02B"),
    Goal(
        16,
        "Peace, justice and strong institutions",
        "Paix, justice et institutions efficaces",
        "Paz, justicia e instituciones sólidas",
        "#00689D",
    ),
    Goal(
        17,
        "Partnerships for the goals",
        "Partenariats pour la réalisation des objectifs",
        "Alianzas para lograr los objetivos",
        "#19486A",
    ),
)

# UN M49: regions > sub-regions > intermediate regions, with the countries of each. Every country
# django-countries knows sits in exactly one region and one sub-region, except Antarctica (AQ),
# which M49 puts in none. Taiwan (TW), which M49 counts within China, sits in Eastern Asia.
M49_REGIONS: tuple[Area, ...] = (
    Area(
        "002",
        "Africa",
        "Afrique",
        "África",
        children=(
            Area(
                "015",
                "Northern Africa",
                "Afrique septentrionale",
                "África septentrional",
                countries="DZ EG LY MA SD TN EH",
            ),
            Area(
                "202",
                "Sub-Saharan Africa",
                "Afrique subsaharienne",
                "África subsahariana",
                children=(
                    # With the British Indian Ocean Territory (IO), the French Southern
                    # Territories (TF), Mayotte (YT) and Réunion (RE).
                    Area(
                        "014",
                        "Eastern Africa",
                        "Afrique orientale",
                        "África oriental",
                        countries=(
                            "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW"
                        ),
                    ),
                    Area(
                        "017",
                        "Middle Africa",
                        "Afrique centrale",
                        "África central",
                        countries="AO CD CF CG CM GA GQ ST TD",
                    ),
                    Area(
                        "018",
                        "Southern Africa",
                        "Afrique australe",
                        "África meridional",
                        countries="BW LS NA SZ ZA",
                    ),
                    # With Saint Helena, Ascension and Tristan da Cunha (SH).
                    Area(
                        "011",
                        "Western Africa",
                        "Afrique de l'Ouest",
                        "África occidental",
                        countries="BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
                    ),
                ),
            ),
        ),
    ),
    Area(
        "019",
        "Americas",
        "Amériques",
        "Américas",
        children=(
            Area(
                "419",
                "Latin America and the Caribbean",
                "Amérique latine et Caraïbes",
                "América Latina y el Caribe",
                children=(
                    Area(
                        "029",
                        "Caribbean",
                        "Caraïbes",
                        "Caribe",
                        countries=(
                            "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR "
                            "SX TC TT VC VG VI"
                        ),
                    ),
                    Area(
                        "013",
                        "Central America",
                        "Amérique centrale",
                        "Centroamérica",
                        countries="BZ CR GT HN MX NI PA SV",
                    ),
                    # With Bouvet Island (BV), the Falkland Islands (FK) and South Georgia and
                    # the South Sandwich Islands (GS).
                    Area(
                        "005",
                        "South America",
                        "Amérique du Sud",
                        "América del Sur",
                        countries="AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",
                    ),
                ),
            ),
            Area(
                "021",
                "Northern America",
                "Amérique septentrionale",
                "América septentrional",
                countries="BM CA GL PM US",
            ),
        ),
    ),
    Area(
        "142",
        "Asia",
        "Asie",
        "Asia",
        children=(
            Area(
                "143", "Central Asia", "Asie centrale", "Asia central", countries="KG KZ TJ TM UZ"
            ),
            Area(
                "030",
                "Eastern Asia",
                "Asie orientale",
                "Asia oriental",
                countries="CN HK JP KP KR MN MO TW",
            ),
            Area(
                "035",
                "South-eastern Asia",
                "Asie du Sud-Est",
                "Asia sudoriental",
                countries="BN ID KH LA MM MY PH SG TH TL VN",
            ),
            Area(
                "034",
                "Southern Asia",
                "Asie du Sud",
                "Asia meridional",
                countries="AF BD BT IN IR LK MV NP PK",
            ),
            Area(
                "145",
                "Western Asia",
                "Asie occidentale",
                "Asia occidental",
                countries="AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
            ),
        ),
    ),
    Area(
        "150",
        "Europe",
        "Europe",
        "Europa",
        children=(
            Area(
                "151",
                "Eastern Europe",
                "Europe orientale",
                "Europa oriental",
                countries="BG BY CZ HU MD PL RO RU SK UA",
            ),
            Area(
                "154",
                "Northern Europe",
                "Europe septentrionale",
                "Europa septentrional",
                countries="AX DK EE FI FO GB IE IM IS LT LV NO SE SJ",
                children=(
                    Area(
                        "830",
                        "Channel Islands",
                        "Îles Anglo-Normandes",
                        "Islas del Canal",
                        countries="GG JE",
                    ),
                ),
            ),
            Area(
                "039",
                "Southern Europe",
                "Europe méridionale",
                "Europa meridional",
                countries="AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA",
            ),
            Area(
                "155",
                "Western Europe",
                "Europe occidentale",
                "Europa occidental",
                countries="AT BE CH DE FR LI LU MC NL",
            ),
        ),
    ),
    Area(
        "009",
        "Oceania",
        "Océanie",
        "Oceanía",
        children=(
            # With Christmas Island (CX), the Cocos (Keeling) Islands (CC), Heard Island and
            # McDonald Islands (HM) and Norfolk Island (NF).
            Area(
                "053",
                "Australia and New Zealand",
                "Australie et Nouvelle-Zélande",
                "Australia y Nueva Zelandia",
                countries="AU CC CX HM NF NZ",
            ),
            Area("054", "Melanesia", "Mélanésie", "Melanesia", countries="FJ NC PG SB VU"),
            # With the United States Minor Outlying Islands (UM).
            Area(
                "057",
                "Micronesia",
                "Micronésie",
                "Micronesia",
                countries="FM GU KI MH MP NR PW UM",
            ),
            Area(
                "061",
                "Polynesia",
                "Polynésie",
                "Polinesia",
                countries="AS CK NU PF PN TK TO TV WF WS",
            ),
        ),
    ),
)

# The depth of an area in the M49 tree gives its kind (the values of `Region.Kind`).
M49_KINDS = ("region", "sub-region", "intermediate")


@dataclass(frozen=True)
class RegionRow:
    """One row of the Region table, as the loader writes it."""

    m49: str
    kind: str
    parent_m49: str | None
    name_en: str
    name_fr: str
    name_es: str
    countries: list[str]


def m49_rows() -> Iterator[RegionRow]:
    """The M49 areas as table rows, each parent before its children."""

    def walk(area: Area, depth: int, parent_m49: str | None) -> Iterator[RegionRow]:
        yield RegionRow(
            m49=area.m49,
            kind=M49_KINDS[depth],
            parent_m49=parent_m49,
            name_en=area.name_en,
            name_fr=area.name_fr,
            name_es=area.name_es,
            countries=area.all_countries(),
        )
        for child in area.children:
            yield from walk(child, depth + 1, area.m49)

    for region in M49_REGIONS:
        yield from walk(region, 0, None)


def _region_tree() -> tuple[dict[str, frozenset[str]], dict[str, list[str]]]:
    """For each M49 code, the codes of the area and the areas within it, and its countries."""
    rows = list(m49_rows())
    children: dict[str, list[str]] = {}
    for row in rows:
        if row.parent_m49:
            children.setdefault(row.parent_m49, []).append(row.m49)

    def subtree(code: str) -> frozenset[str]:
        codes = {code}
        for child in children.get(code, []):
            codes |= subtree(child)
        return frozenset(codes)

    return {row.m49: subtree(row.m49) for row in rows}, {row.m49: row.countries for row in rows}


REGION_SUBTREE, REGION_COUNTRIES = _region_tree()
# For each M49 code, itself and the areas that contain it.
REGION_LINEAGE: dict[str, list[str]] = {}
for _area, _within in sorted(REGION_SUBTREE.items()):
    for _code in _within:
        REGION_LINEAGE.setdefault(_code, []).append(_area)
# For each country, the regions, sub-regions and intermediate regions that contain it.
COUNTRY_REGIONS: dict[str, list[str]] = {}
for _area, _countries in sorted(REGION_COUNTRIES.items()):
    for _country in _countries:
        COUNTRY_REGIONS.setdefault(_country, []).append(_area)


TERM_VOCABULARIES = (
    ("Constituency", CONSTITUENCIES),
    ("ThematicArea", THEMATIC_AREAS),
    ("Priority", PRIORITIES),
)


def load(apps) -> None:
    """Writes every vocabulary (idempotent: rows are keyed by their stable codes)."""
    for model_name, terms in TERM_VOCABULARIES:
        model = apps.get_model("coalition", model_name)
        for position, term in enumerate(terms, start=1):
            fields = asdict(term)
            code = fields.pop("code")
            model.objects.update_or_create(code=code, defaults={**fields, "position": position})

    goal_model = apps.get_model("coalition", "SustainableDevelopmentGoal")
    for goal in SUSTAINABLE_DEVELOPMENT_GOALS:
        fields = asdict(goal)
        goal_model.objects.update_or_create(number=fields.pop("number"), defaults=fields)

    region_model = apps.get_model("coalition", "Region")
    loaded = {}
    for row in m49_rows():  # parents come first
        loaded[row.m49], _ = region_model.objects.update_or_create(
            m49=row.m49,
            defaults={
                "kind": row.kind,
                "parent": loaded.get(row.parent_m49),
                "name_en": row.name_en,
                "name_fr": row.name_fr,
                "name_es": row.name_es,
                "countries": row.countries,
            },
        )
