"""Prometheus metrics: what the site counts while it serves, and what is counted when Prometheus asks.

Counted while serving (prometheus_client, multiprocess mode): the request latency histogram by route pattern,
method and status class, and the bot's answers and provider failures by provider. Each uvicorn worker (and the
task worker) writes its values to files in `PROMETHEUS_MULTIPROC_DIR` (under `var/` by default, set by the
settings before prometheus_client is imported); a scrape adds them up, whichever worker answers it. The folder is
emptied at start by `frenchbot metrics_reset` (`make run` and the systemd unit run it before the workers).

Computed at scrape time, by cheap counts in the process that answers: the task queue depth and the gauges apps
register (`gauge_register`, from their AppConfig.ready(): booking and lead counts). Nothing is queried per
request.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

# Page and API latencies, from a cached page (~1 ms) to a slow bot answer streamed for a minute.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_LATENCY = Histogram(
    "frenchbot_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status class",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
BOT_ANSWERS = Counter(
    "frenchbot_bot_answers_total",
    "Answers the bot finished, by provider and outcome (complete, stopped, error)",
    ["provider", "status"],
)
BOT_PROVIDER_ERRORS = Counter(
    "frenchbot_bot_provider_errors_total",
    "Failures of an LLM provider while the bot answered, by provider and kind of error",
    ["provider", "error"],
)


# The labelled children, found once: `labels()` costs as much as the observation itself. Routes, methods and
# status classes are few, so the dict stays small.
_latency_children: dict[tuple[str, str, int], object] = {}


def request_observe(*, route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status // 100)
    child = _latency_children.get(key)
    if child is None:
        child = REQUEST_LATENCY.labels(
            route=route, method=method if method in _METHODS else "other", status=f"{status // 100}xx"
        )
        _latency_children[key] = child
    child.observe(seconds)


_PROVIDER_KINDS = {
    "frenchbot.llm.providers.extractive.ExtractiveProvider": "extractive",
    "frenchbot.llm.providers.openai_compatible.OpenAICompatibleProvider": "openai",
    "frenchbot.llm.providers.local.LocalLlamaProvider": "local",
}


def provider_label(provider) -> str:
    """The provider as LLM_PROVIDER names it (extractive, openai, local), whatever alias it is configured
    under: "default" would tell the operator nothing."""
    cls = type(provider)
    dotted = f"{cls.__module__}.{cls.__qualname__}"
    return _PROVIDER_KINDS.get(dotted) or cls.__name__.removesuffix("Provider").lower() or "unknown"


def bot_answer_record(*, provider, status: str) -> None:
    BOT_ANSWERS.labels(provider=provider_label(provider), status=status).inc()


def bot_provider_error_record(*, provider, error: Exception) -> None:
    BOT_PROVIDER_ERRORS.labels(provider=provider_label(provider), error=type(error).__name__).inc()


# --- Computed at scrape time --------------------------------------------------------------------------------

Sample = tuple[dict[str, str], float]
_gauges: dict[str, tuple[str, list[str], Callable[[], Iterable[Sample]]]] = {}


def gauge_register(name: str, documentation: str, labels: list[str], collect: Callable[[], Iterable[Sample]]):
    """A gauge computed when Prometheus scrapes: `collect()` yields (labels, value) pairs. Apps register theirs
    in AppConfig.ready(), so that core names none of them."""
    _gauges[name] = (documentation, labels, collect)


def _queue_depth() -> Iterable[Sample]:
    """Tasks waiting to run: ready rows of the database backend, or the RQ queues' lengths."""
    from django.conf import settings

    for alias, config in settings.TASKS.items():
        backend = config.get("BACKEND", "")
        if backend == "django_tasks_db.DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            yield {"backend": alias, "queue": "*"}, DBTaskResult.objects.ready().count()
        elif backend.startswith("django_tasks_rq."):
            try:
                import django_rq
            except ImportError:
                continue
            for queue in config.get("QUEUES") or ["default"]:
                yield {"backend": alias, "queue": queue}, django_rq.get_queue(queue).count


gauge_register("frenchbot_task_queue_depth", "Tasks waiting for a worker", ["backend", "queue"], _queue_depth)


class _ScrapeTimeCollector:
    def collect(self):
        for name, (documentation, labels, collect) in _gauges.items():
            family = GaugeMetricFamily(name, documentation, labels=labels)
            try:
                samples = list(collect())
            except Exception:  # noqa: BLE001 - one failing count must not hide every other series
                logger.exception("Metrics: the gauge %s could not be computed", name)
                continue
            for values, value in samples:
                family.add_metric([str(values.get(label, "")) for label in labels], value)
            yield family


def metrics_render() -> bytes:
    """The Prometheus text exposition of every series: the workers' files added up (this process's own values
    when no multiprocess folder is set), then the scrape-time gauges."""
    gauges = CollectorRegistry()
    gauges.register(_ScrapeTimeCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        from prometheus_client import REGISTRY as counted
    return generate_latest(counted) + generate_latest(gauges)


def metrics_dir_reset(path: str | Path) -> None:
    """Empty the multiprocess folder: the files of workers from an earlier start would be added to the new
    ones forever. Run it once before the workers start, never while they run."""
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


def metrics_allowed(ip: str) -> bool:
    """Whether `ip` is in METRICS_ALLOWED_IPS (addresses or CIDR networks)."""
    import ipaddress

    from django.conf import settings

    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed.strip(), strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: « %s » n'est ni une adresse ni un réseau", allowed)
    return False
