"""ASGI entry point: uvicorn (or gunicorn with uvicorn workers) serves `application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_asgi_application()

from frenchbot.analytics.ingest import AnalyticsASGI  # noqa: E402 - needs the apps loaded above
from frenchbot.core.middleware import RequestLogASGI  # noqa: E402
from frenchbot.core.pagecache import PageCacheASGI  # noqa: E402

# The audience beacons and cached public pages are answered before Django's middleware; everything else
# reaches Django. All are timed and logged by the outer layer.
application = RequestLogASGI(AnalyticsASGI(PageCacheASGI(django_application)))
