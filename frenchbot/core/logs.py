"""Log lines: the request they belong to, JSON on demand, and the access line written for every request.

`LOG_FORMAT=json` turns every line (ours, Django's, the libraries') into one JSON object per line, which a log
shipper (journald → Loki, Vector, Fluent Bit) reads without parsing rules; `text` (the default) stays readable in
a terminal. Either way, a line written while a request is served carries that request's id, method and route, so
that the access line and the warnings of one request can be found together.

What the access line records about a visitor is decided here and nowhere else (RGPD): no query-string values,
no captured URL values but slugs, no e-mail address, and the client's address only as `ACCESS_LOG_CLIENT` says.
"""

from __future__ import annotations

import contextvars
import datetime
import ipaddress
import json
import logging
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings

access_logger = logging.getLogger("frenchbot.access")


@dataclass
class RequestContext:
    """What the log lines of one request share; `route` is filled in once Django has resolved the URL."""

    request_id: str
    method: str
    path: str
    route: str = ""
    extra: dict = field(default_factory=dict)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "frenchbot_request", default=None
)

# An id sent by our own proxy is kept so that its log and ours match; anything else is replaced.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_EMAIL_RE = re.compile(r"[^\s/@?&=]+@[^\s/@?&=]+\.[A-Za-z]{2,}")
# Captured URL values that are safe and useful to keep in a logged path (which article, which training).
_KEPT_URL_VALUES = re.compile(r"(^|_)slug$|^(year|month|day|page|lang|language)$")


def request_id_for(incoming: str | None) -> str:
    if incoming and _REQUEST_ID_RE.match(incoming):
        return incoming
    return secrets.token_hex(16)


def context_begin(*, request_id: str, method: str, path: str) -> contextvars.Token:
    return _current.set(RequestContext(request_id=request_id, method=method, path=path))


def context_end(token: contextvars.Token) -> None:
    _current.reset(token)


def context_current() -> RequestContext | None:
    return _current.get()


def route_of(resolver_match) -> str:
    """The URL pattern that served a request (`blog/<slug:slug>/`), bounded in number: a label for metrics."""
    if resolver_match is None:
        return "unmatched"
    return "/" + (resolver_match.route or resolver_match.view_name or "unmatched").lstrip("/")


def path_for_log(path: str, resolver_match=None) -> str:
    """The path without personal values: captured URL values (tokens, codes, ids) become `<name>` unless they
    are slugs, and e-mail addresses are masked. The query string is never part of it."""
    if resolver_match is not None:
        for name, value in resolver_match.kwargs.items():
            if isinstance(value, str | int) and str(value) and not _KEPT_URL_VALUES.search(name):
                path = path.replace(str(value), f"<{name}>")
        for value in resolver_match.args:
            if isinstance(value, str | int) and str(value):
                path = path.replace(str(value), "<>")
    return _EMAIL_RE.sub("<e-mail>", path)[:300]


def query_names(query_string: str) -> str:
    """The names of the query parameters, without their values (`q,page`): what was asked, not what was typed."""
    names = []
    for part in query_string.split("&"):
        name = part.split("=", 1)[0]
        if name and name not in names:
            names.append(_EMAIL_RE.sub("<e-mail>", name)[:40])
    return ",".join(names[:20])


def client_for_log(ip: str) -> str:
    """The client as `ACCESS_LOG_CLIENT` allows: "fingerprint" (a keyed hash: repeats are recognised, the
    address is not kept), "truncated" (the network: /24 in IPv4, /48 in IPv6), or "none"."""
    mode = settings.ACCESS_LOG_CLIENT
    if mode == "none" or not ip:
        return ""
    if mode == "truncated":
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return ""
        prefix = 24 if address.version == 4 else 48
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    from .net import ip_fingerprint

    return ip_fingerprint(ip)[:16]


def access_log(
    *,
    method: str,
    route: str,
    path: str,
    query: str,
    status: int,
    duration_ms: float,
    size: int | None,
    request_id: str,
    client: str,
) -> None:
    """One line per request, readable as text and complete as JSON (the fields go in `extra`)."""
    fields = {
        "method": method,
        "route": route,
        "path": path,
        "query": query,
        "status": status,
        "duration_ms": round(duration_ms, 1),
        "size": size,
        "request_id": request_id,
        "client": client,
    }
    shown = f"{path}?{query}" if query else path
    access_logger.info(
        "%s %s %s %.1f ms %s o",
        method,
        shown,
        status,
        duration_ms,
        "-" if size is None else size,
        extra={"access": fields},
    )


class RequestContextFilter(logging.Filter):
    """Adds the current request's fields to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django's "Not Found: <path>" and the like: an address typed into a URL is not ours to keep.
        if isinstance(record.args, tuple) and any(isinstance(arg, str) and "@" in arg for arg in record.args):
            record.args = tuple(
                _EMAIL_RE.sub("<e-mail>", a) if isinstance(a, str) else a for a in record.args
            )
        context = _current.get()
        record.request_id = context.request_id if context else "-"
        record.route = context.route if context else ""
        record.method = context.method if context else ""
        return True


_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "route",
    "method",
    "access",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request's fields when there
    is a request, the access fields on access lines, the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _current.get()
        if context is not None:
            data["request"] = {"id": context.request_id, "method": context.method, "route": context.route}
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            data.update(access)
            data.pop("request", None)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        # Plain extra values only: an object's repr (Django's `request`) would carry the query string.
        for key in record.__dict__.keys() - _STANDARD_ATTRS - data.keys():
            value = record.__dict__[key]
            if isinstance(value, str | int | float | bool | None):
                data[key] = value
        return json.dumps(data, ensure_ascii=False)
