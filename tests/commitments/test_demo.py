"""The demo data: every stage of a commitment's life and every reporting status, loaded through
the services, and safe to load again."""

import pytest

from commitments import demo
from commitments.models import Commitment, CommitmentRevision, ProgressUpdate
from partners import demo as partners_demo

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_stage_and_reporting_status(queued):
    cast = partners_demo.seed()

    created = demo.seed(secretariat=cast["secretariat"])

    assert len(created) == len(demo.COMMITMENTS)
    assert set(Commitment.objects.values_list("status", flat=True)) == set(Commitment.Status)
    statuses = set(
        Commitment.objects.with_reporting_status().values_list("reporting_status", flat=True)
    )
    assert {"on_track", "update_due", "overdue", "inactive"} <= statuses
    assert CommitmentRevision.objects.filter(status="submitted").exists()
    assert Commitment.objects.filter(versions__number=2).exists()
    assert set(ProgressUpdate.objects.values_list("evidence_level", flat=True)) == set(
        ProgressUpdate.EvidenceLevel
    )
    assert queued == []  # no email for invented decisions


def test_the_demo_loads_again_without_duplicates(queued):
    cast = partners_demo.seed()
    demo.seed(secretariat=cast["secretariat"])

    assert demo.seed(secretariat=cast["secretariat"]) == []
    assert Commitment.objects.count() == len(demo.COMMITMENTS)
