"""Settings, read from the environment.

Defaults give an embedded setup that needs no server: SQLite and a filesystem Celery broker,
both under ``var/``. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
With ``DJANGO_DEBUG=0`` the app refuses to start without its production secrets.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VERIFY_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


DEBUG = _env_bool("DJANGO_DEBUG", True)
PRODUCTION = not DEBUG

_REQUIRED_IN_PRODUCTION = (
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ALLOWED_HOSTS",
)
if PRODUCTION:
    missing = [name for name in _REQUIRED_IN_PRODUCTION if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=0 (production) needs these environment variables: " + ", ".join(missing)
        )

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-development-only-key-never-use-in-production"
)
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS") or (
    ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

# The benchmark serves an extra bare view from its own URL module (bench/urls.py).
ROOT_URLCONF = os.environ.get("DJANGO_ROOT_URLCONF", "verify.urls")
WSGI_APPLICATION = "verify.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims.context_processors.newsroom",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(
        dj_database_url.config(
            default=f"sqlite:///{_SQLITE_PATH}",
            conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at the same time: WAL plus immediate transactions
    # turn "database is locked" errors into short waits.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not memory) so that a worker process started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "claims.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Evidence files: limits checked by the evidence service before anything is stored.
EVIDENCE_MAX_FILE_BYTES = int(os.environ.get("EVIDENCE_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
EVIDENCE_ALLOWED_FILE_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Redis: broker and cache ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "verify.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "verify"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "celery"))
# Seconds before Redis hands an unacknowledged message (its worker died) to another worker.
# Longer than any countdown the app schedules (FETCH_RETRY_MAX_SECONDS,
# FETCH_RETRY_AFTER_MAX_SECONDS), or delayed retries would be delivered twice. Tests that
# kill a worker set it to a few seconds.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "7200"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT = "verify.broker:Transport"  # kombu's, sharing one client
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # How often a worker looks for messages whose worker died: a tenth of the
        # visibility timeout, between 1 s and kombu's default of 100 s.
        "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 100 else 10,
    }
else:
    # kombu's filesystem transport: a real broker that needs no server, consumed by a real
    # worker process. Messages are files under var/celery/queue.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,  # seconds between looks at an empty queue folder
    }
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Celery's Django fixup closes every database connection before and after every task unless
# this is set; a new PostgreSQL connection per task costs more CPU than a fetch. Connections
# are kept for this many tasks, and checked before each (verify/celery.py).
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX") or 500)
CELERY_TASK_ROUTES = {"claims.tasks.evidence_archive_task": {"queue": "archive"}}
# Filled below, once the fetch pipeline's intervals are known.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Re-queue intake jobs whose message was lost; fail those stuck fetching.
    "intake-sweep": {"task": "claims.intake_tasks.intake_sweep_task", "schedule": 60.0},
}
# Eager mode is for tests only: the test configuration sets it, never the environment.
CELERY_TASK_ALWAYS_EAGER = False

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
}

# --- Public status API ----------------------------------------------------------------------
# Requests per client IP for the anonymous public API (DRF rate syntax: "120/min").
PUBLIC_API_RATE = os.environ.get("PUBLIC_API_RATE", "120/min")
# Cache-Control max-age for public responses (shared caches and browsers).
PUBLIC_CACHE_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_MAX_AGE", "60"))
# How long rendered public responses stay in the server-side cache (0 turns it off). Publish,
# correction and withdrawal invalidate them at once; this bounds staleness from anything
# else (a rating label renamed in the back office).
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "600"))
# How often a web process re-reads the public generation (the invalidation counter); a
# publish made through this process is seen at once, one made through another process
# within this many seconds. 0 reads it on every request.
PUBLIC_GENERATION_CHECK_SECONDS = float(os.environ.get("PUBLIC_GENERATION_CHECK_SECONDS", "1"))
# Throttle counts go to the shared cache in batches of up to this many requests per client
# (exact for small rates; see claims.api.public._BatchedCounts).
PUBLIC_THROTTLE_BATCH = int(os.environ.get("PUBLIC_THROTTLE_BATCH", "10"))
# Each web process also keeps the most used rendered responses in memory, up to this size.
PUBLIC_LOCAL_CACHE_BYTES = int(os.environ.get("PUBLIC_LOCAL_CACHE_BYTES", str(32 * 1024 * 1024)))

CORS_URLS_REGEX = r"^/api/v1/public/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After")

SPECTACULAR_SETTINGS = {
    "TITLE": "Verify API",
    "DESCRIPTION": (
        "The public status API of the fact-check desk (anonymous, read-only, cached) and the "
        "newsroom API (session or token authentication). Errors always have the shape "
        '{"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "claims.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "NormalizedEnum": "claims.models.RatingLabel.Normalized",
        "EvidenceKindEnum": "claims.models.Evidence.Kind",
        "ClaimantKindEnum": "claims.models.Claimant.Kind",
        "StanceEnum": "claims.models.Evidence.Stance",
        "FetchStateEnum": "claims.models.Evidence.FetchState",
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "AssignmentRoleEnum": "claims.models.Assignment.Role",
        "AssignmentStateEnum": "claims.models.Assignment.State",
        "ProposalStateEnum": "claims.models.VerdictProposal.State",
    },
}

# --- Webhooks -------------------------------------------------------------------------------
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
CELERY_BEAT_SCHEDULE["webhook-sweep"] = {
    "task": "claims.tasks.webhook_sweep",
    "schedule": 300.0,
}

# --- Outbound fetching ----------------------------------------------------------------------
# "ip:port" pairs the fetch guard lets through although they are private. Tests use it to
# reach a local HTTP server; production refuses to start with it set.
FETCH_ALLOW_LOCAL_TARGETS = _env_list("FETCH_ALLOW_LOCAL_TARGETS")
if PRODUCTION and FETCH_ALLOW_LOCAL_TARGETS:
    raise ImproperlyConfigured("FETCH_ALLOW_LOCAL_TARGETS must be empty in production.")


# The evidence fetch pipeline (claims/fetch_services.py, claims/tasks.py). Attempts that end
# in a timeout, a broken connection or one of these HTTP statuses are tried again, with
# exponential backoff and jitter, up to FETCH_MAX_ATTEMPTS fetches in all. 500 is on the list
# on purpose: busy news sites answer 500 under load as often as 502/503.
FETCH_RETRY_STATUSES = [
    int(status)
    for status in _env_list("FETCH_RETRY_STATUSES") or ["429", "500", "502", "503", "504"]
]
FETCH_MAX_ATTEMPTS = _env_int("FETCH_MAX_ATTEMPTS", 5)
FETCH_RETRY_BASE_SECONDS = _env_int(
    "FETCH_RETRY_BASE_SECONDS", 10
)  # first delay, doubled each time
FETCH_RETRY_MAX_SECONDS = _env_int("FETCH_RETRY_MAX_SECONDS", 900)  # cap on the backoff
# A site's Retry-After is honoured up to this; a site asking for longer fails the fetch
# (an editor can re-fetch later).
FETCH_RETRY_AFTER_MAX_SECONDS = _env_int("FETCH_RETRY_AFTER_MAX_SECONDS", 3600)
# A fetch that began this many times without finishing (it crashed or lost its worker)
# is marked failed instead of being tried again.
FETCH_MAX_DELIVERIES = _env_int("FETCH_MAX_DELIVERIES", 5)
# Time limits of one fetch task (enforced by the prefork and gevent pools; with the threads
# pool the fetch's own 30 s deadline and the extractor's input caps bound it), and the lease
# after which a row left in "fetching" counts as abandoned. The lease outlasts the hard limit.
FETCH_TASK_SOFT_TIME_LIMIT = _env_int("FETCH_TASK_SOFT_TIME_LIMIT", 60)
FETCH_TASK_TIME_LIMIT = _env_int("FETCH_TASK_TIME_LIMIT", 90)
FETCH_LEASE_SECONDS = _env_int("FETCH_LEASE_SECONDS", 150)
# Fetched pages are parsed in child processes of each worker (claims/fetching/extract_pool.py):
# this many per worker process (0: in the worker's own threads), and a page still being read
# after FETCH_EXTRACT_TIMEOUT seconds has its process killed (the snapshot keeps the body).
FETCH_EXTRACT_PROCESSES = _env_int("FETCH_EXTRACT_PROCESSES", 2)
FETCH_EXTRACT_TIMEOUT = _env_int("FETCH_EXTRACT_TIMEOUT", 20)
# Per-site politeness: at most this many fetches from one host at a time, across all workers
# (a Redis sorted set per host; a process-local count without REDIS_URL). A task that finds
# its site busy is sent again after a few seconds, without counting as an attempt.
FETCH_PER_SITE_CONCURRENCY = _env_int("FETCH_PER_SITE_CONCURRENCY", 4)
FETCH_SITE_SLOT_SECONDS = _env_int(
    "FETCH_SITE_SLOT_SECONDS", 90
)  # a dead worker's slot frees after this
FETCH_SITE_BUSY_RETRY_SECONDS = _env_int("FETCH_SITE_BUSY_RETRY_SECONDS", 3)
FETCH_MAX_REQUEUES = _env_int(
    "FETCH_MAX_REQUEUES", 200
)  # then the message is dropped; the sweeper re-queues
# The sweeper (Celery beat) re-queues evidence left pending past its due time by this much
# (a lost message: a Redis restart, a broker outage at enqueue time), and evidence left
# fetching past its lease.
FETCH_SWEEP_INTERVAL_SECONDS = _env_int("FETCH_SWEEP_INTERVAL_SECONDS", 60)
FETCH_SWEEP_PENDING_AFTER_SECONDS = _env_int("FETCH_SWEEP_PENDING_AFTER_SECONDS", 600)
FETCH_SWEEP_BATCH = _env_int("FETCH_SWEEP_BATCH", 500)

# Link monitoring: the links of published claims are fetched again once their last fetch is
# this old; a source that disappears (4xx, 5xx, DNS) or whose text changes by more than the
# threshold (share of five-word phrases added or removed) flags the claim.
LINK_MONITOR_INTERVAL_HOURS = _env_int("LINK_MONITOR_INTERVAL_HOURS", 24)
LINK_MONITOR_BATCH = _env_int("LINK_MONITOR_BATCH", 500)
LINK_MONITOR_CHANGE_THRESHOLD = float(os.environ.get("LINK_MONITOR_CHANGE_THRESHOLD") or 0.15)

# Web archiving through the Internet Archive's Save Page Now 2 API: off unless the endpoint
# (https://web.archive.org) and S3-style keys (https://archive.org/account/s3.php) are set.
ARCHIVE_SPN_ENDPOINT = os.environ.get("ARCHIVE_SPN_ENDPOINT", "").rstrip("/")
ARCHIVE_SPN_ACCESS_KEY = os.environ.get("ARCHIVE_SPN_ACCESS_KEY", "")
ARCHIVE_SPN_SECRET = os.environ.get("ARCHIVE_SPN_SECRET", "")
ARCHIVE_RATE_LIMIT = os.environ.get("ARCHIVE_RATE_LIMIT", "6/m")  # per archive worker
ARCHIVE_POLL_SECONDS = _env_int("ARCHIVE_POLL_SECONDS", 15)
ARCHIVE_MAX_POLLS = _env_int("ARCHIVE_MAX_POLLS", 40)
if PRODUCTION and ARCHIVE_SPN_ENDPOINT and not ARCHIVE_SPN_ENDPOINT.startswith("https://"):
    raise ImproperlyConfigured("ARCHIVE_SPN_ENDPOINT must be an https:// address in production.")

CELERY_BEAT_SCHEDULE.update(
    {
        "evidence-sweep": {
            "task": "claims.tasks.evidence_sweep_task",
            "schedule": FETCH_SWEEP_INTERVAL_SECONDS,
            "options": {"expires": FETCH_SWEEP_INTERVAL_SECONDS},
        },
        "evidence-monitor": {
            "task": "claims.tasks.evidence_monitor_task",
            "schedule": min(3600, LINK_MONITOR_INTERVAL_HOURS * 3600),
            "options": {"expires": 3600},
        },
    }
)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if _env_bool("DJANGO_BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): everything from this origin, no inline script or
# style (no style attributes, no inline handlers); htmx is configured by a meta tag.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Email: notifications (console by default; SMTP with DJANGO_EMAIL_BACKEND and EMAIL_*) --
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "factcheck@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Where the newsroom runs, for links in notification emails.
NEWSROOM_URL = os.environ.get("NEWSROOM_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The publishing organisation, named in ClaimReview output and public pages.
PUBLISHER_NAME = os.environ.get("PUBLISHER_NAME", "Verify Desk")
PUBLISHER_URL = os.environ.get("PUBLISHER_URL", "http://127.0.0.1:8000")
