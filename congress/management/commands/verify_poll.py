"""python manage.py verify_poll <poll id>: recount a poll from its opened ballots and check it adds up (JSON)."""

import json

from django.core.management.base import BaseCommand, CommandError

from congress.models import BallotSlot, SealedBallot, SecretPoll, VoteRecord


def verify(poll: SecretPoll) -> dict:
    """The checks, as a JSON-ready dict: `ok` is true when every check passed."""
    web = VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.WEB).count()
    paper = VoteRecord.objects.filter(poll=poll, channel=VoteRecord.Channel.PAPER).count()
    counted = BallotSlot.objects.filter(poll=poll).count()
    trackers = list(poll.trackers or [])
    checks = {
        "box_opened": {"ok": poll.unsealed_at is not None and not SealedBallot.objects.filter(poll=poll).exists(),
                       "sealed_left": SealedBallot.objects.filter(poll=poll).count()},
        "trackers_match_web_voters": {"ok": len(trackers) == web and len(set(trackers)) == len(trackers),
                                      "trackers": len(trackers), "web_voters": web},
        "ballots_counted_match_voters": {"ok": web <= counted <= web + paper, "ballots_counted": counted,
                                         "voters_recorded": web + paper, "paper_issued": paper},
        "trackers_sorted": {"ok": trackers == sorted(trackers)},
    }
    out = {"poll": poll.pk, "purpose": poll.purpose, "title": poll.title, "state": poll.state,
           "electorate": poll.electorate_size, "trackers": trackers}
    ballot = getattr(poll, "project_ballot", None) if poll.purpose == SecretPoll.Purpose.PROJECT_BALLOT else None
    if ballot is not None:
        from projects.models import TallyResult
        from projects.services import ballot_count, canonical_checksum

        result = TallyResult.objects.filter(ballot=ballot).first()
        if result is None:
            checks["result_stored"] = {"ok": False}
        else:
            _candidates, recount = ballot_count(ballot)
            checks["stored_checksum"] = {"ok": canonical_checksum(result.data) == result.checksum,
                                         "checksum": result.checksum}
            checks["recount_matches_result"] = {"ok": recount == result.data,
                                                "recount_checksum": canonical_checksum(recount)}
            out["recount"] = {"candidates": recount["candidates"], "reconciliation": recount["reconciliation"]}
    survey = getattr(poll, "survey", None) if poll.purpose == SecretPoll.Purpose.SURVEY else None
    if survey is not None:
        from meetings import reports

        stats = reports.survey_stats([survey])[survey.pk]
        out["recount"] = {"responded": stats.responded, "blank": stats.blank, "invalid": stats.invalid,
                          "mean": stats.mean, "median": stats.median}
        checks["responses_match_counted"] = {"ok": stats.responded == counted}
    out["checks"] = checks
    out["ok"] = all(c["ok"] for c in checks.values())
    return out


class Command(BaseCommand):
    help = "Recount a poll from its opened ballots; check trackers = voters recorded = ballots counted and the checksum."

    def add_arguments(self, parser):
        parser.add_argument("poll_id", type=int)

    def handle(self, *args, poll_id, **options):
        poll = SecretPoll.objects.filter(pk=poll_id).first()
        if poll is None:
            raise CommandError(f"No poll {poll_id}.")
        report = verify(poll)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        if not report["ok"]:
            raise CommandError("Verification failed: " + ", ".join(k for k, c in report["checks"].items() if not c["ok"]))
