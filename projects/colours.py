"""Five-colour supervision (五色督办): the colour of a project from its progress against plan. Pure: no queries.

Planned progress runs linearly from the planned start to the planned completion (100% from that day on); the
colour compares the reported progress with it, as a percentage of the plan, against the body's thresholds.
A milestone overdue makes a project red whatever its percentage (大足 双路街道 2025).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects.models import Colour, Project

COLOURED_STATES = (Project.State.IMPLEMENTATION, Project.State.COMPLETED, Project.State.EVALUATED)

# Background and text of each colour's badge, chosen for at least 4.5:1 contrast (tests/test_contrast.py).
# The colour is never the only sign: every badge carries its label too.
SWATCHES = {
    Colour.BLUE: ("#0b4f9c", "#ffffff"),
    Colour.GREEN: ("#1e6b34", "#ffffff"),
    Colour.YELLOW: ("#ffd83d", "#1a1a1a"),
    Colour.ORANGE: ("#f08a24", "#1a1a1a"),
    Colour.RED: ("#b3141c", "#ffffff"),
}


@dataclass(frozen=True)
class Thresholds:
    yellow_below: int = 90
    orange_below: int = 60
    red_below: int = 30

    @classmethod
    def of(cls, body) -> Thresholds:
        return cls(body.colour_yellow_below, body.colour_orange_below, body.colour_red_below)


@dataclass(frozen=True)
class Verdict:
    colour: str  # a Colour value, or "" for a project not (yet or any more) in implementation
    planned: int | None  # planned progress by the day, in %
    reason: str


def planned_percent(*, start: datetime.date, end: datetime.date | None, on: datetime.date) -> int | None:
    """The progress planned by `on`, in whole percent; None without a planned completion."""
    if end is None:
        return None
    if on >= end:
        return 100
    if on <= start or end <= start:
        return 0
    return (on - start).days * 100 // (end - start).days


def colour_for(*, state: str, progress: int, planned: int | None, overdue_milestones: int,
               thresholds: Thresholds) -> Verdict:
    """The colour of one project. `progress` and `planned` are percentages; the thresholds are percentages of plan."""
    if state not in COLOURED_STATES:
        return Verdict("", planned, "")
    if state != Project.State.IMPLEMENTATION or progress >= 100:
        return Verdict(Colour.BLUE, planned, _("Completed"))
    if overdue_milestones:
        return Verdict(Colour.RED, planned, _("%(n)s milestone(s) overdue") % {"n": overdue_milestones})
    if not planned:  # nothing planned yet, or no planned completion to measure against
        return Verdict(Colour.GREEN, planned, _("On plan"))
    share = progress * 100 / planned
    facts = {"progress": progress, "planned": planned}
    if share >= thresholds.yellow_below:
        return Verdict(Colour.GREEN, planned, _("%(progress)s%% done of %(planned)s%% planned") % facts)
    if share >= thresholds.orange_below:
        colour = Colour.YELLOW
    elif share >= thresholds.red_below:
        colour = Colour.ORANGE
    else:
        colour = Colour.RED
    return Verdict(colour, planned, _("%(progress)s%% done of %(planned)s%% planned") % facts)


def project_verdict(project: Project, *, on: datetime.date, overdue_milestones: int) -> Verdict:
    start = project.planned_start or datetime.date(project.year, 1, 1)
    planned = planned_percent(start=start, end=project.planned_completion, on=on)
    return colour_for(state=project.state, progress=project.progress_percent, planned=planned,
                      overdue_milestones=overdue_milestones, thresholds=Thresholds.of(project.body))
