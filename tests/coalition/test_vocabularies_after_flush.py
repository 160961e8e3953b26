"""Transactional tests (the browser tests among them) flush every table when they end; the
reference vocabularies must come back for the tests that follow."""

import pytest

from coalition.models import Constituency, Region, SustainableDevelopmentGoal


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_vocabularies():
    assert Constituency.objects.count() == 8


@pytest.mark.django_db
def test_the_vocabularies_are_back_after_the_flush():
    assert Constituency.objects.count() == 8
    assert SustainableDevelopmentGoal.objects.count() == 17
    assert Region.objects.count() == 30
