"""Reads the meeting pages share."""

from congress import polls
from meetings.models import SatisfactionSurvey


def _survey_for_scoring(pk):
    return SatisfactionSurvey.objects.select_related("poll", "meeting").get(pk=pk)


_scoring = polls.CastingCache(_survey_for_scoring)


def survey_for_scoring(pk, fresh: bool = False) -> SatisfactionSurvey:
    """The survey and its poll: all a score needs. Kept by the process while the poll is open (see
    `polls.CastingCache`); else one query."""
    return _scoring.get(pk, fresh)
