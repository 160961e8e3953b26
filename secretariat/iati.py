"""The IATI activity file (standard 2.03) of the Coalition's published commitments.

One `<iati-activity>` per published or completed commitment, its elements in the order of the
2.03 schema's sequence: identifier, reporting organisation (the ILO, which hosts the Coalition),
title and descriptions, participating organisations with their roles, status, dates, scope,
recipient countries and regions (M49, vocabulary 2), sectors (the Coalition's thematic areas,
vocabulary 99, and the nearest OECD DAC 5-digit purpose codes, vocabulary 1), SDG tags
(vocabulary 2), the resources pledged as a committed budget, and one output result per
deliverable. Written by the open data job next to the other bulk files.

No package ships the IATI XSD offline here (pyiati, 2018, needs lxml, which the project does not
install): the tests check the document's structure element by element instead.
"""

import io
from collections.abc import Iterable
from datetime import UTC
from decimal import Decimal
from typing import BinaryIO
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from commitments.models import Commitment, CoPartnership

VERSION = "2.03"
# The ILO's organisation identifier (OECD DAC code 41302); a setting, should the Coalition get
# an identifier of its own.
REPORTING_ORG_REF = getattr(settings, "IATI_REPORTING_ORG_REF", "XM-DAC-41302")
REPORTING_ORG_NAME = "International Labour Organization"
REPORTING_ORG_TYPE = "40"  # Multilateral
IDENTIFIER_PREFIX = f"{REPORTING_ORG_REF}-GCSJ-"

# OrganisationType codelist, by constituency.
ORGANISATION_TYPES = {
    "government": "10",  # Government
    "employers-organization": "90",  # Other
    "workers-organization": "90",  # Other
    "international-organization": "40",  # Multilateral
    "financial-institution": "40",  # Multilateral
    "enterprise": "70",  # Private Sector
    "ingo": "21",  # International NGO
    "academia": "80",  # Academic, Training and Research
}
ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "2", "4"  # OrganisationRole codelist
# ActivityStatus codelist.
ACTIVITY_STATUS = {
    Commitment.Status.PUBLISHED: "2",  # Implementation
    Commitment.Status.COMPLETED: "4",  # Closed
}
ACTIVITY_SCOPE = {"global": "1", "regional": "2", "national": "4"}  # ActivityScope codelist
DATE_PLANNED_START, DATE_PLANNED_END = "1", "3"  # ActivityDateType codelist
# Thematic areas to the nearest OECD DAC 5-digit purpose codes (SectorVocabulary 1).
DAC_SECTORS = {
    "inequality": "15160",  # Human rights
    "labour-rights": "15160",  # Human rights
    "employment": "16020",  # Employment creation
    "protection": "16010",  # Social protection
    "just-transitions": "41010",  # Environmental policy and administrative management
    "social-dialogue": "15150",  # Democratic participation and civil society
}
SECTOR_VOCABULARY_DAC, SECTOR_VOCABULARY_OWN = "1", "99"
REGION_VOCABULARY_M49 = "2"
TAG_VOCABULARY_SDG_GOAL = "2"
RESULT_OUTPUT = "1"
MEASURE_QUALITATIVE = "5"
DESCRIPTION_GENERAL, DESCRIPTION_OBJECTIVES = "1", "2"
BUDGET_ORIGINAL, BUDGET_COMMITTED = "1", "2"


def _split(count: int) -> list[str]:
    """Percentages of `count` equal shares adding up to exactly 100 (two decimals)."""
    if count == 0:
        return []
    share = (Decimal(100) / count).quantize(Decimal("0.01"))
    shares = [share] * count
    shares[-1] = Decimal(100) - share * (count - 1)
    return [f"{value.normalize():f}" for value in shares]


def _narrative(parent: ET.Element, tag: str, text: str, lang: str = "", **attributes):
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attributes.items()})
    narrative = ET.SubElement(element, "narrative")
    if lang:
        narrative.set("xml:lang", lang)
    narrative.text = text
    return element


def _organisation(parent, organization, role: str) -> None:
    _narrative(
        parent,
        "participating-org",
        str(organization.name),
        role=role,
        type=ORGANISATION_TYPES.get(organization.constituency.code, "90"),
    )


