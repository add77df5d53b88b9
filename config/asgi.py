"""ASGI entry point: uvicorn (or gunicorn with uvicorn workers) serves `application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_asgi_application()

from frenchbot.core.pagecache import PageCacheASGI  # noqa: E402 - needs the apps loaded above

# Cached public pages are answered before Django's middleware; everything else reaches Django.
application = PageCacheASGI(django_application)
