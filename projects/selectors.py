"""Reads shared by the project pages, the ballot pages, the result exports and the printed result."""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress import polls, safeguards
from congress.models import Elector, SecretPoll, VoteRecord
from projects import tallying
from projects.models import Ballot, BallotCandidate, Project

REASONS = {
    tallying.ADOPTED: gettext_lazy("Adopted: within the seats"),
    tallying.ADOPTED_TIE: gettext_lazy("Adopted: tied at the cut-off, all tied projects included"),
    tallying.ADOPTED_TIE_BREAK: gettext_lazy("Adopted: chosen by staff to break the tie"),
    tallying.NOT_CHOSEN_TIE_BREAK: gettext_lazy("Not adopted: not chosen to break the tie"),
    tallying.BELOW_THRESHOLD: gettext_lazy("Not adopted: below the threshold"),
    tallying.OUTSIDE_SEATS: gettext_lazy("Not adopted: outside the seats"),
    tallying.NO_VOTES: gettext_lazy("Not adopted: no votes"),
    tallying.TIE_PENDING: gettext_lazy("Tied at the cut-off: waiting for staff to break the tie"),
}


def ballots_for_deputy(person):
    """Open ballots the person is on the electorate of, each marked voted or not: one query."""
    if person is None:
        return Ballot.objects.none()
    return (
        Ballot.objects.filter(poll__state=SecretPoll.State.OPEN, poll__electors__person=person)
        .select_related("poll__body")
        .annotate(voted=Exists(VoteRecord.objects.filter(poll=OuterRef("poll"), elector__person=person)))
        .order_by("poll__closes_at", "pk")
    )


def announced_ballots(person=None):
    qs = Ballot.objects.filter(poll__state=SecretPoll.State.CERTIFIED).select_related("poll__body")
    if person is not None:
        qs = qs.filter(Exists(Elector.objects.filter(poll=OuterRef("poll"), person=person)))
    return qs.order_by("-year", "-pk")


def ballot_with_candidates(pk, base=None):
    base = base if base is not None else Ballot.objects.all()
    return base.select_related("poll__body__division", "session__term", "result").prefetch_related(
        Prefetch("candidates", queryset=BallotCandidate.objects.select_related("project__category").order_by("position"))
    ).get(pk=pk)


def _ballot_for_casting(pk):
    return Ballot.objects.select_related("poll").prefetch_related(
        Prefetch("candidates", queryset=BallotCandidate.objects.select_related("project")
                 .only("id", "ballot_id", "position", "project__title").order_by("position"))
    ).get(pk=pk)


_casting = polls.CastingCache(_ballot_for_casting)


def ballot_for_casting(pk, fresh: bool = False):
    """The ballot, its poll and its candidates (id, position, title): all a cast ballot needs. Kept by the process
    while the poll is open (see `polls.CastingCache`); else two small queries."""
    return _casting.get(pk, fresh)


@dataclass
class ResultRow:
    candidate: BallotCandidate
    reason_text: str


def result_rows(ballot: Ballot) -> list[ResultRow]:
    cands = sorted(ballot.candidates.all(), key=lambda c: (c.rank or 999, c.position))
    return [ResultRow(c, str(REASONS.get(c.reason, ""))) for c in cands]


def ballot_record(rec: dict) -> polls.Quorum:
    """The printed record's "应到 X 人，实到 Y 人，符合法定人数": the electors, the ballots returned (web and paper),
    and whether more than half of the electors returned one."""
    return polls.Quorum(members=rec["electorate"], present=rec["web_voters"] + rec["paper_returned"])


def closing_note(ballot: Ballot, rec) -> safeguards.ClosingNote:
    """How the ballot was closed, from its reconciliation (a dict from the stored result, or the live one): no query."""
    voted = rec["web_voters"] + rec["paper_issued"] if isinstance(rec, dict) else rec.voters
    return safeguards.closing_note(ballot.poll, voted=voted, min_percent=ballot.poll.body.min_close_turnout_percent)


def result_dataset(ballot: Ballot) -> tablib.Dataset:
    faa = ballot.method == Ballot.Method.FOR_AGAINST
    headers = [_("Rank"), _("Project"), _("Category"), _("For") if faa else _("Votes")]
    if faa:
        headers += [_("Against"), _("Abstain")]
    headers += [_("Adopted"), _("Why")]
    ds = tablib.Dataset(headers=[str(h) for h in headers])
    for row in result_rows(ballot):
        c = row.candidate
        line = [c.rank, c.project.title, c.project.category.name, c.votes_for]
        if faa:
            line += [c.votes_against, c.votes_abstain]
        line += [_("yes") if c.adopted else (_("pending") if c.adopted is None else _("no")), row.reason_text]
        ds.append(line)
    ds.title = str(_("Result"))[:31]
    return ds


def project_list(user, params):
    qs = (
        Project.objects.in_scope(user)
        .select_related("body__division", "category")
        .order_by("-year", "body__division__path", "title")
    )
    if params.get("body"):
        qs = qs.filter(body_id=params["body"])
    if params.get("year"):
        qs = qs.filter(year=params["year"])
    if params.get("category"):
        qs = qs.filter(category_id=params["category"])
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("level"):
        qs = qs.filter(body__division__level=params["level"])
    if params.get("q"):
        # a proposer quoting the reference of their receipt is found by it
        qs = qs.filter(Q(title__icontains=params["q"]) | Q(description__icontains=params["q"])
                       | Q(reference__iexact=params["q"].strip()))
    return qs


def project_chain(project: Project):
    """Everything on one project's page: proposal, moves, ballots, milestones, progress."""
    return {
        "transitions": project.transitions.select_related("by").order_by("at", "id"),
        "ballot_entries": project.ballot_entries.select_related("ballot__poll").order_by("ballot__year"),
        "milestones": project.milestones.all(),
        "reports": project.progress_reports.select_related("author"),
    }
