"""Sign-in, limits and headers (issue 10, sections 7 and 8): the client address behind a proxy, shared rate-limit
counters, lockout per account and address, the slow-down, the CSP with nonces and the other headers, session
lifetimes and the residents' tracking links."""

import datetime
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from axes.utils import reset
from django.core.cache import CacheHandler, caches
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from congress import clientip
from congress.layers import LAYERS
from congress.middleware import STAFF_SIGNED_IN_AT
from deputies import liaison
from deputies.models import OpinionCategory, ResidentOpinion
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "right-Password-1"


# --- 7. the client address ------------------------------------------------------------------------------------------

def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert clientip.client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert clientip.client_ip(_request("203.0.113.9", "198.51.100.1, 10.0.0.5")) == "203.0.113.9"


def test_forwarded_for_from_a_trusted_proxy_is_read_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    # the load balancer appended the client it saw; what the client wrote further left is ignored
    assert clientip.client_ip(_request("10.1.1.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # two trusted hops (CDN edge 192.0.2.10, then the balancer)
    assert clientip.client_ip(_request("10.1.1.1", "1.2.3.4, 198.51.100.7, 192.0.2.10")) == "198.51.100.7"
    # ports, brackets and IPv4-mapped IPv6 are normalised
    assert clientip.client_ip(_request("10.1.1.1", "198.51.100.7:5123")) == "198.51.100.7"
    assert clientip.client_ip(_request("10.1.1.1", "[2001:db8::1]:443")) == "2001:db8::1"
    assert clientip.client_ip(_request("::ffff:10.1.1.1", "::ffff:198.51.100.7")) == "198.51.100.7"
    # junk where a proxy would have written an address: stop at the last address a proxy vouched for
    assert clientip.client_ip(_request("10.1.1.1", "<script>, 198.51.100.7")) == "198.51.100.7"
    assert clientip.client_ip(_request("10.1.1.1", "not-an-ip")) == "10.1.1.1"
    # no header, or only trusted hops: the left-most proxy
    assert clientip.client_ip(_request("10.1.1.1")) == "10.1.1.1"
    assert clientip.client_ip(_request("10.1.1.1", "10.2.2.2")) == "10.2.2.2"
    # a peer without an address (a Unix socket) still has a key
    assert clientip.client_ip(_request("")) == clientip.UNKNOWN


def test_a_bad_trusted_proxies_setting_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION",)}
    env.update({"DEBUG": "1", "TRUSTED_PROXIES": "10.0.0.0/8,load-balancer"})
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr and "load-balancer" in result.stderr


def _target(username="d000123"):
    user = factories.staff(factories.district(), username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password, remote, forwarded=None, username="d000123"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_SLOWDOWN_AFTER = 0
    reset()
    yield settings
    reset()


def test_lockout_ignores_a_forged_forwarded_for_from_an_untrusted_peer(client, axes_on):
    axes_on.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _target()
    # the attacker rotates a forged header: it does not give them fresh addresses
    for i in range(3):
        _login(client, "wrong", "203.0.113.9", forwarded=f"198.51.100.{i}")
    assert _login(client, PASSWORD, "203.0.113.9", forwarded="198.51.100.77").status_code == 429


def test_lockout_behind_the_load_balancer_is_per_client(client, axes_on):
    """Everyone arrives from the balancer's address: its X-Forwarded-For tells them apart."""
    axes_on.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _target()
    for _ in range(3):
        _login(client, "wrong", "10.0.0.2", forwarded="1.1.1.1, 203.0.113.9")
    assert _login(client, PASSWORD, "10.0.0.2", forwarded="203.0.113.9").status_code == 429
    # the deputy, through the same balancer, is not locked out
    assert _login(client, PASSWORD, "10.0.0.2", forwarded="198.51.100.20").status_code == 302


def test_an_attacker_cannot_lock_a_deputy_out_before_a_vote(client, axes_on):
    """Failures from address A lock A out of the account; the deputy from address B still signs in."""
    user = _target()
    for _ in range(10):
        _login(client, "wrong", "198.51.100.1")
    assert _login(client, PASSWORD, "198.51.100.1").status_code == 429
    resp = _login(client, PASSWORD, "198.51.100.2")
    assert resp.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_an_account_under_attack_is_slowed_down_not_barred(client, axes_on, monkeypatch):
    from congress import signin

    axes_on.LOGIN_SLOWDOWN_AFTER = 4
    axes_on.LOGIN_SLOWDOWN_STEP = 0.5
    axes_on.LOGIN_SLOWDOWN_MAX = 2.0
    slept = []
    monkeypatch.setattr(signin.time, "sleep", slept.append)
    _target()
    _target("d000124")
    # failures from many addresses, each below the lockout
    for i in range(3):
        _login(client, "wrong", f"198.51.100.{i + 1}")
    assert slept == []
    for i in range(3):
        _login(client, "wrong", f"198.51.100.{i + 10}")
    assert slept == [0.5, 1.0]  # the 5th and 6th failures waited, growing
    # the holder still gets in, after a bounded wait, and is told why it was slow
    resp = _login(client, PASSWORD, "192.0.2.50")
    assert resp.status_code == 302 and slept[-1] == 1.5
    client.logout()
    for i in range(6):
        _login(client, "wrong", f"198.51.100.{i + 20}")
    assert max(slept) == 2.0  # bounded
    resp = _login(client, "wrong-again", "192.0.2.60")
    assert resp.status_code == 422 and 'id="slowed-down"' in resp.content.decode()
    # the admin's sign-in page is slowed down as well
    before = len(slept)
    client.post("/admin/login/", {"username": "d000123", "password": "wrong"}, REMOTE_ADDR="192.0.2.70")
    assert len(slept) == before + 1 and slept[-1] == 2.0
    # a locked-out address is refused at once, without waiting (holding no worker)
    for _ in range(3):
        _login(client, "wrong", "192.0.2.80")
    before = len(slept)
    assert _login(client, PASSWORD, "192.0.2.80").status_code == 429
    assert len(slept) == before
    # another account is not slowed
    before = len(slept)
    assert _login(client, PASSWORD, "192.0.2.50", username="d000124").status_code == 302
    assert len(slept) == before


# --- 7. rate-limit counters shared across processes --------------------------------------------------------------

def test_rate_limit_counters_live_in_the_database_without_redis(settings):
    assert settings.RATELIMIT_USE_CACHE == "ratelimit"
    assert settings.CACHES["ratelimit"]["BACKEND"] == "congress.cache.SharedCounterCache"
    assert "congress_ratelimit_cache" in connection.introspection.table_names()  # made by the migration


def test_rate_limit_counter_is_seen_by_another_cache_instance():
    """Two cache instances (as two gunicorn workers have) see one counter; an increment keeps the window's expiry."""
    one, two = CacheHandler()["ratelimit"], CacheHandler()["ratelimit"]
    assert one is not two
    assert one.add("rl:key", 0, 3600)
    assert one.incr("rl:key") == 1
    assert two.incr("rl:key") == 2
    assert one.get("rl:key") == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM congress_ratelimit_cache")
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):
        expires = datetime.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = expires.replace(tzinfo=datetime.UTC)
    # Django's DatabaseCache.incr would have reset it to the default five minutes
    assert (expires - timezone.now()).total_seconds() > 3000
    with pytest.raises(ValueError):
        two.incr("rl:absent")


def test_rate_limit_counter_is_shared_and_exact_across_processes(tmp_path):
    """Four processes increment one counter at once, on one SQLite file: none of the 200 increments is lost."""
    db = tmp_path / "shared.sqlite3"
    script = textwrap.dedent(f"""
        import multiprocessing, sys
        import django
        from django.conf import settings
        settings.configure(
            USE_TZ=True, INSTALLED_APPS=[],
            DATABASES={{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {str(db)!r},
                        "OPTIONS": {{"transaction_mode": "IMMEDIATE", "timeout": 30}}}}}},
            CACHES={{"default": {{"BACKEND": "congress.cache.SharedCounterCache",
                                   "LOCATION": "congress_ratelimit_cache"}}}})
        django.setup()

        def work(n):
            from django.core.cache import cache
            for _ in range(n):
                cache.add("k", 0, 3600)
                cache.incr("k")

        if __name__ == "__main__":
            from django.core.management import call_command
            from django.core.cache import cache
            call_command("createcachetable", verbosity=0)
            procs = [multiprocessing.Process(target=work, args=(50,)) for _ in range(4)]
            [p.start() for p in procs]
            [p.join() for p in procs]
            assert all(p.exitcode == 0 for p in procs)
            print(cache.get("k"))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200"


def test_public_form_rate_limit_is_per_client_behind_the_proxy(client, settings):
    from projects.models import Project

    settings.PUBLIC_FORM_RATE = "2/h"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    caches["ratelimit"].clear()
    from projects.models import Category

    body = factories.BodyFactory()
    data = {"body": str(body.pk), "title": "增设停车位", "category": str(Category.objects.first().pk),
            "description": "小区停车难，希望增设停车位。", "proposer_name": "张女士", "proposer_contact": "13900000000",
            "consent": "on", "website": ""}

    def post(remote, forwarded, n):
        return client.post("/propose/", {**data, "title": f"增设停车位{n}"}, REMOTE_ADDR=remote,
                           HTTP_X_FORWARDED_FOR=forwarded)

    # a forged header from an untrusted peer does not buy fresh counters
    assert post("203.0.113.9", "1.1.1.1", 1).status_code == 302
    assert post("203.0.113.9", "1.1.1.2", 2).status_code == 302
    assert post("203.0.113.9", "1.1.1.3", 3).status_code == 429
    # behind the balancer, each client has its own
    assert post("10.0.0.2", "198.51.100.1", 4).status_code == 302
    assert post("10.0.0.2", "198.51.100.1", 5).status_code == 302
    assert post("10.0.0.2", "198.51.100.1", 6).status_code == 429
    assert post("10.0.0.2", "198.51.100.2", 7).status_code == 302
    assert Project.objects.count() == 5


# --- 8. X-Forwarded-Proto only from the proxy ------------------------------------------------------------------

def test_forwarded_proto_counts_only_from_a_trusted_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    forged = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301 and forged["Location"].startswith("https://")
    proxied = client.get("/healthz", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    settings.TRUSTED_PROXIES = []
    assert client.get("/healthz", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https").status_code == 301


# --- 8. CSP, Permissions-Policy, Cache-Control ---------------------------------------------------------------

SCRIPT = re.compile(r"<script\b[^>]*>", re.I)
STYLE = re.compile(r"<style\b[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def _nonce(resp):
    policy = resp["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    found = re.search(r"'nonce-([A-Za-z0-9+/=]+)'", directives["script-src"])
    return found.group(1) if found else None


def _assert_page_obeys_the_policy(resp):
    assert resp.status_code == 200, resp.status_code
    html = resp.content.decode()
    nonce = _nonce(resp)
    tags = SCRIPT.findall(html) + STYLE.findall(html)
    assert tags, "no script on the page?"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    assert not HANDLER.search(html), HANDLER.search(html).group(0)
    assert not STYLE_ATTR.search(html), STYLE_ATTR.search(html).group(0)


@pytest.fixture
def pages(client):
    from deputies.services import deputy_account_create
    from tests.projects.conftest import Election

    e = Election(deputies=2, candidates=3).open()
    deputy, _ = deputy_account_create(person=e.people[0], username="d000123", password=PASSWORD)
    staff = factories.staff(e.body.division)
    project = e.projects[0]
    return {"election": e, "deputy": deputy, "staff": staff, "project": project}


def test_key_pages_carry_the_nonce_and_no_inline_code(client, pages):
    e = pages["election"]
    for url in ("/", "/accounts/login/", "/opinions/new/", "/propose/"):
        _assert_page_obeys_the_policy(client.get(url))
    client.force_login(pages["deputy"])
    _assert_page_obeys_the_policy(client.get(f"/ballots/{e.ballot.pk}/vote/"))
    _assert_page_obeys_the_policy(client.get("/me/"))
    client.force_login(pages["staff"])
    for url in (f"/staff/bodies/{e.body.pk}/", f"/staff/projects/{pages['project'].pk}/", "/staff/dashboard/",
                f"/staff/ballots/{e.ballot.pk}/"):
        _assert_page_obeys_the_policy(client.get(url))
    # the admin's own <style> carries it too
    admin = client.get("/admin/")
    nonce = _nonce(admin)
    assert f'<style nonce="{nonce}">' in admin.content.decode()


def test_the_nonce_is_new_for_every_response(client):
    one, two = client.get("/accounts/login/"), client.get("/accounts/login/")
    assert _nonce(one) and _nonce(two) and _nonce(one) != _nonce(two)
    policy = one["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_the_vote_counter_script_runs_under_the_nonce(client, pages):
    e = pages["election"]
    client.force_login(pages["deputy"])
    resp = client.get(f"/ballots/{e.ballot.pk}/vote/")
    nonce = _nonce(resp)
    assert f'<script nonce="{nonce}">' in resp.content.decode() and "chosen-count" in resp.content.decode()


def test_permissions_policy_on_every_response(client, pages):
    for resp in (client.get("/"), client.get("/accounts/login/"), client.get("/no-such-page/"), client.get("/healthz")):
        policy = resp["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy


def test_staff_pages_and_exports_are_not_cached(client, pages):
    e = pages["election"]
    assert "no-store" not in client.get("/opinions/new/").get("Cache-Control", "")  # public pages may be cached
    client.force_login(pages["staff"])
    for url in (f"/staff/bodies/{e.body.pk}/", "/admin/", "/staff/dashboard/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    export = client.get(f"/staff/bodies/{e.body.pk}/composition.csv")
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert "no-store" in export["Cache-Control"]
    # a deputy's own download, outside /staff/, too
    client.force_login(pages["deputy"])
    record = client.get("/me/record/?format=xlsx")
    assert record.status_code == 200 and "attachment" in record["Content-Disposition"]
    assert "no-store" in record["Cache-Control"]


# --- 8. session lifetimes --------------------------------------------------------------------------------------

def test_staff_sessions_end_after_a_working_day(client, pages, settings):
    settings.STAFF_SESSION_HOURS = 10
    client.force_login(pages["staff"])
    assert client.get("/staff/dashboard/").status_code == 200
    assert 9.9 * 3600 < client.session.get_expiry_age() <= 10 * 3600
    session = client.session
    session[STAFF_SIGNED_IN_AT] = int(time.time()) - 10 * 3600 - 60
    session.save()
    resp = client.get("/staff/dashboard/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/?next=/staff/dashboard/")
    assert "_auth_user_id" not in client.session
    page = client.get(resp["Location"]).content.decode()
    assert "工作日" in page or "working day" in page


def test_deputies_keep_the_default_session(client, pages, settings):
    client.force_login(pages["deputy"])
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    session = client.session
    session[STAFF_SIGNED_IN_AT] = int(time.time()) - 30 * 3600
    session.save()
    assert client.get("/me/").status_code == 200


def test_sessions_can_end_when_the_browser_closes(client, pages, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    resp = _login(client, PASSWORD, "192.0.2.1")
    assert resp.status_code == 302
    cookie = resp.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]
    client.logout()
    # a staff member's too; the working-day limit still holds on the server
    resp = _login(client, "x-Secret-123", "192.0.2.1", username=pages["staff"].username)
    assert resp.status_code == 302 and not resp.cookies[settings.SESSION_COOKIE_NAME]["max-age"]
    assert isinstance(client.session.get(STAFF_SIGNED_IN_AT), int)
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    client.logout()
    resp = _login(client, PASSWORD, "192.0.2.1")
    assert resp.cookies[settings.SESSION_COOKIE_NAME]["max-age"]


@pytest.mark.parametrize("value,expected", [("1", "True"), ("", "False")])
def test_session_expire_at_browser_close_comes_from_the_environment(value, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "SESSION_EXPIRE_AT_BROWSER_CLOSE")}
    env["DEBUG"] = "1"
    if value:
        env["SESSION_EXPIRE_AT_BROWSER_CLOSE"] = value
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                             "from django.conf import settings; print(settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


# --- 8. residents' tracking links ------------------------------------------------------------------------------

def test_tracking_link_expires_after_the_closed_opinion_is_rated(client, settings):
    settings.OPINION_LINK_DAYS_AFTER_RATING = 30
    sub = factories.subdistrict()
    op = liaison.opinion_receive(division=factories.community(parent=sub),
                                          category=OpinionCategory.objects.first(), text="路灯不亮", channel="reception")
    token = liaison.rating_token(op)
    liaison.opinion_transition(opinion=op, to="not_adopted", reason="不属于街道职责", reply="已转区级部门")
    assert client.get(f"/opinions/track/{token}/").status_code == 200  # closed, not yet rated: the link works
    assert client.post(f"/opinions/track/{token}/", {"rating": 4}).status_code == 302
    op.refresh_from_db()
    assert op.rated_at is not None
    assert client.get(f"/opinions/track/{token}/").status_code == 200  # within 30 days of the rating
    ResidentOpinion.objects.filter(pk=op.pk).update(rated_at=timezone.now() - datetime.timedelta(days=31))
    gone = client.get(f"/opinions/track/{token}/")
    assert gone.status_code == 410 and 'id="link-expired"' in gone.content.decode()
    assert "已转区级部门" not in gone.content.decode()  # the reply is no longer shown
    assert client.post(f"/opinions/track/{token}/", {"rating": 1}).status_code == 410
    client.cookies["django_language"] = "en"
    assert "tracking link has expired" in client.get(f"/opinions/track/{token}/").content.decode()


def test_no_template_has_inline_code_the_policy_would_block():
    """Every template of the project (not only the pages rendered above): each <script> and <style> carries the
    response's nonce, and no inline event handler or style attribute is left. Templates under a print/ folder that
    only WeasyPrint renders to PDF may keep style attributes (no browser, no CSP)."""
    nonce = 'nonce="{{ request.csp_nonce }}"'
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in LAYERS)]
    offences = []
    for folder in folders:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            name = path.relative_to(ROOT)
            offences += [f"{name}: {tag}" for tag in SCRIPT.findall(text) + STYLE.findall(text) if nonce not in tag]
            offences += [f"{name}: {m.group(0)[:60]}" for m in HANDLER.finditer(text)]
            pdf_only = "print" in path.parts and path.name != "base.html"
            if not pdf_only:
                offences += [f"{name}: {m.group(0)[:60]}" for m in STYLE_ATTR.finditer(text)]
    assert not offences, "\n".join(offences)
