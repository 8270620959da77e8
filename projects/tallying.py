"""The adoption rules, as a pure function of the counts (the counting itself happens in the database).

Ranking: by votes for (approvals), most first; equal votes share a rank (1, 2, 2, 4).
Threshold: a project must have more than half of the ballots cast (all
ballots returned, valid, blank and invalid) or of the seated deputies, when the
ballot says so; with no threshold it needs at least one vote. Seats: the best `seats` projects that pass the threshold are
adopted. Ties at the cut-off (more projects share the last seat's votes than seats are left): all tied
projects are adopted (Nan'an's rule); or they wait for staff to break the tie with a recorded reason; or they
go to a run-off round among themselves for the seats left (the Election Law's practice). A tie above the
cut-off, or below it, decides nothing and waits for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INCLUDE_ALL = "include_all"
STAFF_BREAK = "staff_break"
RUNOFF = "runoff"
NONE, HALF_CAST, HALF_SEATED = "none", "half_cast", "half_seated"

# reasons, stored as codes and shown translated
ADOPTED = "adopted"
ADOPTED_TIE = "adopted_tie"
BELOW_THRESHOLD = "below_threshold"
OUTSIDE_SEATS = "outside_seats"
TIE_PENDING = "tie_pending"
ADOPTED_TIE_BREAK = "adopted_tie_break"
NOT_CHOSEN_TIE_BREAK = "not_chosen_tie_break"
NO_VOTES = "no_votes"
RUNOFF_PENDING = "runoff_pending"


@dataclass
class Outcome:
    rank: int
    adopted: bool | None  # None: waiting for a tie-break
    reason: str


@dataclass
class Decision:
    outcomes: dict = field(default_factory=dict)  # key -> Outcome
    tied: list = field(default_factory=list)      # keys waiting for a tie-break
    open_seats_in_tie: int = 0


def threshold_votes(threshold: str, ballots_cast: int, seated: int) -> int | None:
    """The smallest number of votes that is more than half; None when there is no threshold."""
    if threshold == HALF_CAST:
        return ballots_cast // 2 + 1
    if threshold == HALF_SEATED:
        return seated // 2 + 1
    return None


def decide(votes: dict, *, seats: int, threshold: str, tie_rule: str, ballots_cast: int, seated: int,
           tie_break: list | None = None) -> Decision:
    """votes: key -> votes for. tie_break: the keys staff chose among the tied (for STAFF_BREAK)."""
    ordered = sorted(votes.items(), key=lambda kv: -kv[1])
    ranks = {}
    for i, (key, v) in enumerate(ordered):
        ranks[key] = i + 1 if i == 0 or v != ordered[i - 1][1] else ranks[ordered[i - 1][0]]
    need = threshold_votes(threshold, ballots_cast, seated)
    eligible = [(k, v) for k, v in ordered if v >= (need or 1)]  # a project needs at least one vote
    decision = Decision()
    for key, _v in ordered:
        if need is not None and votes[key] < need:
            reason = BELOW_THRESHOLD
        elif votes[key] < 1:
            reason = NO_VOTES
        else:
            reason = OUTSIDE_SEATS
        decision.outcomes[key] = Outcome(rank=ranks[key], adopted=False, reason=reason)
    if not eligible or seats <= 0:
        return decision
    if len(eligible) <= seats:
        for key, _v in eligible:
            decision.outcomes[key] = Outcome(ranks[key], True, ADOPTED)
        return decision
    cutoff = eligible[seats - 1][1]
    above = [k for k, v in eligible if v > cutoff]
    at_cutoff = [k for k, v in eligible if v == cutoff]
    for key in above:
        decision.outcomes[key] = Outcome(ranks[key], True, ADOPTED)
    remaining = seats - len(above)
    if len(at_cutoff) == remaining:  # no tie crosses the cut-off
        for key in at_cutoff:
            decision.outcomes[key] = Outcome(ranks[key], True, ADOPTED)
        return decision
    if tie_rule == INCLUDE_ALL:
        for key in at_cutoff:
            decision.outcomes[key] = Outcome(ranks[key], True, ADOPTED_TIE)
        return decision
    if tie_rule == RUNOFF:  # decided by the next round, which the tie stays open for
        for key in at_cutoff:
            decision.outcomes[key] = Outcome(ranks[key], None, RUNOFF_PENDING)
        decision.tied, decision.open_seats_in_tie = at_cutoff, remaining
        return decision
    chosen = set(tie_break or [])
    if chosen and len(chosen) == remaining and chosen <= set(at_cutoff):
        for key in at_cutoff:
            decision.outcomes[key] = Outcome(ranks[key], key in chosen,
                                             ADOPTED_TIE_BREAK if key in chosen else NOT_CHOSEN_TIE_BREAK)
        return decision
    for key in at_cutoff:
        decision.outcomes[key] = Outcome(ranks[key], None, TIE_PENDING)
    decision.tied, decision.open_seats_in_tie = at_cutoff, remaining
    return decision
