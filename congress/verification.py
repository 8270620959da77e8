"""The verification of an opened ballot box, for `manage.py verify_poll` and the scrutineers' JSON bundle.

The core checks the box: it was opened and emptied, one tracker per web voter (no two alike), the ballots counted
against the voters recorded (paper returned at most as issued). Each app adds its recount (`recount(poll)` returns
its checks and figures): a project ballot recounts from the counting table against its stored result and checks the
result's checksum; a survey recomputes its statistics from the opened scores and checks its report's checksum.

The bundle also carries the opened ballots, sorted (their order says nothing), without trackers, so that the
scrutineers can recount outside the server. It is for them and the staff in scope only, never published: a rare
pattern of choices, or a score such as 73, could identify a deputy.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from congress.models import BallotSlot, SealedBallot, SecretPoll, VoteRecord
from congress.services import audit_record

Recount = Callable[[SecretPoll], tuple[dict, dict]]


def opened_ballots(poll: SecretPoll) -> list[dict]:
    """The counting table of a poll, sorted by contents: the same list however the rows are stored."""
    rows = BallotSlot.objects.filter(poll=poll).values_list("status", "approvals", "rejections", "abstentions", "score")
    return [{"status": st, "approvals": a, "rejections": r, "abstentions": x, "score": s}
            for st, a, r, x, s in sorted(rows, key=lambda t: (t[0], t[1], t[2], t[3], -1 if t[4] is None else t[4]))]


def verify(poll: SecretPoll, recount: Recount | None = None) -> dict:
    """The checks, as a JSON-ready dict: `ok` is true when every check passed."""
    web = VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.WEB).count()
    paper = VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.PAPER).count()
    counted = BallotSlot.objects.filter(poll=poll).count()
    sealed_left = SealedBallot.objects.filter(poll=poll).count()
    trackers = list(poll.trackers or [])
    checks = {
        "box_opened": {"ok": poll.unsealed_at is not None and not sealed_left, "sealed_left": sealed_left},
        "trackers_match_web_voters": {"ok": len(trackers) == web and len(set(trackers)) == len(trackers),
                                      "trackers": len(trackers), "web_voters": web},
        "ballots_counted_match_voters": {"ok": web <= counted <= web + paper, "ballots_counted": counted,
                                         "voters_recorded": web + paper, "paper_issued": paper},
        "trackers_sorted": {"ok": trackers == sorted(trackers)},
    }
    out = {"poll": poll.pk, "purpose": poll.purpose, "title": poll.title, "state": poll.state,
           "electorate": poll.electorate_size, "opened_at": poll.unsealed_at, "trackers": trackers}
    if recount is not None:
        more, figures = recount(poll)
        checks.update(more)
        out["recount"] = figures
    out["checks"] = checks
    out["ok"] = all(c["ok"] for c in checks.values())
    return out


def failed(report: dict) -> list[str]:
    return [name for name, check in report["checks"].items() if not check["ok"]]


@transaction.atomic
def poll_verification_bundle(*, poll: SecretPoll, recount: Recount | None = None, acting_user=None) -> dict:
    """The verification bundle a scrutineer or staff member in scope downloads: the checks of `verify`, the opened
    ballots (sorted, without trackers) and when and by whom it was made. Audited: who took the opened ballots."""
    report = verify(poll, recount)
    report["ballots"] = opened_ballots(poll)
    report["generated_at"] = timezone.now()
    report["generated_by"] = acting_user.get_username() if acting_user is not None else None
    audit_record(actor=acting_user, action="poll.verification_download", obj=poll, division=poll.body.division,
                 after={"ok": report["ok"], "failed": failed(report), "ballots": len(report["ballots"])})
    return report
