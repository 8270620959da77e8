"""Reads the meeting pages share (the README's design section, "Reads live in selectors.py"): the survey as scoring
needs it and the survey statistics (surveys.py), the duty points (points.py)."""

from meetings.selectors.points import (
    KINDS,
    PointsRow,
    kind_labels,
    person_points,
    quarter_of,
    quarter_range,
    quarterly_dataset,
    quarterly_table,
)
from meetings.selectors.surveys import (
    COUNTED,
    RatingLine,
    SurveyStats,
    min_responses_for,
    survey_for_scoring,
    survey_stats,
)

__all__ = [
    "COUNTED", "KINDS", "PointsRow", "RatingLine", "SurveyStats", "kind_labels", "min_responses_for", "person_points",
    "quarter_of", "quarter_range", "quarterly_dataset", "quarterly_table", "survey_for_scoring", "survey_stats",
]
