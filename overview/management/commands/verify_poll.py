"""python manage.py verify_poll <poll id>: recount a poll from its opened ballots and check it adds up (JSON).

The same checks as the scrutineers' JSON bundle (congress.verification), without the opened ballots. It lives at
the top because it calls the recount of each app whose polls it checks.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from congress.models import SecretPoll
from congress.verification import failed, verify
from meetings.reports import survey_recount
from projects.services import ballot_recount


def recount_for(poll: SecretPoll):
    """The app's recount of this poll (a project ballot or a survey), or None."""
    if poll.purpose == SecretPoll.Purpose.PROJECT_BALLOT and hasattr(poll, "project_ballot"):
        return lambda _poll: ballot_recount(poll.project_ballot)
    if poll.purpose == SecretPoll.Purpose.SURVEY and hasattr(poll, "survey"):
        return lambda _poll: survey_recount(poll.survey)
    return None


class Command(BaseCommand):
    help = "Recount a poll from its opened ballots; check trackers = voters recorded = ballots counted and the checksum."

    def add_arguments(self, parser):
        parser.add_argument("poll_id", type=int)

    def handle(self, *args, poll_id, **options):
        poll = SecretPoll.objects.filter(pk=poll_id).first()
        if poll is None:
            raise CommandError(f"No poll {poll_id}.")
        report = verify(poll, recount_for(poll))
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        if not report["ok"]:
            raise CommandError("Verification failed: " + ", ".join(failed(report)))
