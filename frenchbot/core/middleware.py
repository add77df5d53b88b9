import functools
import logging
import time

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from . import logs, metrics
from .net import client_ip, client_ip_from_scope
from .storage import StorageUnavailable

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Adds a Content-Security-Policy to the site's pages (the admin and the API docs keep their own rules)."""

    exempt_prefixes = ("/admin/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and not request.path.startswith(self.exempt_prefixes):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


# The state an ASGI request shares between `RequestLogASGI` (timing, status, size, the access line) and
# `RequestLogMiddleware` (the route, which only Django's URL resolver knows).
_SCOPE_KEY = "frenchbot.requestlog"


def _route_and_path(path: str, resolver_match) -> tuple[str, str]:
    return logs.route_of(resolver_match), logs.path_for_log(path, resolver_match)


@functools.lru_cache(maxsize=4096)
def _resolved(path: str, urlconf: str) -> tuple[str, str]:
    """Route and loggable path of a path answered from the page cache: the cached pages are a bounded set, and
    resolving again at every hit would cost more than serving the copy."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        match = None
    return _route_and_path(path, match)


class RequestLogMiddleware:
    """Outermost Django middleware: the request id (sent back as X-Request-ID), the route in every log line of
    the request, the access line and the latency series.

    Under ASGI, `RequestLogASGI` wraps the whole application (cached pages answered before Django included)
    and does the timing and the access line; this middleware then only gives it the route. Under WSGI (the
    test client, runserver) it does everything itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The route is known from here on: the view's own log lines carry it.
        context = logs.context_current()
        if context is not None:
            context.route = logs.route_of(request.resolver_match)

    def __call__(self, request):
        state = getattr(request, "scope", {}).get(_SCOPE_KEY)
        if state is not None:
            response = self.get_response(request)
            state["route"], state["path"] = _route_and_path(request.path, request.resolver_match)
            context = logs.context_current()
            if context is not None:
                context.route = state["route"]
            return response
        started = time.perf_counter()
        request_id = logs.request_id_for(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = logs.context_begin(request_id=request_id, method=request.method, path=request.path)
        try:
            response = self.get_response(request)
            route, path = _route_and_path(request.path, request.resolver_match)
            logs.context_current().route = route
            response.headers.setdefault("X-Request-ID", request_id)
            seconds = time.perf_counter() - started
            if response.streaming:
                size = int(response["Content-Length"]) if response.has_header("Content-Length") else None
            else:
                size = len(response.content)
            _record(
                method=request.method,
                route=route,
                path=path,
                query=request.META.get("QUERY_STRING", ""),
                status=response.status_code,
                seconds=seconds,
                size=size,
                request_id=request_id,
                ip=client_ip(request),
            )
            return response
        finally:
            logs.context_end(token)


def request_log_quiet(scope) -> None:
    """No access line for this ASGI request; it is still timed and counted in the metrics. For answers so
    frequent and so alike that their lines would bury the others (the audience beacons, one or two per page
    view): their rate, latency and status class stay in the metrics, per route."""
    state = scope.get(_SCOPE_KEY)
    if state is not None:
        state["quiet"] = True


def _record(*, method, route, path, query, status, seconds, size, request_id, ip, line=True) -> None:
    metrics.request_observe(route=route, method=method, status=status, seconds=seconds)
    if line and settings.ACCESS_LOG:
        logs.access_log(
            method=method,
            route=route,
            path=path,
            query=logs.query_names(query),
            status=status,
            duration_ms=seconds * 1000,
            size=size,
            request_id=request_id,
            client=logs.client_for_log(ip),
        )


class RequestLogASGI:
    """Wraps the ASGI application (outside the page cache): every HTTP request, answered from the cache or by
    Django, streamed or not, gets its request id, its latency observed once its last byte is sent, and one
    access line."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), None
        )
        request_id = logs.request_id_for(incoming)
        state = {"status": 500, "size": 0, "sized": False}
        scope = {**scope, _SCOPE_KEY: state}
        token = logs.context_begin(request_id=request_id, method=scope["method"], path=scope["path"])

        async def observed_send(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                state["size"] += len(message.get("body", b""))
                state["sized"] = True
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            if "route" not in state:
                # Answered before Django (a cached page): the resolver still names its route.
                state["route"], state["path"] = _resolved(scope["path"], settings.ROOT_URLCONF)
            line = not state.get("quiet")
            _record(
                method=scope["method"],
                route=state["route"],
                path=state["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                status=state["status"],
                seconds=time.perf_counter() - started,
                size=state["size"] if state["sized"] else None,
                request_id=request_id,
                ip=client_ip_from_scope(scope) if line else "",
                line=line,
            )
            logs.context_end(token)


class StorageUnavailableMiddleware:
    """The object storage down or refusing our key during an upload (the admin): a 503 page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.warning("%s: object storage unavailable", request.path, exc_info=exception)
        context = {
            "title": _("Fichier momentanément indisponible"),
            "message": _(
                "Le stockage des fichiers ne répond pas : le fichier n'a pas été enregistré. Réessayez dans quelques minutes."
            ),
        }
        return render(request, "core/error.html", context, status=503)
