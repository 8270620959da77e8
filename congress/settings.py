"""Settings for the people's-congress administration site.

Everything that differs between a laptop and a deployment comes from the
environment (12-factor): DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS. With none of them set the site runs on SQLite under var/ and
Celery runs tasks eagerly in the web process.
"""

import os
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

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
    # the domain, lowest layer first
    "congress",
    "deputies",
    "projects",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "congress.middleware.ContentSecurityPolicyMiddleware",
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
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'congress.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a write is in flight.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "congress.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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

# django-axes: lock an account, and separately an address, after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

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
    "flag-overdue-milestones": {"task": "projects.tasks.flag_overdue_milestones", "schedule": 3600},
    "flag-overdue-opinions": {"task": "meetings.tasks.flag_overdue_opinions", "schedule": 3600},
    "flag-overdue-resident-opinions": {"task": "deputies.tasks.flag_overdue_opinions", "schedule": 3600},
    "flag-overdue-suggestions": {"task": "deputies.tasks.flag_overdue_suggestions", "schedule": 3600},
    "meeting-reminders": {"task": "meetings.tasks.send_meeting_reminders", "schedule": 3600},
}

# Redis down must not stop anyone: see congress/cache.py. Short socket timeouts so that an unreachable host
# (not only a refused connection) costs about a second, then the cache is skipped for a few seconds.
CACHES = {
    "default": (
        {"BACKEND": "congress.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
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
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages use a few small inline scripts and styles (the ballot counter, print buttons, admin branding).
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Public forms (residents' proposals and opinions) are rate-limited per address.
RATELIMIT_USE_CACHE = "default"
# While the cache (Redis) is down the counters cannot be kept: take residents' submissions rather than refuse them.
RATELIMIT_FAIL_OPEN = True
PUBLIC_FORM_RATE = env.str("PUBLIC_FORM_RATE", default="10/h")
CSRF_FAILURE_VIEW = "congress.views.csrf_failure"
SUGGESTION_DUE_DAYS = env.int("SUGGESTION_DUE_DAYS", default=90)
# A satisfaction survey's report calls its figures (and its comparison with the last survey) not meaningful below
# this many scored responses, and below this share of its electors (the voting members present when it opened).
SURVEY_MIN_RESPONSES = env.int("SURVEY_MIN_RESPONSES", default=5)
SURVEY_MIN_RESPONSE_PERCENT = env.int("SURVEY_MIN_RESPONSE_PERCENT", default=30)
