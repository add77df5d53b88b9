"""The test suite: the same settings, fast hashing, tasks run inline, e-mails kept in memory."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run without a fill-time wait unless a test asks for one.
COMMENT_MIN_FILL_SECONDS = 0
# Page data is cached until a write commits; tests run inside a transaction that never commits.
PAGE_CACHE_SECONDS = 0
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
