"""Settings for the consultation platform, read from environment variables.

Every variable is documented in .env.example. Local defaults need no service:
SQLite, tasks run in-process, emails printed to the console.
"""

import ipaddress
from pathlib import Path
from typing import Any, TypedDict

from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_database,
    env_email,
    env_float,
    env_int,
    env_list,
    env_str,
    load_dotenv,
    local_site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "local-development-key-never-used-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address, for canonical links, Open Graph tags, robots.txt, feeds and emails. Unset, it is
# where `make run` serves (HOST and PORT, 127.0.0.1:8000), so a second copy on another port links to itself.
SITE_URL = env_str("SITE_URL", local_site_url(env_str("HOST", "127.0.0.1"), env_int("PORT", 8000))).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Policy & Insight")
SITE_POSTAL_ADDRESS = env_str("SITE_POSTAL_ADDRESS", "2 Redman Place, London E20 1JQ")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "reversion",
    "accounts",
    "topics",
    "moderation",
    "policies",
    "webinars",
    "consultations",
    "comments",
    "notifications",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL in the path or query is a 400 before sessions, views or the database see it.
    "core.bad_input.RefuseNulMiddleware",
    # Before sessions, CSRF and authentication: a page kept for readers with no state needs none of them.
    "core.page_cache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.site",
                "core.page_cache.csrf_placeholder",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Redis, falling back to each process's memory while Redis is down (core/cache.py), with
# short timeouts so a dead server costs milliseconds. Only counters and copies live here.
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Whole pages for readers with no state of their own (core/page_cache.py, docs/page-cache.md). A change
# reaches every process through Redis; with local memory, run one process or turn the cache off.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Names the deployed code (a commit id) in page keys; unset, it is worked out from the files at start-up.
PAGE_CACHE_RELEASE = env_str("PAGE_CACHE_RELEASE", "")
# A process serves its own copy of a page for this long after finding it current before asking Redis
# again, so a change made in another process reaches every reader within this many seconds.
PAGE_CACHE_RECHECK_SECONDS = env_float("PAGE_CACHE_RECHECK_SECONDS", 0.1)
# A page is cached only for these query parameters (digits only): others could fill the cache at will.
PAGE_CACHE_QUERY_PARAMETERS = frozenset({"comments_page", "replyto", "page"})
# Where the cache is looked in: the pages whose views are marked cached_for_anonymous live under these.
PAGE_CACHE_PATH_PREFIXES = ("/analyses/", "/webinars/", "/consultations/")

# --- Accounts (django-allauth) ----------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    # Email allauth sends to an address someone types (reset links, verification, "you already have an
    # account"): per address ("key") as well as per client; allauth's default let 300 resets an hour through.
    "reset_password": "20/m/ip,1/m/key,3/h/key,10/d/key",
    "confirm_email": "1/3m/key,3/h/key,10/d/key",
}
# Counts allauth's per-address limits on the client address behind the proxy (core/client_address.py).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# allauth's forms with a specific message for each empty box (accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.forms.SignInForm",
    "signup": "accounts.forms.SignUpForm",
    "reset_password": "accounts.forms.PasswordResetForm",
    "reset_password_from_key": "accounts.forms.PasswordResetKeyForm",
    "change_password": "accounts.forms.PasswordChangeForm",
    "set_password": "accounts.forms.PasswordSetForm",
    "add_email": "accounts.forms.AddEmailForm",
}
LOGIN_REDIRECT_URL = "accounts:profile"
LOGIN_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Email -------------------------------------------------------------------------

_email = env_email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <policy@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_REPLY_TO = env_str("EMAIL_REPLY_TO", "")
# Settings of several shapes: a dict of send defaults, API keys, a list of webhook secrets.
ANYMAIL: dict[str, object] = {"SEND_DEFAULTS": {}}
if env_str("ANYMAIL_ESP"):
    # A provider through django-anymail, for example "postmark" or "mailgun";
    # its API key comes from ANYMAIL_API_KEY.
    _esp = env_str("ANYMAIL_ESP")
    EMAIL_BACKEND = f"anymail.backends.{_esp}.EmailBackend"
    ANYMAIL[f"{_esp.upper()}_API_KEY"] = env_str("ANYMAIL_API_KEY")
