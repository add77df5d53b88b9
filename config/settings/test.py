"""The test suite: the same settings, fast hashing, tasks run inline, e-mails kept in memory."""

import atexit
import os
import shutil

from .base import *  # noqa: F403
from .base import DATABASES, STATIC_ROOT, VAR_DIR

# The metrics of this run only: a folder of its own, emptied now (prometheus_client is not imported yet).
METRICS_DIR = VAR_DIR / f"metrics-test-{os.getpid()}"
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
shutil.rmtree(METRICS_DIR, ignore_errors=True)
METRICS_DIR.mkdir(parents=True)
atexit.register(shutil.rmtree, METRICS_DIR, ignore_errors=True)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
    "template_fragments": {
        "BACKEND": "frenchbot.core.cache_backends.KeptFragmentsCache",
        "LOCATION": "fragments",
    },
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run without a fill-time wait unless a test asks for one.
COMMENT_MIN_FILL_SECONDS = 0
NEWSLETTER_SIGNUP_MIN_FILL_SECONDS = 0
# Page data is cached until a write commits; tests run inside a transaction that never commits.
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0
# Each test sees the site search's spelling follow the index at once.
SEARCH_SPELLING_REFRESH_SECONDS = 0
# No bot warm-up thread in servers started by tests: each test loads only what it uses.
ASSISTANT_WARM_UP = False
# Beacons are written at once: a test reads what a page sent without waiting for a flush.
ANALYTICS_BUFFER = {"BACKEND": "frenchbot.analytics.buffers.DatabaseBuffer"}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# SQLite: the test database is a file, not memory, so that tests with threads get real concurrent connections
# with WAL and BEGIN IMMEDIATE as in production (the booking race test relies on it). One file per run: two
# runs side by side do not share it.
# The suite opens and closes its connections as Django does (the pool's own tests turn it on; the servers the
# tests start with production settings use it).
SQLITE_POOL_SIZE = 0
if DATABASES["default"]["ENGINE"] == "frenchbot.core.sqlite_pool":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
