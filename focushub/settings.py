"""FocusHub settings: everything an operator changes comes from the environment.

With no variables set the server runs embedded (SQLite in WAL mode, in-process channel
layer, local-memory cache, local media folder, django-q2 on the ORM broker). DATABASE_URL
and REDIS_URL switch to PostgreSQL and Redis. See README.md, "Configuration".

Importing this module only computes values: it creates no folder and writes no file, so
reading the configuration (a test, a linter, a one-off script) leaves the disk as it was.
The data folders and the embedded mode's generated secret key are made by the startup
step every process runs (focushub/apps.py). A malformed value stops the import with a
message naming the variable (focushub/env.py).
"""

import logging
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from focushub.env import (
    env,
    env_bool,
    env_choice,
    env_float,
    env_frame_ancestors,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_subset,
    env_url,
    env_urls,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("FOCUSHUB_DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql"))
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
EMBEDDED = not DATABASE_URL
# Streaming replicas of the primary for the reads that tolerate a little lag
# (focushub/replicas.py decides which; docs/deploy.md, "Read replicas").
DATABASE_REPLICA_URLS = env_urls("DATABASE_REPLICA_URL", ("postgres", "postgresql"))
DATABASE_REPLICA_MAX_LAG = env_float("DATABASE_REPLICA_MAX_LAG", 5.0, minimum=0.1, maximum=3600.0)
if DATABASE_REPLICA_URLS and EMBEDDED:
    raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: read replicas are PostgreSQL's, "
                               "and the embedded SQLite database has none")


def _secret_key() -> str:
    """A production deployment must set SECRET_KEY. An embedded one without it gets ""
    here: the startup step (focushub/apps.py) generates the key file once and fills the
    setting in, and until then Django refuses to use the empty key rather than sign with it."""
    configured = env("SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return configured
    if DEBUG:
        return "insecure-development-key-never-use-in-production-000"
    if not EMBEDDED:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DATABASE_URL is set (production). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return ""


SECRET_KEY = _secret_key()
# Set when the embedded mode keeps a key it generates on its first start (focushub/apps.py).
GENERATED_SECRET_KEY_FILE = None if SECRET_KEY else DATA_DIR / "secret_key"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_CREDENTIALS = False
# Who may show the embeddable board (/live/embed) in a frame; every other page refuses
# to be framed (X_FRAME_OPTIONS below).
EMBED_FRAME_ANCESTORS = env_frame_ancestors("EMBED_FRAME_ANCESTORS", ["*"])

INSTALLED_APPS = [
    "daphne",
    "focushub",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_q",
    "focushub.accounts",
    "focushub.projects",
    "focushub.tracking",
    "focushub.timeline",
    "focushub.badges",
    "focushub.leaderboards",
    "focushub.demo",
    "realtime",
    "api",
    "workers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.RequestSizeLimitMiddleware",
    "api.middleware.ApplicationErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "focushub.urls"
ASGI_APPLICATION = "asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The processes serve.py runs (docs/deploy.md). Several web processes share their work
# through PostgreSQL and Redis (the channel layer carries each commit's ring to the
# others), so only the scaled mode can have more than one: the embedded mode's SQLite
# and in-process channel layer belong to the one process that holds them.
SCALED = bool(DATABASE_URL and REDIS_URL)
WEB_PROCESSES = env_int("WEB_PROCESSES", (os.cpu_count() or 1) if SCALED else 1, minimum=0)
if WEB_PROCESSES > 1 and not SCALED:
    raise ImproperlyConfigured(
        f"WEB_PROCESSES={WEB_PROCESSES} needs DATABASE_URL and REDIS_URL: without them SQLite and the "
        "in-process channel layer serve from one process, so WEB_PROCESSES must be 1"
    )
# HTTP_WORKERS gunicorn (WSGI) processes answer plain HTTP on their own address beside
# the daphnes (serve.py, wsgi.py), several times faster per core than the ASGI path;
# the proxy sends /ws/ to daphne and the rest to them (deploy/nginx/focushub.conf). Their
# commits reach the sockets through the channel layer, so only the scaled mode has them.
HTTP_WORKERS = env_int("HTTP_WORKERS", (os.cpu_count() or 1) if SCALED else 0, minimum=0)
if HTTP_WORKERS and not SCALED:
    raise ImproperlyConfigured(
        f"HTTP_WORKERS={HTTP_WORKERS} needs DATABASE_URL and REDIS_URL: without them the in-process "
        "channel layer cannot tell the sockets of their commits, so HTTP_WORKERS must be 0"
    )
WORKER_CLUSTERS = env_int("WORKER_CLUSTERS", 1, minimum=0)

# How many threads of one process may use the database or Redis at once: daphne runs
# sync code on a thread pool of ASGI_THREADS (Python's default when unset: cores + 4, at
# most 32), and serve.py gives each HTTP worker as many threads, so that is what the
# pools are sized from.
SYNC_THREADS = env_int("ASGI_THREADS", min(32, (os.cpu_count() or 1) + 4))
# Set by asgi.py and wsgi.py, the entry points of every web process: only those pool
# their database connections (the comment at DATABASES says why the others do not).
WEB_PROCESS = env_bool("FOCUSHUB_WEB_PROCESS", False)
DB_POOL_MAX = env_int("DB_POOL_MAX", SYNC_THREADS, minimum=0)
DB_POOL_MIN = env_int("DB_POOL_MIN", min(2, DB_POOL_MAX), minimum=0)
DB_POOL_TIMEOUT = env_float("DB_POOL_TIMEOUT", 10.0, minimum=0.1, maximum=600.0)
if DB_POOL_MAX and DB_POOL_MIN > DB_POOL_MAX:
    raise ImproperlyConfigured(f"DB_POOL_MIN ({DB_POOL_MIN}) must not be larger than DB_POOL_MAX ({DB_POOL_MAX})")
DB_POOLED = WEB_PROCESS and not EMBEDDED and DB_POOL_MAX > 0

if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH") or str(DATA_DIR / "focushub.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue on busy_timeout instead of deadlocking.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": env("SQLITE_TEST_PATH") or str(DATA_DIR / "test.sqlite3")},
        }
    }