# "user:password" the provider puts in its webhook URLs (comma-separated while rotating).
# Unset, the /anymail/ webhooks are not routed at all: anymail would accept anyone's posts.
_webhook_secrets = env_list("ANYMAIL_WEBHOOK_SECRET", [])
ANYMAIL["WEBHOOK_SECRET"] = _webhook_secrets
if any(":" not in secret for secret in _webhook_secrets):
    raise ImproperlyConfigured("ANYMAIL_WEBHOOK_SECRET must look like user:password (comma-separated for several).")

# --- Celery --------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env_str("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent (they load rows by id and claim them), so a task whose
# worker died is redelivered rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
# Redis redelivers an unacknowledged task after the visibility timeout; it must
# outlast the longest task or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True


class BeatEntry(TypedDict):
    """One of Celery beat's jobs: the task's name and how often it runs (seconds, or a crontab)."""

    task: str
    schedule: float | crontab


CELERY_BEAT_SCHEDULE: dict[str, BeatEntry] = {}

# --- Notifications (the email outbox) ----------------------------------------------

# Three queues: "transactional" (confirmations, moderation, replies) so a large
# announcement never delays them, "bulk" (fan-outs, announcements, digests) and
# the default "celery" (beat jobs). Run a worker for transactional on its own in production.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.fan_out_broadcast": {"queue": "bulk"},
    "notifications.send_weekly_digest": {"queue": "bulk"},
    "notifications.send_digest_batch": {"queue": "bulk"},
}
# A request that enqueues email must not hang when Redis is down: give up
# publishing after about a second; the row waits in the outbox for the sweeper.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 250_000)

