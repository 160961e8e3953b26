"""A real Celery worker, in its own processes, against Redis and the test database.

The worker records what it sends in a file (tests/secretariat/worker_settings.py), so this
process can count the emails. It listens on a queue of its own, in a Redis database of its own
(TEST_WORKER_REDIS_DB, 14 by default), so other workers and test runs are not disturbed. The
rows it reads must be committed: these tests use a transactional database.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from coalition.models import ThematicArea, User
from partners.models import Application
from secretariat.models import EmailDelivery, NotificationKind, NotificationPreference
from tests.factories import (
    ApplicationFactory,
    CommitmentFactory,
    DeliverableFactory,
    NotificationPreferenceFactory,
    UserFactory,
)
from tests.secretariat.conftest import translated
from tests.secretariat.mail_backends import read_records

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2026, 12, 1)
WORKER_REDIS_DB = int(os.environ.get("TEST_WORKER_REDIS_DB", "14"))
TIMEOUT = 90


def wait_for(condition, *, timeout: float = TIMEOUT, what: str = "the worker") -> None:
    """Polls until `condition()` holds: the worker is another process, its progress can only be
    watched."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}.")
        time.sleep(0.1)


class Worker:
    """`celery -A coalition worker` in a subprocess (prefork, two processes)."""

    def __init__(self, directory: Path):
        self.queue = f"secretariat-tests-{uuid.uuid4().hex[:10]}"
        self.mail_log = directory / "sent.jsonl"
        self.output = directory / "worker.log"
        self.broker_url = urlunsplit(
            urlsplit(settings.REDIS_URL)._replace(path=f"/{WORKER_REDIS_DB}")
        )
        self.redis = redis.Redis.from_url(self.broker_url)
        self.client = Celery("secretariat-tests", broker=self.broker_url)
        self.process: subprocess.Popen | None = None

    def _environment(self, extra: dict) -> dict:
        db = connection.settings_dict
        credentials = quote(db["USER"] or "")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"])
        database_url = f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.secretariat.worker_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.broker_url,
            "TEST_MAIL_LOG": str(self.mail_log),
            "TEST_CELERY_QUEUE": self.queue,
            **extra,
        }

    def start(self, **extra_env: str) -> None:
        assert self.process is None
        with self.output.open("a") as output:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "coalition",
                    "worker",
                    "--queues",
                    self.queue,
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--hostname",
                    f"{self.queue}@%h",
                ],
                cwd=settings.BASE_DIR,
                env=self._environment(extra_env),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # one process group: the pool dies with the main one
            )

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def send(self, task: str, **kwargs) -> None:
        self.client.send_task(task, kwargs=kwargs, queue=self.queue)

    def records(self) -> list[dict]:
        return read_records(self.mail_log)

    def _unacked(self) -> dict:
        # Tasks a worker took and did not acknowledge yet (kombu's Redis transport), ours only.
        mine = {}
        for tag, payload in self.redis.hgetall("unacked").items():
            if json.loads(payload)[-1] == self.queue:
                mine[tag] = payload
        return mine

    def idle(self) -> bool:
        return self.redis.llen(self.queue) == 0 and not self._unacked()

    def clean_broker(self) -> None:
        self.redis.delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
        )
        self.redis.zrem("_kombu.binding_deadlines", self.queue)
        tags = list(self._unacked())
        if tags:
            self.redis.hdel("unacked", *tags)
            self.redis.zrem("unacked_index", *tags)

    def log(self) -> str:
        return self.output.read_text() if self.output.exists() else ""


@pytest.fixture
def worker(transactional_db, tmp_path):
    worker = Worker(tmp_path)
    yield worker
    worker.stop()
    worker.clean_broker()


def _settled(worker: Worker, sent: int):
    def check() -> bool:
        return (
            len(worker.records()) >= sent
            and worker.idle()
            and not EmailDelivery.objects.queued().exists()
        )

    return check


