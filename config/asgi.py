"""ASGI entry point: uvicorn (or gunicorn with uvicorn workers) serves `application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

django_application = get_asgi_application()

from frenchbot.analytics.ingest import AnalyticsASGI  # noqa: E402 - needs the apps loaded above
from frenchbot.assistant.warmup import warm_up_in_background  # noqa: E402
from frenchbot.core.middleware import RequestLogASGI  # noqa: E402
from frenchbot.core.pagecache import PageCacheASGI  # noqa: E402

# The audience beacons and cached public pages are answered before Django's middleware; everything else
# reaches Django. All are timed and logged by the outer layer.
application = RequestLogASGI(AnalyticsASGI(PageCacheASGI(django_application)))

# What the bot's first answer in this process would load (models, vectors, word lists) is loaded now, in a
# background thread: the server accepts requests meanwhile, and no visitor's answer waits for it.
warm_up_in_background()