def activity(commitment: Commitment) -> ET.Element:
    """The `<iati-activity>` of a commitment (with its relations prefetched, see `activities`)."""
    updated = commitment.updated_at.astimezone(UTC).replace(microsecond=0)
    element = ET.Element(
        "iati-activity",
        {
            "last-updated-datetime": updated.isoformat(),
            "xml:lang": commitment.language,
            "hierarchy": "1",
        },
    )
    if commitment.resources_currency:
        element.set("default-currency", commitment.resources_currency)
    ET.SubElement(element, "iati-identifier").text = f"{IDENTIFIER_PREFIX}{commitment.pk}"
    _narrative(
        element, "reporting-org", REPORTING_ORG_NAME, ref=REPORTING_ORG_REF, type=REPORTING_ORG_TYPE
    )
    _narrative(element, "title", commitment.title)
    _narrative(element, "description", commitment.summary, type=DESCRIPTION_GENERAL)
    if commitment.expected_results:
        _narrative(element, "description", commitment.expected_results, type=DESCRIPTION_OBJECTIVES)
    _organisation(element, commitment.lead_organization, ROLE_ACCOUNTABLE)
    for partnership in commitment.confirmed_partnerships:
        _organisation(element, partnership.organization, ROLE_IMPLEMENTING)
    ET.SubElement(element, "activity-status", code=ACTIVITY_STATUS[commitment.status])
    ET.SubElement(
        element,
        "activity-date",
        {"type": DATE_PLANNED_START, "iso-date": commitment.start_date.isoformat()},
    )
    ET.SubElement(
        element,
        "activity-date",
        {"type": DATE_PLANNED_END, "iso-date": commitment.end_date.isoformat()},
    )
    ET.SubElement(element, "activity-scope", code=ACTIVITY_SCOPE[commitment.level])

    # Countries and regions share 100 per cent between them.
    countries = [country.code for country in commitment.countries]
    regions = [region.m49 for region in commitment.regions.all()]
    shares = _split(len(countries) + len(regions))
    for code, share in zip(countries, shares, strict=False):
        ET.SubElement(element, "recipient-country", code=code, percentage=share)
    for code, share in zip(regions, shares[len(countries) :], strict=True):
        ET.SubElement(
            element,
            "recipient-region",
            code=code,
            vocabulary=REGION_VOCABULARY_M49,
            percentage=share,
        )

    themes = list(commitment.thematic_areas.all())
    for theme, share in zip(themes, _split(len(themes)), strict=True):
        _narrative(
            element,
            "sector",
            theme.name_en,
            vocabulary=SECTOR_VOCABULARY_OWN,
            code=theme.code,
            percentage=share,
        )
    dac = sorted({DAC_SECTORS[theme.code] for theme in themes if theme.code in DAC_SECTORS})
    for code, share in zip(dac, _split(len(dac)), strict=True):
        ET.SubElement(
            element, "sector", vocabulary=SECTOR_VOCABULARY_DAC, code=code, percentage=share
        )
    for goal in commitment.sdgs.all():
        ET.SubElement(element, "tag", vocabulary=TAG_VOCABULARY_SDG_GOAL, code=str(goal.number))

    if commitment.resources_amount and commitment.resources_currency:
        budget = ET.SubElement(element, "budget", type=BUDGET_ORIGINAL, status=BUDGET_COMMITTED)
        ET.SubElement(budget, "period-start", {"iso-date": commitment.start_date.isoformat()})
        ET.SubElement(budget, "period-end", {"iso-date": commitment.end_date.isoformat()})
        value = ET.SubElement(
            budget,
            "value",
            {
                "currency": commitment.resources_currency,
                "value-date": commitment.start_date.isoformat(),
            },
        )
        value.text = f"{commitment.resources_amount:f}"

    for deliverable in commitment.deliverables.all():
        result = ET.SubElement(element, "result", type=RESULT_OUTPUT)
        _narrative(result, "title", deliverable.title)
        indicator = ET.SubElement(result, "indicator", measure=MEASURE_QUALITATIVE)
        _narrative(indicator, "title", deliverable.indicator)
        if deliverable.baseline:
            baseline = ET.SubElement(
                indicator,
                "baseline",
                {
                    "year": str(commitment.start_date.year),
                    "iso-date": commitment.start_date.isoformat(),
                },
            )
            _narrative(baseline, "comment", deliverable.baseline)
        period = ET.SubElement(indicator, "period")
        ET.SubElement(period, "period-start", {"iso-date": commitment.start_date.isoformat()})
        ET.SubElement(period, "period-end", {"iso-date": deliverable.due_date.isoformat()})
        target = ET.SubElement(period, "target")
        _narrative(target, "comment", deliverable.target)
    return element


def activities() -> Iterable[Commitment]:
    """Published and completed commitments with what an activity shows, 2,000 at a time."""
    confirmed = Prefetch(
        "co_partnerships",
        queryset=CoPartnership.objects.filter(status=CoPartnership.Status.CONFIRMED)
        .select_related("organization__constituency")
        .order_by("organization__name"),
        to_attr="confirmed_partnerships",
    )
    return (
        Commitment.objects.listed()
        .select_related("lead_organization__constituency")
        .prefetch_related("regions", "thematic_areas", "sdgs", "deliverables", confirmed)
        .order_by("pk")
        .iterator(chunk_size=2000)
    )


def write_document(out: BinaryIO, commitments: Iterable[Commitment] | None = None, *, now=None):
    """Writes the `<iati-activities>` file to `out`, one activity at a time: at 100k
    commitments a whole ElementTree would take gigabytes."""
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    out.write(b"<?xml version='1.0' encoding='utf-8'?>\n")
    out.write(
        f'<iati-activities version="{VERSION}" generated-datetime="{now.isoformat()}">'.encode()
    )
    for commitment in activities() if commitments is None else commitments:
        out.write(ET.tostring(activity(commitment), encoding="utf-8", xml_declaration=False))
    out.write(b"</iati-activities>")


def document(commitments: Iterable[Commitment] | None = None, *, now=None) -> bytes:
    """The whole file in memory (for tests and small registries)."""
    buffer = io.BytesIO()
    write_document(buffer, commitments, now=now)
    return buffer.getvalue()
