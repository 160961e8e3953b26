"""The SMART score of a commitment: which of the five criteria its content meets, and why not.

A pure function of a content dict (see commitments.content): the form calls it live while the
partner writes, the Secretariat sees the same result in its queue. It advises; it never refuses.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from commitments.content import parse_date

# A description shorter than this rarely says what will be done, by whom and for whom.
SPECIFIC_MIN_WORDS = 30
NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool
    reason: str


@dataclass(frozen=True)
class SmartScore:
    criteria: tuple[Criterion, ...]

    @property
    def met(self) -> int:
        return sum(criterion.met for criterion in self.criteria)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def unmet(self) -> list[Criterion]:
        return [criterion for criterion in self.criteria if not criterion.met]

    def __str__(self) -> str:
        return f"{self.met}/{self.total}"


def _words(text: str | None) -> int:
    return len((text or "").split())


def _specific(content: dict) -> Criterion:
    missing = []
    if not content.get("summary"):
        missing.append(_("write a summary"))
    if _words(content.get("description")) < SPECIFIC_MIN_WORDS:
        missing.append(
            _("describe the action in at least %(count)d words: what, by whom, for whom")
            % {"count": SPECIFIC_MIN_WORDS}
        )
    if not content.get("expected_results"):
        missing.append(_("state the expected results"))
    if not content.get("level"):
        missing.append(_("choose the level of action"))
    met = not missing
    reason = (
        _("It says what will be done, where, and what it should achieve.")
        if met
        else _("To be specific: %(todo)s.") % {"todo": "; ".join(missing)}
    )
    return Criterion("specific", _("Specific"), met, reason)


def _measurable(content: dict) -> Criterion:
    deliverables = content.get("deliverables") or []
    if not deliverables:
        return Criterion(
            "measurable",
            _("Measurable"),
            False,
            _("Add at least one deliverable with an indicator and a target."),
        )
    problems = []
    for item in deliverables:
        name = item.get("title") or _("a deliverable")
        if not item.get("indicator"):
            problems.append(_("“%(name)s” has no indicator") % {"name": name})
        elif not NUMBER.search(item.get("target") or ""):
            problems.append(_("the target of “%(name)s” has no number") % {"name": name})
    met = not problems
    reason = (
        _("Each deliverable has an indicator and a numeric target.")
        if met
        else _("To be measurable: %(todo)s.") % {"todo": "; ".join(problems)}
    )
    return Criterion("measurable", _("Measurable"), met, reason)


def _achievable(content: dict) -> Criterion:
    has_kind = bool(content.get("resource_types"))
    has_detail = bool(content.get("resources_amount") or content.get("resources_description"))
    met = has_kind and has_detail
    if met:
        reason = _("It says which resources the action relies on.")
    elif not has_kind:
        reason = _("Say which resources you commit: financial, in kind or staff.")
    else:
        reason = _("Give the amount or describe the resources committed.")
    return Criterion("achievable", _("Achievable"), met, reason)


def _relevant(content: dict) -> Criterion:
    missing = []
    if not content.get("thematic_areas"):
        missing.append(_("choose a thematic area of the Coalition"))
    if not content.get("sdgs"):
        missing.append(_("name the Sustainable Development Goals it serves"))
    met = not missing
    reason = (
        _("It serves the Coalition's thematic areas and the SDGs.")
        if met
        else _("To be relevant: %(todo)s.") % {"todo": "; ".join(missing)}
    )
    return Criterion("relevant", _("Relevant"), met, reason)


def _time_bound(content: dict) -> Criterion:
    start, end = parse_date(content.get("start_date")), parse_date(content.get("end_date"))
    problems = []
    if start is None or end is None:
        problems.append(_("give the start and end dates"))
    elif end <= start:
        problems.append(_("end after the start"))
    deliverables = content.get("deliverables") or []
    for item in deliverables:
        due = parse_date(item.get("due_date"))
        name = item.get("title") or _("a deliverable")
        if due is None:
            problems.append(_("give “%(name)s” a due date") % {"name": name})
        elif start and end and not start <= due <= end:
            problems.append(_("“%(name)s” is due outside the period") % {"name": name})
    if not deliverables and not problems:
        problems.append(_("give the deliverables due dates"))
    met = not problems
    reason = (
        _("It has a period and each deliverable a due date within it.")
        if met
        else _("To be time-bound: %(todo)s.") % {"todo": "; ".join(problems)}
    )
    return Criterion("time_bound", _("Time-bound"), met, reason)


def smart_score(content: dict) -> SmartScore:
    """Specific, measurable, achievable (resources), relevant (themes, SDGs) and time-bound."""
    return SmartScore(
        (
            _specific(content),
            _measurable(content),
            _achievable(content),
            _relevant(content),
            _time_bound(content),
        )
    )