# Rows per send task, over one SMTP connection. Each task costs a claim, a connection and a message
# template whatever its size: at 100 rows that was a sixth of a fan-out's time, at 500 it is a thirtieth.
NOTIFICATIONS_CHUNK_SIZE = env_int("NOTIFICATIONS_CHUNK_SIZE", 500)
NOTIFICATIONS_FAN_OUT_BATCH = env_int("NOTIFICATIONS_FAN_OUT_BATCH", 5000)
# Messages a second across all workers; match the provider's limit (0: no limit).
NOTIFICATIONS_SEND_RATE_PER_SECOND = env_int("EMAIL_SEND_RATE_PER_SECOND", 0)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
# A worker renews its claim on a chunk every LEASE_RENEW seconds while it sends; a row
# "sending" whose claim was not renewed for SENDING_TIMEOUT seconds belonged to a worker
# that died, and the sweeper takes it back. The timeout must outlast a renewal interval
# plus one message's SMTP conversation (EMAIL_TIMEOUT), or a slow live worker is raced.
NOTIFICATIONS_LEASE_RENEW_SECONDS = env_int("NOTIFICATIONS_LEASE_RENEW_SECONDS", 10)
NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = env_int("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", 60)
# A deferred job (consultation outcome, digest batch) claimed this long ago and unfinished
# died with its worker: it must outlast the task time limit, after which no task still runs it.
NOTIFICATIONS_JOB_TIMEOUT_SECONDS = env_int("NOTIFICATIONS_JOB_TIMEOUT_SECONDS", CELERY_TASK_TIME_LIMIT * 2)
# A queued row dispatched this long ago and still not claimed lost its task (Redis restarted).
NOTIFICATIONS_DISPATCH_GRACE_SECONDS = env_int("NOTIFICATIONS_DISPATCH_GRACE_SECONDS", 300)
NOTIFICATIONS_SWEEP_SECONDS = env_int("NOTIFICATIONS_SWEEP_SECONDS", 60)
NOTIFICATIONS_SWEEP_LIMIT = env_int("NOTIFICATIONS_SWEEP_LIMIT", 20_000)
# Only analyses published this recently are announced, so a new deployment does not mail the archive.
NOTIFICATIONS_ANNOUNCE_WINDOW_HOURS = env_int("NOTIFICATIONS_ANNOUNCE_WINDOW_HOURS", 48)
NOTIFICATIONS_UNSUBSCRIBE_MAILTO = env_str(
    "UNSUBSCRIBE_MAILTO", f"unsubscribe@{SITE_URL.split('://', 1)[-1].split('/')[0].split(':')[0]}"
)
NOTIFICATIONS_CONFIRMATION_RESEND_SECONDS = 3600
# Email a stranger can cause to an address they type (comment confirmations, save-and-return links,
# receipts, subscription links, reply notices): at most this many of one family per address, counted
# in the outbox so the limit holds across processes and with Redis down. Past it nothing is sent.
NOTIFICATIONS_RECIPIENT_LIMIT_PER_HOUR = env_int("NOTIFICATIONS_RECIPIENT_LIMIT_PER_HOUR", 3)
NOTIFICATIONS_RECIPIENT_LIMIT_PER_DAY = env_int("NOTIFICATIONS_RECIPIENT_LIMIT_PER_DAY", 10)
NOTIFICATIONS_LINK_DAYS = {
    "notifications.confirm": 7,
    "notifications.preferences": 90,
    "notifications.unsubscribe": 400,
}
CELERY_BEAT_SCHEDULE |= {
    "notifications-sweep": {"task": "notifications.sweep_deliveries", "schedule": NOTIFICATIONS_SWEEP_SECONDS},
    "notifications-announce": {"task": "notifications.announce_new_content", "schedule": 60},
    # Monday morning in Europe/London (CELERY_TIMEZONE), whatever the server's clock.
    "notifications-weekly-digest": {
        "task": "notifications.send_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}
# The outbox keeps each email (address, subject, body) this long after it was written; the
# privacy notice states it. Longer than any event's resend window (a week for links).
DELIVERY_RETENTION_DAYS = env_int("DELIVERY_RETENTION_DAYS", 90)
CELERY_BEAT_SCHEDULE |= {
    "notifications-delete-old-deliveries": {
        "task": "notifications.delete_old_deliveries",
        "schedule": crontab(minute=15, hour=3),
    },
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("The broker's visibility timeout must outlast CELERY_TASK_TIME_LIMIT.")
if NOTIFICATIONS_SENDING_TIMEOUT_SECONDS < NOTIFICATIONS_LEASE_RENEW_SECONDS * 3:
    raise ImproperlyConfigured("NOTIFICATIONS_SENDING_TIMEOUT_SECONDS must be 3 × the lease renewal interval or more.")
if NOTIFICATIONS_JOB_TIMEOUT_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("NOTIFICATIONS_JOB_TIMEOUT_SECONDS must outlast CELERY_TASK_TIME_LIMIT.")

# --- REST framework ---------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    # Token first, so a request with no credentials gets 401 with WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.common.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.common.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["core.api.common.StrictFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.common.AnonymousThrottle", "core.api.common.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "600/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Read every public analysis, topic, author, report, webinar, speaker and quote, and take part "
        "in discussions as a person can on the site. Authenticate scripts with a token from your "
        "account page (`Authorization: Token <key>`); the site's own pages use the session and CSRF. "
        "Every error has the same JSON shape: `detail`, `code` and `errors` per field."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.apply_schema_rules"],
    "ENUM_NAME_OVERRIDES": {
        "AnalysisStatusEnum": "policies.models.PolicyAnalysis.Status",
        "CommentStatusEnum": "comments.models.Comment.Status",
        "CommentStateEnum": "comments.api.threads.State.CHOICES",
        "ConsultationStatusEnum": "consultations.models.Consultation.Status",
        # A box that must be ticked (comments.api.threads.TickedField).
        "TrueEnum": [(True, True)],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links put an anchor inside each operation's toggle button: a control nested in a control,
    # which screen readers announce badly and axe-core fails (docs/accessibility.md).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Comments -------------------------------------------------------------------------

# hold_all: every comment waits for a moderator; hold_new: only commenters with fewer
# than COMMENTS_APPROVED_TO_TRUST approved comments wait; publish: publish, review after.
COMMENTS_MODERATION = env_str("COMMENTS_MODERATION", "hold_new")
if COMMENTS_MODERATION not in {"hold_all", "hold_new", "publish"}:
    raise ImproperlyConfigured(
        f"COMMENTS_MODERATION must be hold_all, hold_new or publish; got {COMMENTS_MODERATION!r}."
    )
COMMENTS_APPROVED_TO_TRUST = env_int("COMMENTS_APPROVED_TO_TRUST", 2)
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 3)
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 5000)
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
COMMENTS_RATE_LIMIT_SECONDS = env_int("COMMENTS_RATE_LIMIT_SECONDS", 15)
COMMENTS_MIN_SECONDS_TO_WRITE = env_int("COMMENTS_MIN_SECONDS_TO_WRITE", 3)
COMMENTS_THREADS_PER_PAGE = env_int("COMMENTS_THREADS_PER_PAGE", 20)
# Rendering costs per comment shown, so a page also stops adding threads at this many comments
# (a single larger thread still shows whole).
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 150)
COMMENTS_NEWEST_FIRST = env_bool("COMMENTS_NEWEST_FIRST", False)
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 15)
COMMENTS_UNCONFIRMED_HOURS = env_int("COMMENTS_UNCONFIRMED_HOURS", 48)
# A comment the automatic checks rejected: its author may ask for a review within this many days, once
# per comment and at most COMMENTS_REVIEWS_PER_DAY times a day per address.
COMMENTS_REVIEW_DAYS = env_int("COMMENTS_REVIEW_DAYS", 30)
COMMENTS_REVIEWS_PER_DAY = env_int("COMMENTS_REVIEWS_PER_DAY", 3)
COMMENTS_IP_HASH_DAYS = env_int("COMMENTS_IP_HASH_DAYS", 90)
COMMENTS_REPORTS_TO_REQUEUE = env_int("COMMENTS_REPORTS_TO_REQUEUE", 3)
COMMENTS_HIDE_REPORTED = env_bool("COMMENTS_HIDE_REPORTED", True)
# immediate: an alert as a comment enters the queue; batched: a summary every
# COMMENTS_ALERT_MINUTES. Either way no moderator gets more than one per window.
COMMENTS_ALERTS = env_str("COMMENTS_ALERTS", "immediate")
if COMMENTS_ALERTS not in {"immediate", "batched"}:
    raise ImproperlyConfigured(f"COMMENTS_ALERTS must be immediate or batched; got {COMMENTS_ALERTS!r}.")
