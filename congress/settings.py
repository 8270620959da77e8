"""Settings for the people's-congress administration site.

Everything that differs between a laptop and a deployment comes from the
environment (12-factor): DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS. With none of them set the site runs on SQLite under var/ and
Celery runs tasks eagerly in the web process.
"""

import ipaddress
import os
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from congress.layers import LAYERS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# pytest >= 8.2 exports PYTEST_VERSION before it imports anything.
TESTING = "PYTEST_VERSION" in os.environ
# Source tooling that never serves a request nor signs anything (migrations, translation catalogues) may run
# without a secret key; everything that starts the site, a worker or touches data still refuses.
TOOLING = len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" and sys.argv[1] in {
    "makemigrations", "makemessages", "compilemessages"}

DEBUG = env.bool("DEBUG", default=False)

_INSECURE_KEY = "insecure-development-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING or TOOLING:
        SECRET_KEY = _INSECURE_KEY
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: export SECRET_KEY to a random string of 50+ characters "
            "(or DEBUG=1 for local development)."
        )
elif not (DEBUG or TESTING) and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: set it to a random string of 50+ characters."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    *LAYERS,  # the domain, lowest layer first
]

MIDDLEWARE = [
    "congress.middleware.TrustedProxyMiddleware",  # first: X-Forwarded-* count only from TRUSTED_PROXIES
    "congress.middleware.SecurityHeadersMiddleware",  # Permissions-Policy, no-store: on every response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "congress.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, its header built once per process
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "congress.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congress.urls"
WSGI_APPLICATION = "congress.wsgi.application"
ASGI_APPLICATION = "congress.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congress.context_processors.site",
                "deputies.context_processors.units",
                "csp.context_processors.nonce",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'congress.sqlite3'}")}
# Not one transaction per request (this carries weight): each service is its own transaction, and the views rely
# on it. A task queued by a service is sent when that transaction commits, inside the view, so that a queue that is
# down is said on the page ("saved, but ... could not be queued") rather than raised after the answer; and a refused
# action rolls back only itself, before its page is shown again. congress.queue.require_own_transactions refuses
# ATOMIC_REQUESTS on, both where a task is queued and in congress.responses.act, which runs every view's action
# (tests/congress/test_queue.py, tests/congress/test_responses.py).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A reused connection is checked before a request's first query, by its socket (congress/db/base.py: no round
    # trip); TCP keepalives find a server that vanished without a word within about a minute.
    DATABASES["default"]["ENGINE"] = "congress.db"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", 5)
    for option, value in {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}.items():
        options.setdefault(option, value)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a write is in flight.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "congress.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "congress.signin.SlowDownBackend",  # after the lockout, before the password check
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes. Deputies' logins are predictable (d000123): a lock on the account alone would let anyone lock a
# deputy out before a vote, and behind a load balancer a lock on the address alone would lock out everyone. So the
# lock is on the account and the address together; the client address is congress.clientip's (TRUSTED_PROXIES).
# An account under attack from many addresses is slowed down, not barred (congress.signin).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "congress.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Failures for one account from all addresses within the cool-off after which every further attempt for it waits
# (LOGIN_SLOWDOWN_STEP seconds per failure beyond the threshold, at most LOGIN_SLOWDOWN_MAX).
LOGIN_SLOWDOWN_AFTER = env.int("LOGIN_SLOWDOWN_AFTER", default=10)
LOGIN_SLOWDOWN_STEP = env.float("LOGIN_SLOWDOWN_STEP", default=0.25)
LOGIN_SLOWDOWN_MAX = env.float("LOGIN_SLOWDOWN_MAX", default=3.0)

