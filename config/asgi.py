"""ASGI entry point: uvicorn (or gunicorn with uvicorn workers) serves `application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_asgi_application()

from frenchbot.core.middleware import RequestLogASGI  # noqa: E402 - needs the apps loaded above
from frenchbot.core.pagecache import PageCacheASGI  # noqa: E402

# Cached public pages are answered before Django's middleware; everything else reaches Django. Both are timed
# and logged by the outer layer.
application = RequestLogASGI(PageCacheASGI(django_application))
