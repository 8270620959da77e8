"""`python -m tests.bench_profile`: where a cast ballot's time goes, in one process (no gunicorn, no network).

Builds the bench's election on PostgreSQL (DATABASE_URL, default renda_bench_profile: dropped and made again), casts
through Django's full middleware stack with the test client, and prints the CPU milliseconds per request of the thin
endpoint and of the real cast, then pyinstrument's tree of the real casts (pyinstrument is in requirements-dev.txt).
BENCH_VOTERS sets the number of deputies (default 400).
"""

from __future__ import annotations

import os
import random
import re
import secrets
import time

from tests import bench

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/renda_bench_profile"


def main():
    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    bench.ensure_database(url)
    os.environ.pop("REDIS_URL", None)
    bench.setup_django({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0",
                        "DJANGO_SETTINGS_MODULE": "congress.settings", "SECURE_SSL_REDIRECT": "0",
                        "ALLOWED_HOSTS": "testserver", "AXES_ENABLED": "0", "BENCH_THIN_ENDPOINT": "1"})
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from tests.bench_thin import TABLES

    n = int(os.environ.get("BENCH_VOTERS", "400"))
    ballot, people = bench.make_election(n)
    with connection.cursor() as c:
        c.execute(TABLES)
    candidates = list(ballot.candidates.values_list("pk", flat=True))
    path = f"/ballots/{ballot.pk}/vote/"
    deputies = []
    for key in bench.sessions_for(people):
        client = Client(enforce_csrf_checks=True)
        client.cookies["sessionid"] = key
        page = client.get(path).content
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        cast_pass = re.search(rb'name="cast_pass" value="([^"]+)"', page).group(1)
        deputies.append((client, token.decode(), cast_pass.decode()))

    def post(target, client, token, cast_pass):
        resp = client.post(target, {"csrfmiddlewaretoken": token, "cast_pass": cast_pass,
                                    "approve": random.sample(candidates, 10)})
        assert resp.status_code == 200, resp.status_code

    def cpu_ms(target, items):
        start = time.process_time()
        for item in items:
            post(target, *item)
        return round(1000 * (time.process_time() - start) / len(items), 2)

    half = n // 2
    post(path, *deputies[0])  # the process keeps the open ballot from its first cast on
    print(f"cpu ms per request in one process: thin {cpu_ms('/bench/thin/', deputies[1:half])}, "
          f"real cast {cpu_ms(path, deputies[1:half])}")
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for item in deputies[half:]:
        post(path, *item)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