# Sessions. Staff sessions end a working day after sign-in (congress.middleware.StaffSessionMiddleware); deputies
# keep Django's default of two weeks. On shared devices (a terminal in the meeting hall) end every session when the
# browser closes.
STAFF_SESSION_HOURS = env.float("STAFF_SESSION_HOURS", default=10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# How long a vote page's cast pass lets its ballot in without loading the session (congress/castpass.py; the cast
# statement still checks the session row). After that, or with 0, a cast takes the ordinary path: same result.
CAST_PASS_SECONDS = env.int("CAST_PASS_SECONDS", default=4 * 3600)
# The cast statement is prepared once per database connection (congress/polls.py). Set to 0 behind a pooler in
# transaction mode (pgbouncer pool_mode=transaction), which does not keep prepared statements.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"  # no URL serves it: files go out through views that check permission (congress/files.py)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Who sends a file's bytes once a view has allowed it: "" Django itself, "nginx" (X-Accel-Redirect to an
# `internal` location at FILES_ACCEL_PREFIX that aliases MEDIA_ROOT) or "apache" (mod_xsendfile). See README.
FILES_SENDFILE = env.str("FILES_SENDFILE", default="")
if FILES_SENDFILE not in ("", "nginx", "apache"):
    raise ImproperlyConfigured("FILES_SENDFILE must be empty, 'nginx' or 'apache'.")
FILES_ACCEL_PREFIX = env.str("FILES_ACCEL_PREFIX", default="/protected/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="renda@localhost")

# --- Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A staff action that needs the queue must fail fast, not hang, when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE: dict = {
    "close-mandates-of-ended-terms": {"task": "deputies.tasks.close_mandates_of_ended_terms", "schedule": 3600 * 6},
    "close-due-ballots": {"task": "projects.tasks.close_due_ballots", "schedule": 60},
    "close-due-surveys": {"task": "meetings.tasks.close_due_surveys", "schedule": 60},
    "flag-overdue-milestones": {"task": "projects.tasks.flag_overdue_milestones", "schedule": 3600},
    # five-colour supervision: daily, at 06:00 (recolouring again the same day changes nothing)
    "recolour-projects": {"task": "projects.tasks.recolour_projects", "schedule": crontab(hour=6, minute=0)},
    "flag-overdue-deliberation-opinions": {"task": "meetings.tasks.flag_overdue_deliberation_opinions",
                                           "schedule": 3600},
    "flag-overdue-resident-opinions": {"task": "deputies.tasks.flag_overdue_resident_opinions", "schedule": 3600},
    "flag-overdue-suggestions": {"task": "deputies.tasks.flag_overdue_suggestions", "schedule": 3600},
    "meeting-reminders": {"task": "meetings.tasks.send_meeting_reminders", "schedule": 3600},
}

# Redis down must not stop anyone: see congress/cache.py. Short socket timeouts so that an unreachable host
# (not only a refused connection) costs about a second, then the cache is skipped for a few seconds.
_REDIS_CACHE = {"BACKEND": "congress.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
CACHES = {
    "default": (
        _REDIS_CACHE if REDIS_URL and not TESTING else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # The public forms' rate-limit counters must be shared by every web process: in Redis when there is one, else
    # in a database table (per-process memory let 18 submissions through a limit of 10 with 4 gunicorn workers).
    "ratelimit": (
        _REDIS_CACHE if REDIS_URL and not TESTING else
        {"BACKEND": "congress.cache.SharedCounterCache", "LOCATION": "congress_ratelimit_cache",
         "OPTIONS": {"MAX_ENTRIES": 100_000}}
    ),
}

# --- Production hardening ---------------------------------------------------
# Off in DEBUG and under the test runner (the live test server speaks plain HTTP);
# each can be forced with its own variable.
_SECURE = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_SECURE)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_SECURE)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_SECURE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_HSTS_PRELOAD = _SECURE
# The load balancer or reverse proxy in front of the site: IPs or networks, comma-separated. Only requests that
# come from one of them have their X-Forwarded-For (the client address) and X-Forwarded-Proto (HTTPS) believed;
# from anyone else congress.middleware.TrustedProxyMiddleware drops those headers.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# django-csp 4: scripts and <style> elements only from this site or carrying the response's nonce
# (nonce="{{ request.csp_nonce }}"); no inline event handlers, no style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}
PERMISSIONS_POLICY = ("accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), midi=(), payment=(), usb=()")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Public forms (residents' proposals and opinions) are rate-limited per address.
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "congress.clientip.client_ip"
# While the cache (Redis) is down the counters cannot be kept: take residents' submissions rather than refuse them.
RATELIMIT_FAIL_OPEN = True
PUBLIC_FORM_RATE = env.str("PUBLIC_FORM_RATE", default="10/h")
CSRF_FAILURE_VIEW = "congress.views.csrf_failure"

# A satisfaction survey's report calls its figures (and its comparison with the last survey) not meaningful below
# this many scored responses, and below this share of its electors (the voting members present when it opened).
SURVEY_MIN_RESPONSES = env.int("SURVEY_MIN_RESPONSES", default=5)
SURVEY_MIN_RESPONSE_PERCENT = env.int("SURVEY_MIN_RESPONSE_PERCENT", default=30)
# A resident's tracking link answers 410 Gone this many days after the closed opinion was rated.
OPINION_LINK_DAYS_AFTER_RATING = env.int("OPINION_LINK_DAYS_AFTER_RATING", default=30)
