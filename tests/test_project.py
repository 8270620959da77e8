"""Settings, set-up commands and the translations: the product's foundation."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra=None, drop=("DEBUG", "SECRET_KEY", "PYTEST_VERSION", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "SECRET_KEY" in last and "export" in last


def test_production_refuses_a_weak_secret_key():
    result = run_manage("check", env_extra={"SECRET_KEY": "short"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    key = "k" * 20 + "Zq8#pL2!vR9@xT4$wY7%nB1^mC6&dF3*hJ5(" + "s" * 10
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env_extra={"SECRET_KEY": key, "ALLOWED_HOSTS": "renda.example.org"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_tasks_run_eagerly_without_redis(settings):
    from congress.celery import app

    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.REDIS_URL)
    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True


@pytest.mark.django_db
def test_staff_pages_say_when_tasks_run_eagerly(client, settings):
    from tests import factories

    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(factories.staff(factories.district()))
    assert 'id="eager-banner"' in client.get("/staff/bodies/").content.decode()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert 'id="eager-banner"' not in client.get("/staff/bodies/").content.decode()


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    from congress.models import CongressBody, Division, Term, User
    from deputies.models import Mandate, Person

    def counts():
        return [m.objects.count() for m in (Division, CongressBody, Term, User, Person, Mandate)]

    call_command("seed_demo")
    first = counts()
    out = capsys.readouterr().out
    assert "deputy" in out and "renda2026" in out
    assert Person.objects.count() >= 300
    assert Mandate.objects.filter(role="fixed_attendee").exists()
    # the demo's open ballot can be opened by the demo scrutineers with the cards printed above
    import re

    from projects import services as ps
    from projects.models import Ballot
    from tests.factories import CLOSE_REASON

    printed = re.findall(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){13}", out)
    assert len(printed) == 6
    ballot = Ballot.objects.get(poll__state="open")
    ps.ballot_close(ballot=ballot, reason=CLOSE_REASON)
    assert ps.ballot_unseal(ballot=ballot, shares=printed[1:3]) == 0
    call_command("seed_demo")
    assert counts() == first
    # every deliberation deputy the demo seats satisfies the rules it enforces
    for body in CongressBody.objects.filter(kind="deliberation"):
        n = Mandate.objects.filter(term__body=body, role="deliberation_deputy").count()
        assert 30 <= n <= 80


def test_zh_hans_catalogue_is_complete_and_compiled():
    po = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists()
    result = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    stats = result.stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def _msgids(text: str) -> set[str]:
    """The catalogue's msgids, each with its context ("context\x04msgid", as gettext keys them): a string given a
    context of its own is missing until that context is in the catalogue too."""
    ids, current, inside, context = set(), [], False, ""
    for line in text.splitlines():
        if line.startswith("msgctxt "):
            context = line[9:-1]
        elif line.startswith("msgid "):
            current, inside = [line[7:-1]], True
        elif inside and line.startswith('"'):
            current.append(line[1:-1])
        else:
            if inside and "".join(current):
                ids.add(f"{context}\x04{''.join(current)}" if context else "".join(current))
            inside, context = False, "" if inside else context
    return ids


def test_every_translatable_string_is_in_the_catalogue():
    """makemessages finds nothing that the committed catalogue lacks."""
    po = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    before = po.read_text()
    try:
        result = run_manage("makemessages", "-l", "zh_Hans", "--ignore=.venv/*", "--ignore=var/*",
                            "--ignore=tests/*", env_extra={"DEBUG": "1"})
        assert result.returncode == 0, result.stderr
        after = po.read_text()
    finally:
        po.write_text(before)
    missing = _msgids(after) - _msgids(before)
    assert not missing, f"strings missing from the catalogue: {sorted(missing)[:20]}"


@pytest.mark.django_db
@pytest.mark.parametrize("lang,needle", [("zh-hans", "人大"), ("en", "People's Congress Work Platform")])
def test_pages_in_both_languages_with_a_switcher(client, lang, needle):
    client.cookies["django_language"] = lang
    html = client.get("/accounts/login/").content.decode()
    assert needle in html
    assert 'id="language-switcher"' in html and 'value="en"' in html and 'value="zh-hans"' in html


@pytest.mark.django_db
def test_default_language_is_simplified_chinese(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html


def test_source_tooling_runs_without_a_secret_key_but_nothing_that_serves():
    assert run_manage("makemigrations", "--check", "--dry-run").returncode == 0
    for command in (["migrate", "--plan"], ["check"], ["seed_demo"]):
        result = run_manage(*command)
        assert result.returncode != 0 and "SECRET_KEY" in result.stderr, command


def test_security_audit_fails_on_a_known_vulnerability_and_never_calls_a_skip_clean():
    from tests.audit import judge

    clean = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
    assert judge(clean) == (0, ["pip-audit: 1 packages audited, 0 with known vulnerabilities"])
    bad = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": [
        {"id": "PYSEC-0000-1", "fix_versions": ["5.2.20"]}]}], "fixes": []}
    rc, lines = judge(bad)
    assert rc == 1 and "VULNERABLE django 5.2.19: PYSEC-0000-1 (fixed in 5.2.20)" in lines
    unreachable = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}], "fixes": []}
    rc, lines = judge(unreachable)
    assert lines[-1].startswith("NOT AUDITED")
