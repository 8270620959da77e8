"""Property-based fuzzing of every form and public endpoint (see harness.py for what is checked per example)."""

import inspect
import os
from collections import Counter

import pytest
from django.core.cache import cache, caches
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.fuzz import strategies as s
from tests.fuzz.endpoints import ENDPOINTS, GET_ONLY, PAGES, REGISTRY, pools, url_name

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]
# FUZZ_SCALE=10 runs ten times as many examples (a longer hunt); FUZZ_STATS=1 prints the outcomes per endpoint (-s)
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def url_callbacks() -> dict:
    """url name -> view function, for every URL outside the admin."""
    found = {}

    def walk(resolver, ns=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                walk(p, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif p.name:
                found[f"{ns}{p.name}"] = p.callback

    walk(get_resolver())
    return {n: cb for n, cb in found.items() if not n.startswith("admin:")}


def test_every_url_has_a_strategy():
    callbacks = url_callbacks()
    fuzzed = {url_name(n) for n in REGISTRY}
    assert set(callbacks) - fuzzed - GET_ONLY == set(), "a new URL: give it a fuzz strategy in endpoints.py"
    assert (fuzzed | GET_ONLY) - set(callbacks) == set(), "a URL was removed: drop its entry"
    assert fuzzed & GET_ONLY == set()
    for name in GET_ONLY:  # a page listed as taking no submission must not read one
        source = inspect.getsource(inspect.unwrap(callbacks[name]))
        assert "POST" not in source, f"{name} reads a submission: give it a fuzz strategy"
    assert sum(ep.examples for ep in ENDPOINTS) >= 3000


@pytest.mark.parametrize("name", [ep.name for ep in ENDPOINTS])
def test_fuzz(name, world, clients):
    ep = REGISTRY[name]
    p = pools(world)
    client = clients[ep.role]
    submission = st.tuples(ep.url(p), ep.data(p) if ep.data else s.form({}), ep.files(p) if ep.files else st.just({}),
                           st.booleans())

    @settings(max_examples=int(ep.examples * SCALE), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                     HealthCheck.large_base_example])
    @given(submission)
    def run(args):
        url, data, files, urlencoded = args
        cache.clear()  # rate limits
        caches["ratelimit"].clear()
        client.cookies.pop("messages", None)  # each example reads only its own messages
        resp, outcome = harness.submit(client, url, data, files=files, urlencoded=urlencoded, watch=ep.watch)
        seen[outcome, resp.status_code] += 1

    seen = Counter()
    run()
    if os.environ.get("FUZZ_STATS"):
        print(f"\n{name}: " + ", ".join(f"{o} {c}: {n}" for (o, c), n in sorted(seen.items())))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_fuzz_query_string(page, world, clients):
    """Pages that take no submission still read a query string (filters, a year, a format, a term)."""
    p = pools(world)
    client = clients[page.role]
    plausible = st.sampled_from(["1", "2", "2026", str(p.h.body.pk), str(p.h.term.pk), str(p.a.term.pk),
                                 str(p.h.district.pk), str(p.a.district.pk), str(p.h.category.pk), "received",
                                 "candidate", "district", "xlsx", "csv", "on", "停车"])
    value = st.one_of(plausible, plausible, s.junk, st.lists(st.one_of(plausible, s.junk), min_size=2, max_size=3))
    params = st.fixed_dictionaries({}, optional={k: value for k in (*page.params, "page", "x")})

    @settings(max_examples=int(page.examples * SCALE), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(page.url(p), params)
    def run(url, query):
        harness.fetch(client, url, query, audited=page.audited)

    run()
