"""TalentPort settings: one module, every value from the environment through typed helpers.

Set ``TALENTPORT_ENV=production`` for a deployment: it turns on HTTPS-only cookies,
HSTS and the SSL redirect, and demands a real ``SECRET_KEY``.  Every external service
sits behind a switch with a working embedded default (SQLite, local-memory cache,
console e-mail, console SMS).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0/true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str:
    """Read ``NAME`` or the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    if value:
        return value
    if default is None:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set")
    return default


def env_secret_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated ``NAME`` or the file named by ``NAME_FILE`` (one per line or
    comma-separated); empty items are dropped."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        raw = Path(file_name).read_text(encoding="utf-8")
    else:
        raw = os.environ.get(name, "")
        if not raw.strip():
            return default
    return [item.strip() for line in raw.splitlines() for item in line.split(",") if item.strip()]


ENVIRONMENT = env_str("TALENTPORT_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = env_secret(
    "SECRET_KEY",
    None if PRODUCTION else "django-insecure-talentport-development-key-change-me-in-production",
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "talentport.portal.views.csrf_failure"

# Personal data encrypted at rest (ID and passport numbers, phones, forms holding
# them): keys of their own, never SECRET_KEY.  Required in production; development
# and tests use fixed keys that ``check --deploy`` refuses.
DEV_FIELD_ENCRYPTION_KEY = "talentport-development-only-field-encryption-key"
DEV_FIELD_BLIND_INDEX_KEY = "talentport-development-only-blind-index-key"
FIELD_ENCRYPTION_KEY = env_secret(
    "FIELD_ENCRYPTION_KEY", None if PRODUCTION else DEV_FIELD_ENCRYPTION_KEY
)
# The keyed hash (blind index) that finds an encrypted value by exact match.
FIELD_BLIND_INDEX_KEY = env_secret(
    "FIELD_BLIND_INDEX_KEY", None if PRODUCTION else DEV_FIELD_BLIND_INDEX_KEY
)
# Rotation: previous keys still decrypt (and still find) until `talentport manage
# pii_rotate` has rewritten every row under the current key.  Before these keys had
# their own settings both were derived from SECRET_KEY; in development SECRET_KEY is
# therefore an old key by default, so a development database written then stays
# readable (pii_rotate moves it to the new key).  In production list the old secret
# explicitly, rotate, then remove it.
FIELD_ENCRYPTION_OLD_KEYS = env_secret_list(
    "FIELD_ENCRYPTION_OLD_KEYS", [] if PRODUCTION else [SECRET_KEY]
)
FIELD_BLIND_INDEX_OLD_KEYS = env_secret_list(
    "FIELD_BLIND_INDEX_OLD_KEYS", [] if PRODUCTION else [SECRET_KEY]
)
# Reverse proxies in front of the server that append to X-Forwarded-For (0: none, use
# REMOTE_ADDR).  With N, the client is the N-th X-Forwarded-For entry from the right: the
# one address sign-in lockouts, page and API throttles, the audit journal and the PII
# access log all use (talentport.common.clientip / request_context).  Set it to 1 behind
# one reverse proxy, or every client shares the proxy's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Key of the audit journal's hash chain (HMAC-SHA256): whoever edits a row behind the
# application's back cannot recompute the chain without it.  A secret of its own,
# required in production and distinct from SECRET_KEY; never rotate it in place (the
# old rows would no longer verify).
DEV_AUDIT_CHAIN_KEY = "talentport-development-only-audit-chain-key"
AUDIT_CHAIN_KEY = env_secret("AUDIT_CHAIN_KEY", None if PRODUCTION else DEV_AUDIT_CHAIN_KEY)
if PRODUCTION and AUDIT_CHAIN_KEY in {SECRET_KEY, DEV_AUDIT_CHAIN_KEY}:
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be a secret of its own in production")
# How many of the newest journal rows the auditor page's button verifies in the request
# (the whole chain is verified by `talentport audit verify`, e.g. nightly from cron).
AUDIT_VERIFY_TAIL = env_int("AUDIT_VERIFY_TAIL", 1000)

INSTALLED_APPS = [
    "talentport.people.admin_config.StaffAdminConfig",  # django.contrib.admin with the OTP check
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "csp",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "talentport.common",
    "talentport.people",
    "talentport.catalog",
    "talentport.policies",
    "talentport.cases",
    "talentport.archives",
    "talentport.notify",
    "talentport.funds",
    "talentport.jobs",
    "talentport.portal",
    "talentport.workbench",
    "talentport.api",
]

MIDDLEWARE = [
    "talentport.common.request_context.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "talentport.common.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "talentport.common.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "talentport.common.input_guard.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "talentport.people.middleware.StaffSessionMiddleware",
    "talentport.common.urlguard.PersonalDataInQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "talentport.urls"
WSGI_APPLICATION = "talentport.wsgi.application"

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
                "talentport.people.context_processors.access",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{Path.cwd() / 'talentport.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several gunicorn workers: write-ahead logging lets
    # readers run beside a writer, IMMEDIATE transactions take the write lock up front
    # (no "database is locked" half-way through), and a busy writer is waited for.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"


# Lockout after repeated failures (django-axes): per username + IP address, and per IP
# address across usernames (password spraying), both for AXES_COOLOFF_MINUTES.  django-ipware
# is not installed; the address comes from AXES_CLIENT_IP_CALLABLE instead of the
# AXES_IPWARE_* settings.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "talentport.people.throttles.LoginAttemptHandler"
AXES_CLIENT_IP_CALLABLE = "talentport.common.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "talentport.people.throttles.lockout_response"
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_COOLOFF_MESSAGE = _("登录失败次数过多，已暂时锁定，请稍后再试。")
AXES_PERMALOCK_MESSAGE = _("登录失败次数过多，已锁定，请联系管理员。")
AXES_RESET_ON_SUCCESS = True

# Sign-up and password reset, per IP address and per e-mail given (cache-counted, 429 past it).
SIGNUP_RATE_PER_IP = env_str("SIGNUP_RATE_PER_IP", "20/hour")
SIGNUP_RATE_PER_EMAIL = env_str("SIGNUP_RATE_PER_EMAIL", "5/hour")
PASSWORD_RESET_RATE_PER_IP = env_str("PASSWORD_RESET_RATE_PER_IP", "10/hour")
PASSWORD_RESET_RATE_PER_EMAIL = env_str("PASSWORD_RESET_RATE_PER_EMAIL", "3/hour")

# Back-office sign-in (people/otp.py, people/middleware.py, people/stepup.py): a TOTP code
# after the password, required in production (a demo machine signs in with the password);
# any back-office account that enrolled gives its code whatever this says.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "TalentPort")
# Idle expiry of a back-office session (people get SESSION_IDLE_MINUTES).
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 15)
# A fresh password or code within this many minutes before revealing an ID number,
# publishing a policy or deciding a payment.
STEP_UP_MINUTES = env_int("STEP_UP_MINUTES", 5)

# Idle sessions expire.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cache" if REDIS_URL else "django.contrib.sessions.backends.db"
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(REPO_DIR / "var" / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


def _default_data_dir() -> Path:
    """``$XDG_DATA_HOME/talentport`` or ``~/.local/share/talentport``: never the checkout."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "talentport"
    try:
        return Path.home() / ".local" / "share" / "talentport"
    except RuntimeError as exc:
        raise ImproperlyConfigured(
            "TALENTPORT_DATA_DIR must be set: no home directory to keep the data in"
        ) from exc


# The data directory holds what the platform stores besides the database (uploaded
# materials under private/), outside the code checkout; in production it must be
# named explicitly, e.g. TALENTPORT_DATA_DIR=/var/lib/talentport.
_data_dir = env_str("TALENTPORT_DATA_DIR", "")
if PRODUCTION and not _data_dir:
    raise ImproperlyConfigured(
        "TALENTPORT_DATA_DIR must be set in production (a directory outside the code, "
        "e.g. /var/lib/talentport)"
    )
DATA_DIR = Path(_data_dir).expanduser().absolute() if _data_dir else _default_data_dir()
# Uploaded materials live outside static files and the code, and are served only
# through views that check who may see them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "private"))).expanduser().absolute()
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# ZIP-based uploads (OFD materials, .xlsx imports) are refused past these, read from
# the archive's directory before anything is unpacked.
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
UPLOAD_ZIP_MAX_ENTRIES = env_int("UPLOAD_ZIP_MAX_ENTRIES", 10_000)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)
# The PDF check inflates object streams up to this much altogether.
UPLOAD_PDF_MAX_INFLATED_BYTES = env_int("UPLOAD_PDF_MAX_INFLATED_BYTES", 16 * 1024 * 1024)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@talentport.local")
SMS_BACKEND = env_str("SMS_BACKEND", "talentport.notify.sms.ConsoleSmsBackend")
# The HTTP provider adapter (SMS_BACKEND=talentport.notify.sms.HttpSmsBackend): a JSON POST
# {phone, text, sign} to SMS_HTTP_URL with SMS_HTTP_TOKEN in the Authorization header.
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_secret("SMS_HTTP_TOKEN", "")
SMS_HTTP_SIGN_NAME = env_str("SMS_HTTP_SIGN_NAME", "留学人才港")
SMS_HTTP_TIMEOUT_SECONDS = env_int("SMS_HTTP_TIMEOUT_SECONDS", 10)
# The outbox (notify.Delivery): per-channel sends per minute, retries with exponential
# backoff (DELIVERY_BACKOFF_SECONDS × 2^(attempt-1), at most DELIVERY_BACKOFF_MAX_SECONDS),
# failed after DELIVERY_MAX_ATTEMPTS; no SMS 21:00-08:00 Beijing time (held until 08:00).
SMS_RATE_PER_MINUTE = env_int("SMS_RATE_PER_MINUTE", 60)
EMAIL_RATE_PER_MINUTE = env_int("EMAIL_RATE_PER_MINUTE", 120)
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 5)
DELIVERY_BACKOFF_SECONDS = env_int("DELIVERY_BACKOFF_SECONDS", 60)
DELIVERY_BACKOFF_MAX_SECONDS = env_int("DELIVERY_BACKOFF_MAX_SECONDS", 3600)
DELIVERY_BATCH_SIZE = env_int("DELIVERY_BATCH_SIZE", 100)
SMS_QUIET_HOURS = (21, 8)  # Beijing time: from 21:00 until 08:00

# --- Task queue (Celery) -------------------------------------------------------------
# TASK_BROKER_URL moves the queue to Redis (redis://127.0.0.1:6379/1) or RabbitMQ
# (amqp://guest:guest@127.0.0.1:5672//); unset, the embedded default is a filesystem
# transport under DATA_DIR/queue, served by the worker `talentport serve` starts.
TASK_BROKER_URL = env_str("TASK_BROKER_URL", "")
# Run tasks in the calling process (tests; a one-off script): nothing is queued.
TASKS_EAGER = env_bool("TASKS_EAGER", False)
QUEUE_DIR = DATA_DIR / "queue"
CELERY_BROKER_URL = TASK_BROKER_URL or "filesystem://"
# A publisher (`enqueue` in a web request) that cannot reach the broker gives up at once:
# no retry loop in Kombu (max_retries 0), a TCP connect cut short after 3 s even for an
# unroutable host.  Workers reconnect by their own rule (CELERY_BROKER_CONNECTION_*).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"max_retries": 0, "socket_connect_timeout": 3}
    if TASK_BROKER_URL
    else {
        "data_folder_in": str(QUEUE_DIR / "messages"),
        "data_folder_out": str(QUEUE_DIR / "messages"),
        "control_folder": str(QUEUE_DIR / "control"),
    }
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(QUEUE_DIR / "beat-schedule")
# The one periodic schedule, run by exactly one `talentport scheduler` (or the one
# `talentport serve` that starts it).  One line per entry: a name, the task's registered
# name (`@task("app.verb")` in the app's tasks.py) and when, as a crontab in Beijing time
# (CELERY_TIMEZONE), e.g. crontab(hour=2, minute=30) for nightly work.  A task whose
# run would be pointless once the next one is due says so with `expires` on its @task.
#   common-heartbeat         every minute      the health page's "scheduler last seen at"
#   cases-sla-tick           every 15 minutes  80 % reminders and overdue escalations
#   notify-deliveries-send   every minute      SMS/e-mail due (retries, held until 08:00)
#   policies-push-nightly    02:30             the nightly 政策找人 push over every profile
#   policies-push-resume     every 2 minutes   runs waiting for the broker or a dead worker
#   people-imports-resume    every 2 minutes   talent-database imports waiting likewise
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "common-heartbeat": {"task": "common.heartbeat", "schedule": crontab()},
    "cases-sla-tick": {"task": "cases.sla_tick", "schedule": crontab(minute="*/15")},
    "notify-deliveries-send": {"task": "notify.deliveries_send", "schedule": crontab()},
    "policies-push-nightly": {
        "task": "policies.push_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "policies-push-resume": {
        "task": "policies.push_runs_resume",
        "schedule": crontab(minute="*/2"),
    },
    "people-imports-resume": {
        "task": "people.profile_imports_resume",
        "schedule": crontab(minute="*/2"),
    },
}

# The push (政策找人) reads stored profiles this many at a time; a run whose worker has
# shown no progress for PUSH_STALE_SECONDS is taken over by the next one.
PUSH_CHUNK_SIZE = env_int("PUSH_CHUNK_SIZE", 20_000)
PUSH_STALE_SECONDS = env_int("PUSH_STALE_SECONDS", 600)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "talentport.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "talentport.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": None,
    "UNAUTHENTICATED_USER": None,
    # Every write of the API is throttled per account (per client IP when anonymous);
    # views name a stricter scope of their own (``throttle_scope``).  Rates are
    # "N/second|minute|hour|day", each from its own environment variable.
    "DEFAULT_THROTTLE_CLASSES": ["talentport.api.throttling.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        scope: env_str("THROTTLE_RATE_" + scope.upper(), rate)
        for scope, rate in {
            "write": "120/min",
            "eligibility": "30/min",
            "archive_claim": "10/hour",
            "archive_claim_ip": "30/hour",
            "talent_pool": "10/hour",
            "event_registration": "20/hour",
            "position_application": "30/hour",
            "profile": "30/hour",
        }.items()
    },
    # DRF's throttles take the client from X-Forwarded-For only behind trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# Archive claims (人事档案认领): one-time SMS codes and the per-file limits, keyed by the
# blind index of the ID number so that guesses count even when the name is wrong.
ARCHIVE_CLAIM_CODE_TTL_MINUTES = env_int("ARCHIVE_CLAIM_CODE_TTL_MINUTES", 10)
ARCHIVE_CLAIM_CODES_PER_FILE_PER_HOUR = env_int("ARCHIVE_CLAIM_CODES_PER_FILE_PER_HOUR", 3)
ARCHIVE_CLAIM_FAILURES_PER_FILE = env_int("ARCHIVE_CLAIM_FAILURES_PER_FILE", 5)
ARCHIVE_CLAIM_LOCK_MINUTES = env_int("ARCHIVE_CLAIM_LOCK_MINUTES", 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "TalentPort 留学人才港 API",
    "DESCRIPTION": "留学人才一站式服务平台公开接口 / Public API of the TalentPort platform",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"AccessKindEnum": "talentport.people.models.AccessKind"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "talentport.api.schema_hooks.document_answers",
    ],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles come from the site's own
# static files; the few that a page must write inline carry the request's nonce
# (``{{ request.csp_nonce }}``).  No 'unsafe-inline', no 'unsafe-eval', no other host:
# the API docs use the sidecar copies of Swagger UI and Redoc.  QR codes are inline
# SVG; Swagger UI's and the admin's icons are data: URIs.  A view that sets its own
# Content-Security-Policy header (file downloads: ``sandbox``) keeps it.
# (``CSP_REPORT_URI`` in the environment; not a setting of that name, which django-csp
# would take for its pre-4.0 format.)
_csp_report_uri = env_str("CSP_REPORT_URI", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"report-uri": [_csp_report_uri]} if _csp_report_uri else {}),
    },
}
# Browser features no page of the platform uses are switched off for every origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    if SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be set to a real secret in production")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# One console handler on the root logger, every other logger propagating to it; its
# filter masks ID numbers, phones and passport numbers in messages, arguments and
# tracebacks.  A 500 is logged by django.request with its traceback (Django's own
# defaults print it only with DEBUG and mail it only with ADMINS).  Add a handler
# here only with the "mask_personal_data" filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "talentport.common.logmask.MaskPersonalData"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_personal_data"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "talentport": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
        "talentport.pii": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}