COMMENTS_ALERT_MINUTES = env_int("COMMENTS_ALERT_MINUTES", 30)
# Keys the hash of commenters' IP addresses, so a leaked table cannot be reversed by
# hashing all four billion addresses; rotating it only weakens the rate limit for a while.
COMMENTS_IP_HASH_KEY = env_str("COMMENTS_IP_HASH_KEY", SECRET_KEY)
CELERY_BEAT_SCHEDULE |= {
    "comments-expire-unconfirmed": {"task": "comments.tasks.expire_unconfirmed", "schedule": 3600},
    "comments-erase-ip-hashes": {"task": "comments.tasks.erase_old_ip_hashes", "schedule": 86_400},
    "comments-batched-alerts": {"task": "comments.tasks.send_batched_alerts", "schedule": COMMENTS_ALERT_MINUTES * 60},
}

# --- Staff moderation ---------------------------------------------------------------

# A claim tells other moderators a comment is taken; it lapses so a forgotten one frees itself.
COMMENTS_CLAIM_MINUTES = env_int("COMMENTS_CLAIM_MINUTES", 10)
# Moderators are alerted when the oldest pending comment has waited longer than this.
COMMENTS_STALE_PENDING_HOURS = env_int("COMMENTS_STALE_PENDING_HOURS", 24)
COMMENTS_SUMMARY_HOUR = env_int("COMMENTS_SUMMARY_HOUR", 8)
CELERY_BEAT_SCHEDULE |= {
    # In comments/tasks.py under their first names (comments.moderation_tasks.*), kept so beat entries and
    # queued messages still match. Europe/London (CELERY_TIMEZONE); keyed by date, a second run sends nothing.
    "moderation-daily-summary": {
        "task": "comments.moderation_tasks.send_daily_summary",
        "schedule": crontab(minute=0, hour=COMMENTS_SUMMARY_HOUR),
    },
    "moderation-stale-alert": {"task": "comments.moderation_tasks.alert_stale_pending", "schedule": 900},
}

