"""Three-level satisfaction ratings (满意 / 基本满意 / 不满意) and the Zhenhai (镇海) rule, as pure functions.

An item is "satisfied" when its 满意 votes are more than `percent` % of the base (all voting members, or the
voting members present, as the survey says); "basically satisfied" when its 满意 and 基本满意 votes together
are; otherwise "dissatisfied". "More than" is strict: with the default 50 %, exactly half is not enough.
Counted in whole numbers (100 × votes > percent × base), so no rounding decides a verdict.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

SATISFIED, BASIC, DISSATISFIED = "satisfied", "basic", "dissatisfied"
GRADE_OF_LEVEL = {SATISFIED: 2, BASIC: 1, DISSATISFIED: 0}  # the values a response carries, as SatisfactionSurvey.GRADES
LABELS = {
    SATISFIED: pgettext_lazy("rating", "Satisfied"),
    BASIC: pgettext_lazy("rating", "Basically satisfied"),
    DISSATISFIED: pgettext_lazy("rating", "Dissatisfied"),
}


def more_than(votes: int, base: int, percent: int) -> bool:
    """votes > percent % of base, exactly, in integers."""
    return base > 0 and 100 * votes > percent * base


def verdict(*, satisfied: int, basic: int, base: int, percent: int = 50) -> str:
    if more_than(satisfied, base, percent):
        return SATISFIED
    if more_than(satisfied + basic, base, percent):
        return BASIC
    return DISSATISFIED


def votes_needed(base: int, percent: int) -> int:
    """The fewest votes that are more than percent % of base (what the printed rule states)."""
    return percent * base // 100 + 1
