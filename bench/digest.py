"""Benchmark: build and send the monthly digest to 10,000 people.

    DATABASE_URL=postgres://... SECRET_KEY=... python bench/digest.py [--people 10000]

Runs in a scratch database of its own (<database>_bench_digest, created and dropped here), with
the in-memory email backend, so only the registry's own work is measured: the queries, the
rendering in three languages, the delivery log. The digest runs exactly as beat would start it,
batch after batch in this one process (`run_job monthly_digest`), then once more to measure a
repeated run, which sends nothing. Writes bench/digest-report.md.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

DAY = date(2026, 12, 1)
COUNTRIES = ["KE", "SN", "FR", "BR", "IN", "PE", "GH", "BD", "FJ", "CH", "ZA", "MX", "PH", "EG"]


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def seed(people: int, rng: random.Random) -> dict:
    """Partners, November's news, and `people` readers following 1-2 areas and 0-3 countries."""
    from coalition.models import Constituency, Region, ThematicArea, User
    from commitments.models import Commitment, ProgressUpdate
    from partners.models import Organization
    from secretariat.models import NotificationPreference

    areas = list(ThematicArea.objects.all())
    constituencies = list(Constituency.objects.all())
    regions = list(Region.objects.exclude(kind=Region.Kind.INTERMEDIATE))
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Partner {n:04d}",
            constituency=rng.choice(constituencies),
            country=rng.choice(COUNTRIES),
            countries=rng.sample(COUNTRIES, 2),
            description="A partner of the Coalition.",
            status=Organization.Status.APPROVED,
            # 120 joined in November, the others earlier.
            approved_at=at(rng.randint(1, 30)) if n < 120 else datetime(2025, 3, 1, tzinfo=UTC),
        )
        for n in range(1_000)
    )
    Organization.regions.through.objects.bulk_create(
        Organization.regions.through(organization_id=organization.pk, region_id=region.pk)
        for organization in organizations
        for region in rng.sample(regions, 1)
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(
            lead_organization=rng.choice(organizations),
            title=f"Commitment {n:05d}: decent jobs and social protection",
            summary="Apprenticeships and a social protection floor.",
            level="national",
            countries=rng.sample(COUNTRIES, rng.randint(1, 2)),
            start_date=date(2026, 1, 1),
            end_date=date(2028, 12, 31),
            status=Commitment.Status.PUBLISHED,
            # 300 published in November, 2,700 before.
            first_published_at=at(rng.randint(1, 30))
            if n < 300
            else datetime(2026, 5, 1, tzinfo=UTC),
            published_at=datetime(2026, 5, 1, tzinfo=UTC),
        )
        for n in range(3_000)
    )
    Commitment.thematic_areas.through.objects.bulk_create(
        Commitment.thematic_areas.through(commitment_id=commitment.pk, thematicarea_id=area.pk)
        for commitment in commitments
        for area in rng.sample(areas, rng.randint(1, 2))
    )
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            commitment=rng.choice(commitments),
            date=date(2026, 11, rng.randint(1, 30)),
            narrative="The first cohort of 200 apprentices started in three regions.",
        )
        for _n in range(600)
    )
    ProgressUpdate.objects.filter(pk__in=[update.pk for update in updates]).update(
        created_at=at(15)
    )
    users = User.objects.bulk_create(
        User(
            email=f"reader{n:05d}@example.org",
            password="!",
            full_name=f"Reader {n}",
            language=rng.choice(["en", "en", "fr", "es"]),
        )
        for n in range(people)
    )
    preferences = NotificationPreference.objects.bulk_create(
        NotificationPreference(
            user=user,
            digest_frequency="monthly",
            countries=rng.sample(COUNTRIES, rng.randint(0, 3)),
        )
        for user in users
    )
    NotificationPreference.thematic_areas.through.objects.bulk_create(
        NotificationPreference.thematic_areas.through(
            notificationpreference_id=preference.pk, thematicarea_id=area.pk
        )
        for preference in preferences
        for area in rng.sample(areas, rng.randint(1, 2))
    )
    return {
        "organizations": len(organizations),
        "joined": 120,
        "commitments": len(commitments),
        "published": 300,
        "updates": len(updates),
        "people": people,
    }


