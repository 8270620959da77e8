"""Deputies' models: the roster (people and mandates) and the liaison network with residents' opinions."""

from deputies.models.liaison import (  # noqa: F401
    LiaisonStation,
    OpinionCategory,
    Reception,
    ResidentOpinion,
    ResidentOpinionTransition,
)
from deputies.models.points import DutyReport, PointKind, PointRule  # noqa: F401
from deputies.models.roster import Mandate, MandateQuerySet, Person  # noqa: F401
from deputies.models.suggestions import (  # noqa: F401
    DutyActivity,
    HandlingUnit,
    Suggestion,
    SuggestionExtension,
    SuggestionTransition,
    SupervisionGroup,
)