def test_a_real_worker_runs_the_daily_jobs_end_to_end_and_a_second_run_sends_nothing(worker):
    UserFactory(email="sam@example.org", is_staff=True)
    alice = UserFactory(email="alice@example.org")
    bob = UserFactory(email="bob@example.org", language="fr")
    commitment = CommitmentFactory(published=True, title="Youth apprenticeships")
    for person in (alice, bob):
        commitment.lead_organization.memberships.create(user=person)
    DeliverableFactory(commitment=commitment, due_date=date(2026, 12, 15))
    application = ApplicationFactory(organization__name="Late Cooperative")
    Application.objects.filter(pk=application.pk).update(
        created_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    )
    reader = UserFactory(email="reader@example.org", language="es")
    NotificationPreferenceFactory(user=reader, thematic_areas=["employment"])
    type(commitment).objects.filter(pk=commitment.pk).update(
        first_published_at=datetime(2026, 11, 10, tzinfo=UTC)
    )
    worker.start()

    for task in ("daily_reminders", "moderation_digest", "monthly_digest"):
        worker.send(f"secretariat.{task}", day=DAY.isoformat())
    wait_for(_settled(worker, 5), what=f"five emails\n{worker.log()}")

    sent = worker.records()
    by_kind = Counter(
        EmailDelivery.objects.filter(message_id=record["message_id"]).get().kind for record in sent
    )
    assert by_kind == {
        NotificationKind.DELIVERABLE_DUE: 2,
        NotificationKind.REVIEW_WAITING: 1,
        NotificationKind.MODERATION_DIGEST: 1,
        NotificationKind.DIGEST: 1,
    }
    assert sorted(record["to"][0] for record in sent) == [
        "alice@example.org",
        "bob@example.org",
        "reader@example.org",
        "sam@example.org",
        "sam@example.org",
    ]
    spanish = translated(
        "es",
        "Your monthly digest: %(count)s new item in what you follow",
        "Your monthly digest: %(count)s new items in what you follow",
        n=1,
        count=1,
    )
    assert [r["subject"] for r in sent if r["to"] == ["reader@example.org"]] == [spanish]
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}

    # The same jobs again, as a retried beat tick or an operator would: nothing more is sent.
    for task in ("daily_reminders", "moderation_digest", "monthly_digest"):
        worker.send(f"secretariat.{task}", day=DAY.isoformat())
    wait_for(worker.idle, what="the second run")
    assert len(worker.records()) == 5
    assert EmailDelivery.objects.count() == 5
    assert "ERROR" not in worker.log()


def _readers(count: int) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"reader{n:03d}@example.org", password="!") for n in range(count)
    )
    preferences = NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user) for user in users
    )
    employment = ThematicArea.objects.get(code="employment")
    NotificationPreference.thematic_areas.through.objects.bulk_create(
        NotificationPreference.thematic_areas.through(
            notificationpreference_id=preference.pk, thematicarea_id=employment.pk
        )
        for preference in preferences
    )
    return users


def test_a_worker_killed_in_the_middle_of_a_digest_batch_loses_nothing_and_repeats_nothing(
    worker,
):
    readers = _readers(250)  # two batches: 200 and 50
    commitment = CommitmentFactory(published=True, title="Decent jobs for young people")
    type(commitment).objects.filter(pk=commitment.pk).update(
        first_published_at=datetime(2026, 11, 10, tzinfo=UTC)
    )
    # The first worker hangs on the 61st email, inside its batch, and is killed there.
    worker.start(TEST_MAIL_STALL_AFTER="60")
    worker.send("secretariat.monthly_digest", day=DAY.isoformat())
    wait_for(lambda: len(worker.records()) >= 60, what=f"60 emails\n{worker.log()}")
    time.sleep(1)  # let the worker reach the hanging send, holding the 61st row
    assert len(worker.records()) == 60
    assert EmailDelivery.objects.queued().exists()

    worker.kill()
    assert len(worker.records()) == 60
    # Restarted: Redis hands the unacknowledged batch to the new worker (visibility timeout),
    # which finds the digests recorded and sends the ones still queued.
    worker.start()
    wait_for(_settled(worker, 250), what=f"250 emails\n{worker.log()}")

    sent = worker.records()
    per_reader = Counter(record["to"][0] for record in sent)
    assert set(per_reader) == {reader.email for reader in readers}
    assert set(per_reader.values()) == {1}
    assert len({record["message_id"] for record in sent}) == 250
    assert EmailDelivery.objects.filter(kind=NotificationKind.DIGEST, status="sent").count() == 250
    assert len({record["pid"] for record in sent}) >= 2  # sent by the first and second worker