else:
    # Under daphne every request runs in a thread of its own, so a persistent connection
    # (CONN_MAX_AGE > 0) would be left idle per thread until a busy server exhausts
    # PostgreSQL's max_connections (bench/README.md). A web process pools instead: a
    # request takes a connection from psycopg's pool and gives it back when it ends (Django
    # then needs CONN_MAX_AGE = 0), so a process never holds more than DB_POOL_MAX. The
    # other processes (django-q2 clusters, which fork, management commands, the test
    # runner) connect per use, kept DB_CONN_MAX_AGE seconds. focushub.postgresql is
    # Django's backend plus the answer to an exhausted pool (503 database_busy).
    conn_max_age = env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if DB_POOLED else conn_max_age)}
    DATABASES["default"]["ENGINE"] = "focushub.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DB_POOLED:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "name": "focushub",
            "min_size": DB_POOL_MIN,
            "max_size": DB_POOL_MAX,
            "timeout": DB_POOL_TIMEOUT,
        }
    if env("TEST_DB_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME")}
    # Replicas connect per use even in a pooled web process: a pool asked for a connection
    # to a replica that stopped waits DB_POOL_TIMEOUT for it, where a direct connection
    # fails at once (or after connect_timeout) and the read moves to the primary. The test
    # runner creates no database for them (MIRROR: they read the test database).
    for number, replica_url in enumerate(DATABASE_REPLICA_URLS, start=1):
        replica = dj_database_url.parse(replica_url, conn_max_age=0 if DB_POOLED else conn_max_age)
        replica["ENGINE"] = "focushub.postgresql"
        replica["CONN_HEALTH_CHECKS"] = True
        replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
        replica["TEST"] = {"MIRROR": "default"}
        DATABASES[f"replica_{number}"] = replica
# Consulted for every query's database, so only where there is a replica to route to.
DATABASE_ROUTERS = ["focushub.replicas.ReplicaRouter"] if DATABASE_REPLICA_URLS else []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fh",
            # The process's one Redis pool (focushub/redis_pool.py), not a second one.
            "OPTIONS": {"pool_class": "focushub.redis_pool.CachePool"},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "fh:ch"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The shared Redis pool (focushub/redis_pool.py): one connection per thread that may use
