"""Disposable servers for fault tests: a Redis and a PostgreSQL of the test's own, and the site under gunicorn.

A fault test stops and restarts these, never the machine's shared PostgreSQL and Redis. Everything listens on
127.0.0.1 only, on a free port, and is stopped when the test ends.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.bench import free_port
from tests.integration.util import wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
VAR = ROOT / "var"


SECRET_KEY = secrets.token_urlsafe(50)  # one per test run, shared by the processes of a test (sessions are signed)


def child_env(**extra) -> dict:
    """The environment of a production process: no pytest marker, a real secret key, plain HTTP on loopback."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST")}
    env.update({"DEBUG": "0", "SECRET_KEY": SECRET_KEY,
                "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
                "SECURE_HSTS_SECONDS": "0", "DJANGO_SETTINGS_MODULE": "congress.settings"})
    env.pop("REDIS_URL", None)
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="renda-redis-")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self.ping, timeout=20), "redis-server did not start"
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # as abrupt as a crash or a pulled cable
            self.proc.wait(10)
        assert wait_for(lambda: not self.ping(), timeout=10)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder), started with pg_ctl."""

    def __init__(self):
        bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        assert bindirs, "PostgreSQL server binaries not found under /usr/lib/postgresql"
        self.bin = bindirs[-1]
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="renda-pg-"))
        self.data = self.dir / "data"
        self.as_root = os.geteuid() == 0  # the server refuses to run as root: run it as the postgres user
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> PostgresServer:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60", "start", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60")
        return self

    def crash(self) -> None:
        """Stop as a crash does: no clean shutdown, in-flight transactions cut off; `start` then runs crash recovery."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def create_database(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as c:
            c.execute(f'CREATE DATABASE "{name}"')
        conn.close()

    def connect(self, name: str):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name)

    def close(self) -> None:
        try:
            self.crash()
        except subprocess.CalledProcessError:  # not running
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args: str, env: dict) -> str:
    out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


_static_root: Path | None = None


def static_root() -> Path:
    """collectstatic once per test session: production settings serve the hashed manifest through WhiteNoise."""
    global _static_root
    if _static_root is None:
        _static_root = Path(tempfile.mkdtemp(prefix="renda-static-"))
        manage("collectstatic", "--noinput", "-v0", env=child_env(STATIC_ROOT=str(_static_root)))
    return _static_root


class Site:
    """The site under gunicorn, with the production settings, on a free loopback port."""

    def __init__(self, *, database_url: str, redis_url: str | None = None, workers: int = 2, threads: int = 1):
        self.port = free_port()
        self.env = child_env(DATABASE_URL=database_url, REDIS_URL=redis_url, STATIC_ROOT=str(static_root()),
                             CONN_MAX_AGE="60")
        self.log = open(VAR / f"gunicorn-fault-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "congress.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--threads", str(threads), "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

        def up():
            try:
                return Browser(self).get("/healthz")[0] == 200
            except OSError:
                return False

        assert wait_for(up, timeout=60), "gunicorn did not start; see var/gunicorn-fault-*.log"

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Browser:
    """A person's browser, reduced to what the fault tests need: cookies, CSRF tokens and no redirects followed."""

    def __init__(self, site: Site):
        self.site = site
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data=None, timeout: float = 60):
        conn = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Referer": f"http://127.0.0.1:{self.site.port}{path}"})
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            for cookie in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, resp.getheader("Location") or "", text
        finally:
            conn.close()

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict, *, page: str | None = None):
        """POST a form the way a browser does: the CSRF token comes from the page the form is on (`page`, when the
        form posts elsewhere)."""
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf_token(page or path), **data})

    def csrf_token(self, path: str) -> str:
        status, _loc, text = self.get(path)
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        assert m, f"no form at {path} (status {status})"
        return m.group(1)

    def sign_in(self, username: str, password: str):
        token = self.csrf_token("/accounts/login/")
        return self.request("POST", "/accounts/login/",
                            {"csrfmiddlewaretoken": token, "username": username, "password": password})


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t


class Worker:
    """A real `celery worker` process (prefork) on the given database and broker."""

    def __init__(self, *, database_url: str, redis_url: str):
        from celery import Celery

        self.env = child_env(DATABASE_URL=database_url, REDIS_URL=redis_url)
        self.log = open(VAR / f"celery-fault-{secrets.token_hex(3)}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "congress", "worker", "--pool=prefork", "--concurrency=1",
             "--loglevel=INFO", "-n", f"fault-{secrets.token_hex(4)}@%h", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.control = Celery(broker=redis_url, set_as_current=False)  # not the app the test process sends with
        assert wait_for(lambda: self.proc.poll() is None and bool(self.control.control.ping(timeout=1.0)),
                        timeout=60), "celery worker did not answer"

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
