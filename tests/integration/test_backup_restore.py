"""A pg_dump of the database restored into a fresh one gives the same tallies and reports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from meetings import reports
from projects import services
from projects.models import Ballot
from tests.factories import CLOSE_REASON
from tests.meetings.test_reports import build_meeting
from tests.projects.conftest import Election

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent.parent


def test_dump_and_restore_reproduce_tallies_and_reports(tmp_path):
    e = Election(deputies=6, candidates=4, seats=2, max_choices=2).open()
    for i, p in enumerate(e.people):
        e.approve(p, i % 4, (i + 2) % 4)
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    result = services.ballot_tally(ballot_id=e.ballot.pk)
    h, _ballot = build_meeting(deputies=6, candidates=3, surveys=1)
    report_checksum = reports.checksum(reports.render_meeting_report(reports.meeting_report(h.meeting.pk)))

    s = connection.settings_dict
    env = {**os.environ, "PGHOST": s["HOST"] or "127.0.0.1", "PGPORT": str(s["PORT"] or 5432),
           "PGUSER": s["USER"] or "postgres"}
    dump = tmp_path / "renda.dump"
    restored = f"{s['NAME']}_restored"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), s["NAME"]], check=True, env=env)
    subprocess.run(["dropdb", "--if-exists", restored], check=True, env=env)
    subprocess.run(["createdb", restored], check=True, env=env)
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", restored, str(dump)], check=True, env=env)
        code = (
            "from projects import services; from meetings import reports;"
            f"r = services.ballot_tally(ballot_id={e.ballot.pk});"
            f"print(r.checksum);"
            f"print(reports.checksum(reports.render_meeting_report(reports.meeting_report({h.meeting.pk}))))"
        )
        run_env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
        run_env.update({"DATABASE_URL": f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{restored}",
                        "DEBUG": "1", "REDIS_URL": ""})
        out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=run_env,
                             capture_output=True, text=True, check=True).stdout.split()
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], check=True, env=env)
    assert out[-2] == result.checksum == Ballot.objects.get(pk=e.ballot.pk).result.checksum
    assert out[-1] == report_checksum