# it at once (SYNC_THREADS, plus the relay's lanes and the consumers' thread), and one
# timeout for connecting, answering and waiting for a free connection.
REDIS_POOL_SIZE = SYNC_THREADS + 4
REDIS_TIMEOUT = 2.0

Q_CLUSTER = {
    "name": "focushub",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "catch_up": False,
    "ack_failures": True,
    "poll": 0.2,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves admin and API-docs assets straight from the installed apps, so the
# one-command run needs no collectstatic step and /docs works offline.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or DATA_DIR / "media")

# Uploads above these sizes are refused before the view runs (413 in the §6 error shape).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
AVATAR_MAX_BYTES = 2 * 1024 * 1024
MAX_REQUEST_BYTES = 5 * 1024 * 1024
# The peers whose X-Forwarded-For names the client (api/proxy.py): the proxy in front
# (deploy/nginx/focushub.conf), on this machine by default. Anyone else's is ignored.
FORWARDED_ALLOW_IPS = env_networks("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])

CLOUDINARY_URL = env_url("CLOUDINARY_URL", ("cloudinary",))
SENTRY_DSN = env_url("SENTRY_DSN", ("http", "https"))
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0, maximum=1.0)

ACCESS_TOKEN_TTL = timedelta(seconds=env_int("ACCESS_TOKEN_TTL", 15 * 60))
REFRESH_TOKEN_TTL = timedelta(seconds=env_int("REFRESH_TOKEN_TTL", 14 * 24 * 3600))
TIMER_MAX_HOURS = env_int("TIMER_MAX_HOURS", 12)
# Fair play (focushub/tracking/credit.py): which entry sources count on boards and time
# badges, and how far back a manual entry or an edit may place time and still count.
BOARD_SOURCES = env_subset("BOARD_SOURCES", ["edited", "manual", "timer"], ("timer", "manual", "edited"))
BOARD_BACKDATE_DAYS = env_int("BOARD_BACKDATE_DAYS", 7, minimum=0)
JWT_ALGORITHM = "HS256"
JWT_ISSUER = "focushub"

LOGIN_THROTTLE_RATE = env_rate("LOGIN_THROTTLE_RATE", "10/min")
LOGIN_IP_THROTTLE_RATE = env_rate("LOGIN_IP_THROTTLE_RATE", "60/min")
SIGNUP_THROTTLE_RATE = env_rate("SIGNUP_THROTTLE_RATE", "20/hour")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in; the two uploads (avatar, badge image) take multipart on their own views.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.RememberedNegotiation",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {"login": LOGIN_THROTTLE_RATE, "signup": SIGNUP_THROTTLE_RATE},
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "FocusHub API",
    "DESCRIPTION": "Gamified time tracking: REST for CRUD, websockets for live updates. "
    "The websocket protocol is described by the AsyncAPI document at [/asyncapi.json](/asyncapi.json).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Error answers, path ids and links, added in one place (api/openapi.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.openapi.complete_document"],
    "ENUM_NAME_OVERRIDES": {
        "ProjectRoleEnum": "focushub.projects.models.ProjectMember.Role",
        "AssignableRoleEnum": "focushub.projects.validation.ASSIGNABLE_ROLES",
    },
    "SECURITY": [{"bearerAuth": []}],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "redis_outage": {"()": "realtime.logfilters.RedisOutage"},
        "redis_broker_outage": {"()": "realtime.logfilters.RedisOutage", "only_redis_errors": True},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # One WARNING per outage instead of a traceback a second (realtime/logfilters.py).
        "channels_redis.pubsub": {"filters": ["redis_outage"]},
        "django-q": {"filters": ["redis_broker_outage"]},
        # daphne logs the full request path, which may carry ?token=; keep it quiet.
        "daphne.access": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
    },
}

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    from focushub.sentry import scrub_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        # No cookies, user IPs or request bodies; the default scrubber also removes
        # Authorization headers and any field named like a token or password.
        send_default_pii=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    # A failed task reaches Sentry once, with its exception, through the reporter below;
    # django-q2's own "Failed ..." log line would be a second, traceback-less event.
    ignore_logger("django-q")
    Q_CLUSTER["error_reporter"] = {"focushub_sentry": {}}

logging.getLogger(__name__).debug("settings loaded (embedded=%s, redis=%s)", EMBEDDED, bool(REDIS_URL))