# --- Consultations ----------------------------------------------------------------------

# Respondents' names, emails and roles are removed this many months after the outcome; answers stay.
CONSULTATION_RETENTION_MONTHS = env_int("CONSULTATION_RETENTION_MONTHS", 12)
# Files attached to answers (position papers): a storage of their own that no URL serves, outside
# MEDIA_ROOT and STATIC_ROOT (a system check refuses either); only the consultations views read it.
CONSULTATION_ATTACHMENTS_ROOT = Path(
    env_str("CONSULTATION_ATTACHMENTS_ROOT", str(BASE_DIR / "var" / "consultation-attachments"))
)
STORAGES["consultation_attachments"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(CONSULTATION_ATTACHMENTS_ROOT),
        "base_url": "/no-public-url/",
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}
# An antivirus daemon (clamd) that scans each attachment before it is accepted: a Unix socket path
# or tcp://host:port. Unset: files are not scanned, and the consultation admin says so.
CLAMD_SOCKET = env_str("CLAMD_SOCKET")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)
CELERY_TASK_ROUTES |= {"consultations.send_outcome": {"queue": "bulk"}}
CELERY_BEAT_SCHEDULE |= {
    "consultations-announce-opening": {"task": "consultations.announce_openings", "schedule": 300},
    "consultations-remind-drafts": {"task": "consultations.remind_drafts", "schedule": 3600},
    "consultations-remove-personal-data": {
        "task": "consultations.remove_expired_personal_data",
        "schedule": crontab(minute=30, hour=3),
    },
}

# --- Personal data (UK GDPR) -------------------------------------------------------

# Keys the hashes that outlive an erased address (the suppression list, the request log).
# Set it once and keep it: a new key makes every stored hash stop matching, so erased
# addresses would be mailed again. It defaults to SECRET_KEY, which must then never change.
PERSONAL_DATA_HASH_KEY = env_str("PERSONAL_DATA_HASH_KEY", SECRET_KEY)
# Named on the privacy notice as the person to write to about personal data.
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "privacy@localhost")
# Each beat job that deletes or anonymises personal data, with the setting holding its
# period: the privacy notice states every one of them, and a test holds the two together.
PERSONAL_DATA_RETENTION_JOBS = {
    "comments-expire-unconfirmed": "COMMENTS_UNCONFIRMED_HOURS",
    "comments-erase-ip-hashes": "COMMENTS_IP_HASH_DAYS",
    "consultations-remove-personal-data": "CONSULTATION_RETENTION_MONTHS",
    "notifications-delete-old-deliveries": "DELIVERY_RETENTION_DAYS",
}

# --- Security ---------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# The proxies in front of the site, outermost first, by address or network (the last one connects
# to the site), or just how many there are. Only what they appended to X-Forwarded-For is believed
# (core/client_address.py); BEHIND_TLS_PROXY alone means one proxy.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", len(TRUSTED_PROXIES) or (1 if env_bool("BEHIND_TLS_PROXY", False) else 0)
)
if TRUSTED_PROXIES and len(TRUSTED_PROXIES) != TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must equal the number of TRUSTED_PROXIES when both are set.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response, static files included: only this site's
# own scripts, styles and fonts, no inline code. The few pages whose vendored bundle injects
# <style> elements (ReDoc) pass it the per-request nonce, which enters the header only on them.
# CSP_IMG_SOURCES adds origins for images, e.g. media served from object storage.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF, CSP_NONCE],
        "img-src": [CSP_SELF, "data:", *env_list("CSP_IMG_SOURCES", [])],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}

# --- Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
