"""ASGI entry point: uvicorn (or gunicorn with uvicorn workers) serves `application`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from frenchbot.core.webprocess import (  # noqa: E402
    get_asgi_application,
    is_one_of_several_workers,
    long_lived_freeze,
    pin_worker_to_cpu,
    take_worker_place,
    worker_places,
)

# Django's handler, with kept threads and at most REQUEST_THREADS requests running their view at once.
django_application = get_asgi_application()

from frenchbot.analytics.ingest import AnalyticsASGI  # noqa: E402 - needs the apps loaded above
from frenchbot.assistant.warmup import warm_up_in_background  # noqa: E402
from frenchbot.core.middleware import RequestLogASGI  # noqa: E402
from frenchbot.core.pagecache import PageCacheASGI  # noqa: E402

# The audience beacons and cached public pages are answered before Django's middleware; everything else
# reaches Django. All are timed and logged by the outer layer.
application = RequestLogASGI(AnalyticsASGI(PageCacheASGI(django_application)))

# Each of uvicorn's workers takes a place among the machine's: it serves its share of the open connections
# (frenchbot/core/balancing.py) and runs on a CPU of its own, so that its threads no longer hand the
# interpreter to each other across CPUs (frenchbot/core/webprocess.py). WEB_WORKERS_BALANCED=false and
# WEB_WORKERS_PINNED=false turn each off.
from django.conf import settings  # noqa: E402

from frenchbot.core.balancing import BalancingASGI, WorkerLoads  # noqa: E402

if is_one_of_several_workers() and (settings.WEB_WORKERS_BALANCED or settings.WEB_WORKERS_PINNED):
    places = worker_places()
    place = take_worker_place(folder=settings.VAR_DIR / "run")
    if place is not None and settings.WEB_WORKERS_BALANCED:
        loads = WorkerLoads(path=settings.VAR_DIR / "run" / "connections", place=place, slots=places)
        application = BalancingASGI(application, loads=loads)
    if place is not None and settings.WEB_WORKERS_PINNED:
        pin_worker_to_cpu(place=place)

# What is loaded now stays for the process's life: out of the garbage collector's rounds.
long_lived_freeze()

# What the bot's first answer in this process would load (models, vectors, word lists) is loaded now, in a
# background thread: the server accepts requests meanwhile, and no visitor's answer waits for it. What it
# loaded then leaves the collector's rounds too.
warm_up_in_background(then=long_lived_freeze)