def run_digest() -> dict:
    """The monthly digest job, batch by batch as the workers run it, timing each step."""
    from secretariat import selectors, services, tasks

    user_ids = selectors.digest_recipient_ids(frequency="monthly")
    build, send, queries = [], [], []
    started = time.perf_counter()
    cpu_started = time.process_time()
    for batch in [
        user_ids[i : i + tasks.DIGEST_BATCH_SIZE]
        for i in range(0, len(user_ids), tasks.DIGEST_BATCH_SIZE)
    ]:
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            delivery_ids = services.digest_batch_queue(user_ids=batch, frequency="monthly", day=DAY)
        t1 = time.perf_counter()
        queries.append(len(captured))
        services.deliveries_send(delivery_ids=delivery_ids)
        send.append(time.perf_counter() - t1)
        build.append(t1 - t0)
    total = time.perf_counter() - started
    return {
        "total": total,
        "cpu": time.process_time() - cpu_started,
        "batches": len(build),
        "build": sum(build),
        "send": sum(send),
        "build_batch_median": statistics.median(build) if build else 0,
        "queries_per_batch": sorted(set(queries)),
    }


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return (
        f"{platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · Django {django.get_version()} · "
        f"PostgreSQL {postgres}"
    )


def report(data: dict, first: dict, second: dict, sent: int) -> str:
    from secretariat.notifications import DIGEST_ITEMS_PER_SECTION
    from secretariat.tasks import DIGEST_BATCH_SIZE

    people = data["people"]
    per_email = first["total"] / max(sent, 1) * 1000
    return f"""# Digest benchmark

Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.

`bench/digest.py` builds and sends the monthly digest of {DAY:%B %Y} to {people:,} people, in
a scratch PostgreSQL database and with the in-memory email backend, the way the workers do it:
batches of {DIGEST_BATCH_SIZE} people, each built (`digest_batch_queue`) then sent
(`deliveries_send`), here one batch after the other in one process.

Data: {data["organizations"]:,} partners ({data["joined"]} joined in November),
{data["commitments"]:,} published commitments ({data["published"]} in November) and
{data["updates"]} progress updates in November. Each reader follows 1-2 of the 6 thematic areas
and 0-3 of 14 countries, and reads English, French or Spanish; a digest shows the latest
{DIGEST_ITEMS_PER_SECTION} items of each section and links to the rest.

| measure | value |
| --- | --- |
| emails sent | {sent:,} |
| total time (build and send) | {first["total"]:.1f} s (this process's CPU: {first["cpu"]:.1f} s) |
| time per email | {per_email:.2f} ms |
| building: queries, matching, rendering in 3 languages, recording | {first["build"]:.1f} s |
| sending: claim, send, mark sent (one transaction per email) | {first["send"]:.1f} s |
| batches | {first["batches"]} (median build {first["build_batch_median"] * 1000:.0f} ms) |
| queries to build a batch | {", ".join(map(str, first["queries_per_batch"]))}, whatever its size |
| the same job run again (sends nothing) | {second["total"]:.1f} s |

The rest of the wall time is PostgreSQL's: each email is marked sent in its own committed
transaction, so that a worker killed mid-batch resends nothing (a commit waits for the write-ahead
log to reach the disk). The workers run batches in parallel: with N worker processes a digest
takes about 1/N of the total. A real mail server adds its latency to the sending time (one
connection per batch). The machine is shared: wall times vary from run to run.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--output", default=str(BENCH_DIR / "digest-report.md"))
    args = parser.parse_args()
    if not settings.IS_POSTGRESQL:
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL.")

    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    test_settings["NAME"] = f"{settings.DATABASES['default']['NAME']}_bench_digest"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        data = seed(args.people, random.Random(20261201))
        first = run_digest()
        sent = len(mail.outbox)
        second = run_digest()
        assert len(mail.outbox) == sent, "a repeated run sent emails"
        text = report(data, first, second, sent)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
