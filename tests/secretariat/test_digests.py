"""The digests: each person gets what is new in what they follow, in their language, once.

The monthly digest goes out on Tuesday 1 December 2026 and covers November; the weekly one on
Monday 30 November covers 23 to 29 November."""

from datetime import UTC, date, datetime

import pytest

from coalition.emails import absolute_url
from coalition.models import Region
from commitments.models import Commitment
from partners.models import Organization
from secretariat import services
from secretariat.models import EmailDelivery, NotificationKind, NotificationPreference
from tests.factories import (
    CommitmentFactory,
    NotificationPreferenceFactory,
    OrganizationFactory,
    ProgressUpdateFactory,
    UserFactory,
)
from tests.secretariat.conftest import translated

pytestmark = pytest.mark.django_db

MONTHLY = date(2026, 12, 1)
QUERIES = 22
WEEKLY = date(2026, 11, 30)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def published(title, *, on, areas, countries=(), regions=(), status="published"):
    lead = Organization.objects.get(name="Lead partner")
    commitment = CommitmentFactory(
        lead_organization=lead,
        title=title,
        published=True,
        status=status,
        status_reason="Merged into another commitment." if status == "withdrawn" else "",
        thematic_areas=areas,
        countries=list(countries),
        first_published_at=on,
        published_at=on,
    )
    commitment.regions.set(Region.objects.filter(m49__in=regions))
    return commitment


def person(email, *, language="en", frequency="monthly", areas=(), countries=()):
    user = UserFactory(email=email, language=language)
    NotificationPreferenceFactory(
        user=user, digest_frequency=frequency, thematic_areas=list(areas), countries=countries
    )
    return user


@pytest.fixture(autouse=True)
def news(time_machine):
    """November's news, and some that must never appear."""
    time_machine.move_to(at(2026, 11, 1, 8, 0), tick=False)
    lead = OrganizationFactory(name="Lead partner", country="CH")
    Organization.objects.filter(pk=lead.pk).update(approved_at=at(2025, 1, 1))
    published(
        "Green jobs in Senegal", on=at(2026, 11, 10, 9), areas=["employment"], countries=["SN"]
    )
    published(
        "Older jobs programme", on=at(2026, 10, 20, 9), areas=["employment"], countries=["SN"]
    )
    CommitmentFactory(
        lead_organization=lead,
        title="Draft jobs plan",
        thematic_areas=["employment"],
        countries=["SN"],
    )
    published(
        "East African wage floors",
        on=at(2026, 11, 20, 9),
        areas=["inequality"],
        regions=["014"],  # Eastern Africa, which includes Kenya
    )
    published(
        "Withdrawn pledge",
        on=at(2026, 11, 21, 9),
        areas=["employment"],
        countries=["SN"],
        status=Commitment.Status.WITHDRAWN,
    )
    floor = published(
        "Social protection floor", on=at(2026, 9, 1), areas=["protection"], countries=["KE"]
    )
    time_machine.move_to(at(2026, 11, 15, 10, 0), tick=False)
    ProgressUpdateFactory(commitment=floor, narrative="Cash transfers reached 10,000 families.")
    ProgressUpdateFactory(commitment=floor, narrative="Spam", hidden=True, hidden_reason="Spam")
    time_machine.move_to(at(2026, 11, 24, 10, 0), tick=False)
    ProgressUpdateFactory(commitment=floor, narrative="Second instalment paid.")
    Organization.objects.filter(
        pk=OrganizationFactory(name="Nairobi Care Cooperative", country="KE").pk
    ).update(approved_at=at(2026, 11, 12, 14))
    OrganizationFactory(name="Still applying", country="KE", status="applied", approved_at=None)
    time_machine.move_to(at(2026, 12, 1, 7, 0), tick=False)


def test_each_person_gets_what_they_follow_and_nothing_else(run_job):
    person("ana@example.org", areas=["employment"])
    person("ben@example.org", countries=["KE"])
    person("cy@example.org", areas=["labour-rights"])  # nothing new there
    person("dee@example.org", areas=["employment"], frequency="off")
    person("eve@example.org", areas=["employment"], frequency="weekly")

    sent = {email.to[0]: email for email in run_job("monthly_digest", MONTHLY)}

    assert sorted(sent) == ["ana@example.org", "ben@example.org"]
    ana = sent["ana@example.org"].body
    assert "Green jobs in Senegal" in ana
    for absent in ("Older jobs", "Draft jobs", "Withdrawn", "Nairobi", "Social protection"):
        assert absent not in ana
    ben = sent["ben@example.org"].body
    assert "Nairobi Care Cooperative" in ben
    assert "East African wage floors" in ben  # a regional commitment covering Kenya
    assert "Cash transfers reached 10,000 families." in ben
    assert "Second instalment paid." in ben
    for absent in ("Green jobs", "Spam", "Still applying"):
        assert absent not in ben
    assert sent["ben@example.org"].subject == (
        "Your monthly digest: 4 new items in what you follow"
    )


