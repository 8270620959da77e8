"""Who may do what with projects and ballots. Views, templates and the admin ask these."""

from congress.models import Elector, SecretPoll, VoteRecord
from congress.polls import voting_window_open
from congress.predicates import can_manage_body
from deputies.predicates import units_of
from projects.colours import COLOURED_STATES
from projects.models import SupervisionTask


def person_of(user):
    return getattr(user, "person", None) if user.is_authenticated else None


def can_vote(user, ballot) -> bool:
    """On the frozen electorate, not yet voted, and the voting window is open."""
    person = person_of(user)
    if person is None or not voting_window_open(ballot.poll):
        return False
    elector = Elector.objects.filter(poll=ballot.poll, person=person).first()
    return elector is not None and not VoteRecord.objects.filter(elector=elector).exists()


def away_from_hall(user, ballot) -> bool:
    """A present-only ballot, and this deputy is not signed in at its meeting (or has left the hall)."""
    person = person_of(user)
    return (person is not None and ballot.poll.present_only
            and Elector.objects.filter(poll=ballot.poll, person=person, in_hall=False).exists())


def has_voted(user, ballot) -> bool:
    person = person_of(user)
    return person is not None and VoteRecord.objects.filter(poll=ballot.poll, elector__person=person).exists()


def can_manage_ballot(user, ballot) -> bool:
    return can_manage_body(user, ballot.poll.body)


def can_see_result(user, ballot) -> bool:
    """Everyone sees a certified result; staff in scope see it as soon as it is counted."""
    if ballot.poll.state == SecretPoll.State.CERTIFIED:
        return True
    return ballot.poll.state == SecretPoll.State.TALLIED and can_manage_ballot(user, ballot)


def is_public(project) -> bool:
    """A project's public page (民生码) exists once it is being carried out, and stays once completed."""
    return project.state in COLOURED_STATES


def can_add_site_visit(user, project) -> bool:
    """The project's supervising deputies record their site visits while it is being carried out."""
    person = person_of(user)
    return (person is not None and project.state == project.State.IMPLEMENTATION
            and project.supervisors.filter(person=person).exists())


def unit_supervision_tasks(user):
    """The open supervision tasks a handling unit's account sees: those of its own units, nobody else's."""
    return SupervisionTask.objects.filter(handling_unit__in=units_of(user), closed_on__isnull=True)
