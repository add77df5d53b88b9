"""Settings of a real `db_worker` process started by the interrupted-send test: the test suite's settings, with
the database queue, the test database and the test's SMTP server (given in the environment)."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NEWSLETTER_TEST_SMTP_PORT", "25"))
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
DATABASES["default"]["NAME"] = os.environ.get("NEWSLETTER_TEST_DB_NAME", DATABASES["default"]["NAME"])
DATABASES["default"].pop("TEST", None)
NEWSLETTER_SEND_RATE = 0
NEWSLETTER_SEND_BATCH_SIZE = int(os.environ.get("NEWSLETTER_TEST_BATCH_SIZE", "200"))
