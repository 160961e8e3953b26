"""The SMART score: a pure function of a commitment's content."""

from commitments.smart import smart_score
from tests.commitments.conftest import build_content


def criteria(content) -> dict:
    return {criterion.key: criterion for criterion in smart_score(content).criteria}


def test_a_complete_commitment_meets_all_five_criteria():
    score = smart_score(build_content())

    assert str(score) == "5/5"
    assert [c.label for c in score.criteria] == [
        "Specific",
        "Measurable",
        "Achievable",
        "Relevant",
        "Time-bound",
    ]
    assert score.unmet == []


def test_a_short_description_is_not_specific_and_says_why():
    specific = criteria(build_content(description="Jobs.", expected_results=""))["specific"]

    assert not specific.met
    assert "at least 30 words" in specific.reason
    assert "expected results" in specific.reason


def test_a_target_without_a_number_is_not_measurable():
    content = build_content()
    content["deliverables"][0]["target"] = "many more"

    measurable = criteria(content)["measurable"]
    assert not measurable.met
    assert "“Apprenticeship places opened” has no number" in measurable.reason


def test_no_deliverable_is_neither_measurable_nor_time_bound():
    result = criteria(build_content(deliverables=[]))

    assert not result["measurable"].met
    assert not result["time_bound"].met


def test_no_resources_is_not_achievable():
    achievable = criteria(
        build_content(resource_types=[], resources_amount=None, resources_description="")
    )["achievable"]

    assert not achievable.met
    assert "financial, in kind or staff" in achievable.reason


def test_no_sdg_is_not_relevant():
    relevant = criteria(build_content(sdgs=[]))["relevant"]

    assert not relevant.met
    assert "Sustainable Development Goals" in relevant.reason


def test_a_deliverable_due_outside_the_period_is_not_time_bound():
    content = build_content()
    content["deliverables"][1]["due_date"] = "2999-01-01"

    time_bound = criteria(content)["time_bound"]
    assert not time_bound.met
    assert "due outside the period" in time_bound.reason


def test_it_scores_an_empty_form_without_failing():
    assert smart_score({}).met == 0
