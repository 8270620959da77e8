"""The thin ballot endpoint `make bench` measures next to the real one (issue 11): session auth, CSRF, one
transaction inserting a participation row, a ballot row and 10 selection rows. Served only when the bench starts
gunicorn with BENCH_THIN_ENDPOINT=1; its tables are made by the bench."""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.views.decorators.http import require_POST

TABLES = """
CREATE TABLE IF NOT EXISTS bench_thin_participation (id bigserial PRIMARY KEY, user_id bigint NOT NULL);
CREATE TABLE IF NOT EXISTS bench_thin_ballot (id bigserial PRIMARY KEY, receipt text NOT NULL);
CREATE TABLE IF NOT EXISTS bench_thin_selection (id bigserial PRIMARY KEY, ballot_id bigint NOT NULL,
                                                 candidate_id bigint NOT NULL);
"""


@login_required
@require_POST
def thin_ballot(request):
    chosen = [int(c) for c in request.POST.getlist("approve")][:10]
    with transaction.atomic(), connection.cursor() as c:
        c.execute("INSERT INTO bench_thin_participation (user_id) VALUES (%s)", [request.user.pk])
        c.execute("INSERT INTO bench_thin_ballot (receipt) VALUES (md5(random()::text)) RETURNING id, receipt")
        ballot_id, receipt = c.fetchone()
        if chosen:
            c.execute("INSERT INTO bench_thin_selection (ballot_id, candidate_id) VALUES "
                      + ", ".join(["(%s, %s)"] * len(chosen)), [v for cid in chosen for v in (ballot_id, cid)])
    return HttpResponse(f'<p id="receipt">{receipt}</p>')
