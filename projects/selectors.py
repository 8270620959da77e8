"""Reads shared by the project pages, the ballot pages, the result exports and the printed result."""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress import polls, safeguards
from congress.models import Elector, SecretPoll, VoteRecord
from projects import predicates, tallying
from projects.colours import COLOURED_STATES
from projects.models import Ballot, BallotCandidate, Colour, Milestone, Project, ResidentRating

REASONS = {
    tallying.ADOPTED: gettext_lazy("Adopted: within the seats"),
    tallying.ADOPTED_TIE: gettext_lazy("Adopted: tied at the cut-off, all tied projects included"),
    tallying.ADOPTED_TIE_BREAK: gettext_lazy("Adopted: chosen by staff to break the tie"),
    tallying.NOT_CHOSEN_TIE_BREAK: gettext_lazy("Not adopted: not chosen to break the tie"),
    tallying.BELOW_THRESHOLD: gettext_lazy("Not adopted: below the threshold"),
    tallying.OUTSIDE_SEATS: gettext_lazy("Not adopted: outside the seats"),
    tallying.NO_VOTES: gettext_lazy("Not adopted: no votes"),
    tallying.TIE_PENDING: gettext_lazy("Tied at the cut-off: waiting for staff to break the tie"),
    tallying.RUNOFF_PENDING: gettext_lazy("Tied at the cut-off: decided by a run-off round"),
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


def ballot_rounds(ballot: Ballot) -> list[Ballot]:
    """Every round of the ballot, round 1 first: the previous rounds and the run-offs that followed."""
    first = ballot
    while first.previous_round_id is not None:
        first = Ballot.objects.select_related("poll").get(pk=first.previous_round_id)
    rounds = [first]
    while True:
        nxt = Ballot.objects.select_related("poll").filter(previous_round=rounds[-1]).first()
        if nxt is None:
            return rounds
        rounds.append(nxt)


@dataclass
class Round:
    """Another round of a ballot, as its result page and printed record show it (the result once it may be seen)."""

    ballot: Ballot
    rows: list
    record: polls.Quorum | None
    counted: bool


def other_rounds(ballot: Ballot, user) -> list[Round]:
    """The ballot's other rounds, round 1 first, each with its result when `user` may see it."""
    out = []
    for other in ballot_rounds(ballot):
        if other.pk == ballot.pk:
            continue
        other = ballot_with_candidates(other.pk)
        counted = hasattr(other, "result") and predicates.can_see_result(user, other)
        out.append(Round(ballot=other, rows=result_rows(other) if counted else [],
                         record=ballot_record(other.result.data["reconciliation"]) if counted else None,
                         counted=counted))
    return out


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
        "colour_changes": project.colour_changes.select_related("by"),
        "tasks": project.supervision_tasks.select_related("closed_by"),
        "supervisors": project.supervisors.select_related("person"),
        "visits": project.site_visits.select_related("person"),
        "ratings": project.resident_ratings.all()[:50],
        "rating_summary": rating_summary(project),
    }


# --- supervision: the board, the public page, the residents' ratings --------------------------------------

def board_rows(body):
    """Every project of the body being carried out or completed, with its next milestone: one query."""
    nxt = Milestone.objects.filter(project=OuterRef("pk"), done_on__isnull=True).order_by("due_date", "id")
    return (Project.objects.filter(body=body, state__in=COLOURED_STATES).select_related("category")
            .annotate(next_milestone=Subquery(nxt.values("title")[:1]),
                      next_milestone_due=Subquery(nxt.values("due_date")[:1]))
            .order_by("year", "title"))


def board_counts(rows) -> list[tuple]:
    """(colour, label, count) for the legend, in the order of the scale, from the rows already loaded."""
    counts = {}
    for p in rows:
        counts[p.colour] = counts.get(p.colour, 0) + 1
    return [(c.value, c.label, counts.get(c.value, 0)) for c in Colour]


def rating_summary(project):
    return project.resident_ratings.aggregate(count=Count("id"), average=Avg("stars"))


def ratings_dataset(project) -> tablib.Dataset:
    """The residents' ratings of a project, for CSV/XLSX (congress.exports neutralises every cell)."""
    ds = tablib.Dataset(headers=[str(_("Time")), str(_("Rating")), str(_("Comment"))])
    for r in project.resident_ratings.order_by("at", "id"):
        ds.append([r.at.strftime("%Y-%m-%d %H:%M"), r.stars, r.comment])
    ds.title = str(_("Ratings"))[:31]
    return ds


def public_reports(project):
    return project.progress_reports.filter(public=True).order_by("-date", "-id")


def resident_ratings_for(project_ids) -> dict:
    """Residents' ratings of many projects, for the year-end evaluation: {project id: {count, average, comments}},
    in two queries."""
    out = {pid: {"count": n, "average": avg, "comments": []} for pid, n, avg in
           ResidentRating.objects.filter(project_id__in=project_ids).values_list("project_id")
           .annotate(n=Count("id"), avg=Avg("stars")).order_by()}
    for pid, stars, comment in (ResidentRating.objects.filter(project_id__in=project_ids).exclude(comment="")
                                .order_by("-at", "-id").values_list("project_id", "stars", "comment")):
        if len(out[pid]["comments"]) < 20:
            out[pid]["comments"].append((stars, comment))
    return out
