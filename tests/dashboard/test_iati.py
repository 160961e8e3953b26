"""The IATI 2.03 activity file, element by element (no IATI XSD is available offline: the
order and codes below are those of the 2.03 schema and codelists)."""

import datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from coalition.models import Constituency
from commitments.models import Deliverable
from secretariat import iati
from tests.factories import CoPartnershipFactory, DeliverableFactory, OrganizationFactory

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The 2.03 schema's sequence of iati-activity children (those this file uses).
SCHEMA_ORDER = [
    "iati-identifier", "reporting-org", "title", "description", "participating-org",
    "activity-status", "activity-date", "activity-scope", "recipient-country",
    "recipient-region", "sector", "tag", "budget", "result",
]  # fmt: skip


@pytest.fixture
def root(registry):
    partner = OrganizationFactory(
        name="Academy", constituency=Constituency.objects.get(code="academia")
    )
    CoPartnershipFactory(commitment=registry["first"], organization=partner)
    CoPartnershipFactory(commitment=registry["first"], status="invited")  # not shown
    registry["first"].expected_results = "More young people in decent jobs."
    registry["first"].save()
    now = timezone.now()
    return ET.fromstring(iati.document(now=now)), now


def _activity(root, commitment):
    for element in root.findall("iati-activity"):
        if element.findtext("iati-identifier") == f"XM-DAC-41302-GCSJ-{commitment.pk}":
            return element
    raise AssertionError(f"no activity for {commitment}")


def test_the_file_is_an_iati_203_document_of_published_commitments(root, registry):
    document, now = root
    assert document.tag == "iati-activities" and document.get("version") == "2.03"
    assert datetime.datetime.fromisoformat(document.get("generated-datetime")) == now.replace(
        microsecond=0
    )
    identifiers = {a.findtext("iati-identifier") for a in document.findall("iati-activity")}
    expected = {registry[k].pk for k in ("first", "regional", "completed", "global")}
    assert identifiers == {f"XM-DAC-41302-GCSJ-{pk}" for pk in expected}  # no draft, no withdrawn


def test_each_activity_has_its_elements_in_the_schema_order(root):
    document, _now = root
    for element in document.findall("iati-activity"):
        tags = [child.tag for child in element]
        assert tags == sorted(tags, key=SCHEMA_ORDER.index), tags
        assert tags[:3] == ["iati-identifier", "reporting-org", "title"]
        assert element.get("hierarchy") == "1" and element.get(XML_LANG) == "en"
        assert element.get("last-updated-datetime")


def test_the_activity_carries_the_commitment_field_by_field(root, registry):
    document, _now = root
    first = registry["first"]
    activity = _activity(document, first)
    assert activity.get("default-currency") == "USD"
    reporting = activity.find("reporting-org")
    assert reporting.attrib == {"ref": "XM-DAC-41302", "type": "40"}
    assert reporting.findtext("narrative") == "International Labour Organization"
    assert activity.find("title/narrative").text == first.title
    descriptions = {d.get("type"): d.findtext("narrative") for d in activity.findall("description")}
    assert descriptions == {"1": first.summary, "2": "More young people in decent jobs."}
    organisations = [
        (o.get("role"), o.get("type"), o.findtext("narrative"))
        for o in activity.findall("participating-org")
    ]
    assert organisations == [("2", "10", "Kenya Ministry"), ("4", "80", "Academy")]
    assert activity.find("activity-status").get("code") == "2"
    dates = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
    assert dates == {"1": first.start_date.isoformat(), "3": first.end_date.isoformat()}
    assert activity.find("activity-scope").get("code") == "4"
    countries = {c.get("code"): c.get("percentage") for c in activity.findall("recipient-country")}
    assert countries == {"KE": "50", "TZ": "50"}
    own = {
        s.get("code"): s.get("percentage")
        for s in activity.findall("sector")
        if s.get("vocabulary") == "99"
    }
    assert own == {"employment": "50", "protection": "50"}
    dac = {
        s.get("code"): s.get("percentage")
        for s in activity.findall("sector")
        if s.get("vocabulary") == "1"
    }
    assert dac == {"16010": "50", "16020": "50"}
    tags = {(t.get("vocabulary"), t.get("code")) for t in activity.findall("tag")}
    assert tags == {("2", "1"), ("2", "8")}
    budget = activity.find("budget")
    assert budget.attrib == {"type": "1", "status": "2"}
    assert budget.find("period-start").get("iso-date") == first.start_date.isoformat()
    assert Decimal(budget.findtext("value")) == Decimal("1000.00")
    assert budget.find("value").get("currency") == "USD"


def test_deliverables_become_output_results(root, registry):
    document, _now = root
    first = registry["first"]
    results = _activity(document, first).findall("result")
    deliverables = list(first.deliverables.all())
    assert len(results) == len(deliverables) == 2
    for result, deliverable in zip(results, deliverables, strict=True):
        assert result.get("type") == "1"
        assert result.findtext("title/narrative") == deliverable.title
        indicator = result.find("indicator")
        assert indicator.get("measure") == "5"
        assert indicator.findtext("title/narrative") == deliverable.indicator
        assert indicator.findtext("baseline/comment/narrative") == deliverable.baseline
        period = indicator.find("period")
        assert period.find("period-end").get("iso-date") == deliverable.due_date.isoformat()
        assert period.findtext("target/comment/narrative") == deliverable.target


def test_regions_use_m49_and_share_the_percentages_with_countries(root, registry):
    document, _now = root
    regional = _activity(document, registry["regional"])
    assert regional.find("activity-scope").get("code") == "2"
    region = regional.find("recipient-region")
    assert region.attrib == {"code": "014", "vocabulary": "2", "percentage": "100"}
    completed = _activity(document, registry["completed"])
    assert completed.find("activity-status").get("code") == "4"
    assert _activity(document, registry["global"]).find("activity-scope").get("code") == "1"


def test_percentages_always_add_up_to_100():
    for count in range(1, 8):
        assert sum(Decimal(share) for share in iati._split(count)) == 100


def test_the_open_data_job_publishes_the_iati_file(registry, settings, client):
    from secretariat import open_data

    settings.SITE_URL = "http://testserver"
    names = {item["name"] for item in open_data.build()}
    assert "iati-activities.xml" in names
    response = client.get("/dashboard/open-data/iati-activities.xml")
    assert ET.fromstring(b"".join(response.streaming_content)).get("version") == "2.03"


def test_an_open_deliverable_without_baseline_has_no_baseline(registry):
    DeliverableFactory(
        commitment=registry["global"], baseline="", status=Deliverable.Status.PLANNED
    )
    document = ET.fromstring(iati.document())
    result = _activity(document, registry["global"]).find("result")
    assert result.find("indicator/baseline") is None
