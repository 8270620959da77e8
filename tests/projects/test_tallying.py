"""The adoption rules, checked against a simple independent reference on many generated elections."""

from hypothesis import given, settings
from hypothesis import strategies as st

from projects import tallying


def reference(votes, seats, threshold, tie_rule, cast, seated):
    """Straightforward restatement of the rules, written separately from tallying.decide."""
    if threshold == "half_cast":
        passes = {k for k, v in votes.items() if 2 * v > cast}
    elif threshold == "half_seated":
        passes = {k for k, v in votes.items() if 2 * v > seated}
    else:  # no threshold: still at least one vote
        passes = {k for k, v in votes.items() if v >= 1}
    ranked = sorted(passes, key=lambda k: votes[k], reverse=True)
    if len(ranked) <= seats:
        return set(ranked), set()
    cutoff = votes[ranked[seats - 1]]
    sure = {k for k in ranked if votes[k] > cutoff}
    tied = {k for k in ranked if votes[k] == cutoff}
    if len(sure) + len(tied) == seats:
        return sure | tied, set()
    if tie_rule == "include_all":
        return sure | tied, set()
    return sure, tied


elections = st.fixed_dictionaries({
    "votes": st.lists(st.integers(0, 30), min_size=1, max_size=15),
    "seats": st.integers(1, 12),
    "threshold": st.sampled_from(["none", "half_cast", "half_seated"]),
    "tie_rule": st.sampled_from(["include_all", "staff_break", "runoff"]),
    "extra_cast": st.integers(0, 20),
    "extra_seated": st.integers(0, 40),
})


@settings(max_examples=800, deadline=None)
@given(elections)
def test_decide_matches_reference(e):
    votes = dict(enumerate(e["votes"]))
    cast = max(e["votes"]) + e["extra_cast"]
    seated = cast + e["extra_seated"]
    d = tallying.decide(votes, seats=e["seats"], threshold=e["threshold"], tie_rule=e["tie_rule"],
                        ballots_cast=cast, seated=seated)
    adopted, pending = reference(votes, e["seats"], e["threshold"], e["tie_rule"], cast, seated)
    assert {k for k, o in d.outcomes.items() if o.adopted} == adopted
    assert {k for k, o in d.outcomes.items() if o.adopted is None} == pending
    assert set(d.tied) == pending
    # ranks: 1 + number of candidates with strictly more votes
    for k, o in d.outcomes.items():
        assert o.rank == 1 + sum(1 for v in votes.values() if v > votes[k])
    if e["tie_rule"] in ("staff_break", "runoff") or not pending:
        assert len(adopted) <= e["seats"] or e["tie_rule"] == "include_all"


@settings(max_examples=300, deadline=None)
@given(elections, st.randoms(use_true_random=False))
def test_staff_tie_break_fills_exactly_the_seats(e, rnd):
    votes = dict(enumerate(e["votes"]))
    cast = max(e["votes"]) + e["extra_cast"]
    kw = dict(seats=e["seats"], threshold=e["threshold"], tie_rule="staff_break", ballots_cast=cast, seated=cast)
    d = tallying.decide(votes, **kw)
    if not d.tied:
        return
    chosen = rnd.sample(d.tied, d.open_seats_in_tie)
    d2 = tallying.decide(votes, tie_break=chosen, **kw)
    adopted = {k for k, o in d2.outcomes.items() if o.adopted}
    assert len(adopted) == e["seats"]
    assert set(chosen) <= adopted
    assert all(o.adopted is not None for o in d2.outcomes.values())


def test_nanan_rule_ties_at_cutoff_all_included():
    votes = {"a": 9, "b": 8, "c": 8, "d": 8, "e": 1}
    d = tallying.decide(votes, seats=2, threshold="none", tie_rule="include_all", ballots_cast=10, seated=10)
    assert {k for k, o in d.outcomes.items() if o.adopted} == {"a", "b", "c", "d"}
    assert d.outcomes["b"].reason == tallying.ADOPTED_TIE and d.outcomes["b"].rank == 2


def test_threshold_is_more_than_half():
    votes = {"a": 5, "b": 6}
    d = tallying.decide(votes, seats=2, threshold="half_cast", tie_rule="include_all", ballots_cast=10, seated=20)
    assert not d.outcomes["a"].adopted and d.outcomes["a"].reason == tallying.BELOW_THRESHOLD
    assert d.outcomes["b"].adopted


def test_without_threshold_a_project_with_no_votes_is_not_adopted():
    """Issue 11: 2 seats and one ballot for A adopted A and B; with nobody voting, all were tied and adopted."""
    d = tallying.decide({"A": 1, "B": 0, "C": 0}, seats=2, threshold="none", tie_rule="include_all",
                        ballots_cast=1, seated=10)
    assert {k for k, o in d.outcomes.items() if o.adopted} == {"A"}
    assert d.outcomes["B"].reason == d.outcomes["C"].reason == tallying.NO_VOTES
    for tie_rule in ("include_all", "staff_break"):
        d = tallying.decide({"A": 0, "B": 0, "C": 0}, seats=2, threshold="none", tie_rule=tie_rule,
                            ballots_cast=0, seated=10)
        assert not any(o.adopted for o in d.outcomes.values()) and not d.tied