def test_a_digest_has_text_and_html_links_to_the_site_and_one_click_unsubscribe(run_job):
    person("ana@example.org", areas=["employment"])

    (email,) = run_job("monthly_digest", MONTHLY)

    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    link = absolute_url(Commitment.objects.get(title="Green jobs in Senegal").get_absolute_url())
    assert link.startswith("http://127.0.0.1:8000/")
    assert link in email.body
    assert f'href="{link}"' in html
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in email.body
    assert unsubscribe.strip("<>") in html
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_digest_is_in_each_persons_language(run_job):
    person("ana@example.org", language="fr", areas=["employment"])
    person("fay@example.org", language="es", countries=["SN"])

    sent = {email.to[0]: email for email in run_job("monthly_digest", MONTHLY)}

    ana = sent["ana@example.org"]
    monthly = (
        "Your monthly digest: %(count)s new item in what you follow",
        "Your monthly digest: %(count)s new items in what you follow",
    )
    assert ana.subject == translated("fr", *monthly, n=1, count=1)
    assert "Élargir l'accès à un emploi productif" in ana.body  # the area, in French
    assert "1 novembre 2026" in ana.body and "30 novembre 2026" in ana.body
    assert translated("fr", "Commitments published") in ana.body
    assert "/fr/notifications/unsubscribe/" in ana.extra_headers["List-Unsubscribe"]
    assert '<html lang="fr">' in ana.alternatives[0][0]
    fay = sent["fay@example.org"]
    assert fay.subject == translated("es", *monthly, n=1, count=1)
    assert "Senegal" in fay.body
    assert "/es/commitments/" in fay.body


def test_nothing_is_sent_when_nothing_is_new(run_job):
    person("cy@example.org", areas=["labour-rights"], countries=["UY"])

    assert run_job("monthly_digest", MONTHLY) == []
    assert not EmailDelivery.objects.exists()


def test_following_nothing_means_no_digest(run_job):
    UserFactory(email="idle@example.org")  # no preferences: the defaults follow nothing
    person("empty@example.org")

    assert run_job("monthly_digest", MONTHLY) == []


def test_running_the_digest_twice_sends_once(run_job):
    person("ana@example.org", areas=["employment"])
    person("ben@example.org", countries=["KE"])

    assert len(run_job("monthly_digest", MONTHLY)) == 2
    assert run_job("monthly_digest", MONTHLY) == []
    assert EmailDelivery.objects.filter(kind=NotificationKind.DIGEST, period="2026-12").count() == 2


def test_the_next_digest_starts_where_the_last_one_ended(run_job, time_machine):
    ana = person("ana@example.org", areas=["employment"])
    assert len(run_job("monthly_digest", MONTHLY)) == 1
    assert NotificationPreference.objects.get(user=ana).digest_sent_until == at(2026, 12, 1)

    published("Jobs for care workers", on=at(2026, 12, 5, 9), areas=["employment"])
    time_machine.move_to(at(2027, 1, 1, 7, 0), tick=False)
    (january,) = run_job("monthly_digest", date(2027, 1, 1))

    assert "Jobs for care workers" in january.body
    assert "Green jobs in Senegal" not in january.body


def test_the_weekly_digest_covers_the_last_week(run_job):
    person("eve@example.org", frequency="weekly", countries=["KE"])
    person("ana@example.org", frequency="monthly", countries=["KE"])

    (email,) = run_job("weekly_digest", WEEKLY)

    assert email.to == ["eve@example.org"]
    assert email.subject == "Your weekly digest: 1 new item in what you follow"
    assert "Second instalment paid." in email.body
    assert "Cash transfers" not in email.body  # 15 November: the week before


def test_a_person_who_switches_from_monthly_to_weekly_misses_nothing(run_job, time_machine):
    ana = person("ana@example.org", areas=["employment"], countries=["KE"])
    run_job("monthly_digest", MONTHLY)
    NotificationPreference.objects.filter(user=ana).update(digest_frequency="weekly")
    published("Jobs for care workers", on=at(2026, 12, 1, 9), areas=["employment"])

    time_machine.move_to(at(2026, 12, 7, 7, 0), tick=False)
    (email,) = run_job("weekly_digest", date(2026, 12, 7))

    assert "Jobs for care workers" in email.body
    assert "Green jobs" not in email.body


def test_an_inactive_person_gets_no_digest(run_job):
    ana = person("ana@example.org", areas=["employment"])
    ana.is_active = False
    ana.save()

    assert run_job("monthly_digest", MONTHLY) == []


def test_the_digest_builder_query_count_does_not_grow_with_the_batch(django_assert_num_queries):
    few = [person(f"few-{n}@example.org", areas=["employment"]) for n in range(2)]
    many = [
        person(f"many-{n}@example.org", countries=["KE"], areas=["employment"]) for n in range(40)
    ]
    # 1 the batch's digests already recorded; 2-3 the people and the areas they follow;
    # 4-5 new partners (with their constituency) and their regions; 6-8 commitments published,
    # their areas and regions; 9-11 progress updates (with commitment and lead), the
    # commitments' areas and regions; 12 announcements of the period; 13 good practices with
    # their organization; 14 Forum editions published (first publication from their history);
    # 15 Forum sessions added (with edition and area); 16 savepoint; 17 the keys already
    # recorded; 18 insert the digests; 19 the keys again; 20 move each person's "covered until";
    # 21 release; 22 the ids to send.
    # Rendering reads only what was fetched.
    for batch in (few, many):
        with django_assert_num_queries(QUERIES):
            ids = services.digest_batch_queue(
                user_ids=[user.pk for user in batch], frequency="monthly", day=MONTHLY
            )
        assert len(ids) == len(batch)


def test_a_long_digest_shows_the_latest_items_and_links_to_the_rest(run_job):
    person("ana@example.org", areas=["employment"])
    for day in range(1, 13):
        published(f"Jobs pledge {day:02d}", on=at(2026, 11, 15 + day, 9), areas=["employment"])

    (email,) = run_job("monthly_digest", MONTHLY)

    assert email.subject == "Your monthly digest: 13 new items in what you follow"
    assert email.body.index("Jobs pledge 12") < email.body.index("Jobs pledge 03")
    assert "Jobs pledge 02" not in email.body
    assert "Green jobs in Senegal" not in email.body
    assert "… and 3 more: http://127.0.0.1:8000/commitments/" in email.body
