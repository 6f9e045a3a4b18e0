"""Django settings for bimflow, read from the environment (12-factor).

Every variable is listed in the README's configuration table. Defaults give the
embedded set-up: SQLite, the kombu filesystem broker and local files, all under
``BIMFLOW_DATA_DIR``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from bimflow.config import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Arrow (the data pack writer) allocates with the C library's malloc, not its bundled
# mimalloc: it then reuses the memory the parsed IFC model gave back, and mimalloc's own
# reservation goes (measured: ingest peak 757 -> 727 MB at 50,000 products, 215 -> 197 MB
# on a small model; bench/ingest.py). Read by pyarrow at its first allocation.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
DATA_DIR = Path(env_str("BIMFLOW_DATA_DIR", "var")).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY from the environment, or one generated once and kept in the data dir."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("BIMFLOW_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env_str("BIMFLOW_ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env_str("BIMFLOW_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "bimflow.core",
    "bimflow.accounts",
    "bimflow.projects",
    "bimflow.catalog",
    "bimflow.scripting",
    "bimflow.automation",
    "bimflow.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bimflow.urls"
ASGI_APPLICATION = "bimflow.asgi.application"
WSGI_APPLICATION = "bimflow.wsgi.application"

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
            ]
        },
    }
]

# --- database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'bimflow.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse connections (seconds; 0: a new one per request). Opening one costs a few
    # milliseconds and a server process; see bimflow/asgi.py for how the web reuses them.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("BIMFLOW_DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat are separate processes sharing one file: WAL lets readers
    # run beside a writer, IMMEDIATE transactions avoid upgrade deadlocks, and the
    # timeout makes a writer wait for another instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process's own memory: it holds only what cannot go stale (rendered pages of a
# ready version's catalog, keyed by the version), so processes need not share it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bimflow",
        "OPTIONS": {"MAX_ENTRIES": 300},
    }
}

# --- auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("BIMFLOW_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
# The built single-page app is served from the site root (index.html, /assets/...).
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None
WHITENOISE_USE_FINDERS = True
# Vite names built assets by content hash: they can be cached for good.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/assets/"

MEDIA_ROOT = Path(env_str("BIMFLOW_MEDIA_DIR", str(DATA_DIR / "files"))).resolve()
BIMFLOW_STORAGE = env_str("BIMFLOW_STORAGE", "local")  # "local" or "s3"
if BIMFLOW_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("BIMFLOW_S3_BUCKET", "bimflow"),
            "endpoint_url": env_str("BIMFLOW_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("BIMFLOW_S3_REGION", "") or None,
            "access_key": env_str("BIMFLOW_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("BIMFLOW_S3_SECRET_KEY", "") or None,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        # Files appear whole or not at all (bimflow/core/storage.py).
        "BACKEND": "bimflow.core.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Local cache of stored files on workers (models, data packs), bounded and evicted by age.
BIMFLOW_CACHE_DIR = Path(env_str("BIMFLOW_CACHE_DIR", str(DATA_DIR / "cache"))).resolve()
BIMFLOW_CACHE_MAX_MB = env_int("BIMFLOW_CACHE_MAX_MB", 10240)

BIMFLOW_MAX_UPLOAD_MB = env_int("BIMFLOW_MAX_UPLOAD_MB", 2048)
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "bimflow.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "bimflow.core.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bimflow API",
    "DESCRIPTION": "Projects, IFC model versions, their catalog, scripts and executions.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ExecutionStatusEnum": "bimflow.scripting.models.ExecutionStatus",
        "WorkflowRunStatusEnum": "bimflow.automation.models.RunStatus",
        "WorkflowStepStatusEnum": "bimflow.automation.models.StepStatus",
        "BatchStatusEnum": "bimflow.automation.models.BatchStatus",
    },
}

# --- Celery ---------------------------------------------------------------
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # A small polling interval keeps a trivial script's latency well under a second.
        "polling_interval": 0.05,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest task, so a late-acknowledged task is not redelivered
        # to a second worker while the first still runs it.
        "visibility_timeout": env_int("BIMFLOW_VISIBILITY_TIMEOUT_S", 6 * 3600),
        # An unreachable Redis must fail a publish quickly (the work is sent again later,
        # see bimflow/core/dispatch.py), not hold a web request.
        "socket_connect_timeout": 2,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "bimflow.projects.tasks.ingest_version": {"queue": "ingest"},
    "bimflow.scripting.tasks.run_execution": {"queue": "executions"},
    # Workflow steps run (and wait for) their executions, so they share that queue.
    "bimflow.automation.tasks.workflow_run_step": {"queue": "executions"},
    "bimflow.automation.tasks.workflow_run_finish": {"queue": "executions"},
}
BIMFLOW_QUEUES = ["default", "ingest", "executions"]
# Ingest time limits (seconds): soft raises inside the task so it can fail the version
# with a message; hard kills the worker child.
BIMFLOW_INGEST_SOFT_TIME_LIMIT_S = env_int("BIMFLOW_INGEST_SOFT_TIME_LIMIT_S", 3 * 3600)
BIMFLOW_INGEST_HARD_TIME_LIMIT_S = env_int("BIMFLOW_INGEST_HARD_TIME_LIMIT_S", 3 * 3600 + 300)
# A version left in "processing" without a heartbeat for this long is taken as lost.
BIMFLOW_STALE_AFTER_S = env_int("BIMFLOW_STALE_AFTER_S", 30)
BIMFLOW_WORKER_CONCURRENCY = env_int("BIMFLOW_WORKER_CONCURRENCY", 2)

# Bearer token that Prometheus sends to GET /metrics (staff users may read it too).
BIMFLOW_METRICS_TOKEN = env_str("BIMFLOW_METRICS_TOKEN", "")

# --- logging --------------------------------------------------------------
BIMFLOW_LOG_LEVEL = env_str("BIMFLOW_LOG_LEVEL", "INFO")
BIMFLOW_LOG_JSON = env_bool("BIMFLOW_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "bimflow.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if BIMFLOW_LOG_JSON else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": BIMFLOW_LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}

EMAIL_BACKEND = env_str("BIMFLOW_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
LOGIN_URL = "/login"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Every upload goes to a temporary file, so it can be checked, hashed and moved into
# storage without holding it in memory.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]

# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE = {
    "reap-stale-versions": {
        "task": "bimflow.projects.tasks.reap_stale_versions",
        "schedule": 30.0,
    },
    "reap-lost-executions": {
        "task": "bimflow.scripting.tasks.reap_lost_executions",
        "schedule": 10.0,
    },
    "resend-workflow-runs": {
        "task": "bimflow.automation.tasks.resend_workflow_runs",
        "schedule": 15.0,
    },
    "purge-old-results": {
        "task": "bimflow.automation.tasks.purge_old_results",
        "schedule": crontab(hour=3, minute=17),
    },
}
# Scheduled workflows are not listed here: each has its own row in the database
# scheduler (django-celery-beat), created when the workflow is saved.

# --- scripts and their sandbox ---------------------------------------------------
# "bwrap" (refuse to run scripts when bubblewrap cannot run) or "unsafe" (run them as
# plain processes with rlimits only, and say so in every run's log).
BIMFLOW_SANDBOX = env_str("BIMFLOW_SANDBOX", "bwrap")
BIMFLOW_SCRIPT_TIMEOUT_S = env_int("BIMFLOW_SCRIPT_TIMEOUT_S", 300)
BIMFLOW_SCRIPT_MEMORY_MB = env_int("BIMFLOW_SCRIPT_MEMORY_MB", 2048)
BIMFLOW_SCRIPT_MAX_PROCS = env_int("BIMFLOW_SCRIPT_MAX_PROCS", 64)
BIMFLOW_SCRIPT_OUTPUT_MB = env_int("BIMFLOW_SCRIPT_OUTPUT_MB", 100)
BIMFLOW_SCRIPT_LOG_MB = env_int("BIMFLOW_SCRIPT_LOG_MB", 20)
BIMFLOW_SCRIPT_LOG_LINES = env_int("BIMFLOW_SCRIPT_LOG_LINES", 200_000)
# What a script may ask for at most (operator maxima).
BIMFLOW_SCRIPT_MAX_TIMEOUT_S = env_int("BIMFLOW_SCRIPT_MAX_TIMEOUT_S", 3600)
BIMFLOW_SCRIPT_MAX_MEMORY_MB = env_int("BIMFLOW_SCRIPT_MAX_MEMORY_MB", 8192)
BIMFLOW_SCRIPT_MAX_PROCS_MAX = env_int("BIMFLOW_SCRIPT_MAX_PROCS_MAX", 256)
BIMFLOW_SCRIPT_MAX_OUTPUT_MB = env_int("BIMFLOW_SCRIPT_MAX_OUTPUT_MB", 1024)
BIMFLOW_SCRIPT_MAX_LOG_MB = env_int("BIMFLOW_SCRIPT_MAX_LOG_MB", 200)
BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = env_int("BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER", 5)
# After a worker vanished mid-run: "fail" the execution, or "retry" it once.
BIMFLOW_WORKER_LOST = env_str("BIMFLOW_WORKER_LOST", "fail")
# On SIGTERM a worker lets its running executions "finish", or stops them and puts them
# back in the queue ("requeue"), see bimflow/scripting/shutdown.py.
BIMFLOW_SHUTDOWN = env_str("BIMFLOW_SHUTDOWN", "finish")
for _name, _allowed in (
    ("BIMFLOW_WORKER_LOST", ("fail", "retry")),
    ("BIMFLOW_SHUTDOWN", ("finish", "requeue")),
    ("BIMFLOW_STORAGE", ("local", "s3")),
):
    if globals()[_name] not in _allowed:
        raise ImproperlyConfigured(f"{_name} must be one of: {', '.join(_allowed)}.")

# --- automation -----------------------------------------------------------------
BIMFLOW_MAX_ACTIVE_WORKFLOWS = env_int("BIMFLOW_MAX_ACTIVE_WORKFLOWS", 10)
BIMFLOW_MAX_RUNS_PER_HOUR = env_int("BIMFLOW_MAX_RUNS_PER_HOUR", 10)
BIMFLOW_MIN_SCHEDULE_INTERVAL_S = env_int("BIMFLOW_MIN_SCHEDULE_INTERVAL_S", 60)
BIMFLOW_MAX_BATCH_VERSIONS = env_int("BIMFLOW_MAX_BATCH_VERSIONS", 1000)
BIMFLOW_RESULT_RETENTION_DAYS = env_int("BIMFLOW_RESULT_RETENTION_DAYS", 30)
DEFAULT_FROM_EMAIL = env_str("BIMFLOW_FROM_EMAIL", "bimflow@localhost")


def _tools() -> list[dict]:
    """External command-line tools (JSON list), each checked again when synced."""
    raw = env_str("BIMFLOW_TOOLS", "").strip()
    if not raw:
        return []
    try:
        tools = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"BIMFLOW_TOOLS is not valid JSON: {exc}.")
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        raise ImproperlyConfigured(
            'BIMFLOW_TOOLS must be a JSON list of objects like {"name": ..., "executable": ...}.'
        )
    return tools


BIMFLOW_TOOLS = _tools()
