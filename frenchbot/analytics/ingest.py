"""Receiving the beacons of the page script (and the image of browsers without JavaScript).

This is the hottest code of the site: every page view sends one beacon, and its engagement another. So the
decision is one plain function, `beacon_accept`, with no database round trip (the rate limit is counted in
memory, the path's verdict is memoised, the event goes to the buffer), used by `AnalyticsASGI` before Django's
middleware and by the Django views for the servers that are not our ASGI stack.

What is kept of a beacon is decided here: the path without its query, the campaign parameters, the referrer's
domain, a class of device, a country, the visitor number of the day, and for engagement a duration and a scroll
depth. Never the address, the user agent nor the referrer's full address. Every answer has an empty body (the
image aside) and `Cache-Control: no-store`; no input yields a 500."""

import asyncio
import base64
import functools
import json
import logging
import re
import threading
import time
import urllib.parse

from django.conf import settings
from django.db import connections
from django.urls import resolve
from django.utils import timezone

from frenchbot.core.middleware import request_log_quiet
from frenchbot.core.net import client_ip_from_scope, ip_fingerprint

from . import geo
from .buffers import get_buffer
from .hashing import salt_ready, visitor_hash
from .models import Hit
from .useragents import device_class, is_bot

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2048
MAX_DURATION_SECONDS = 6 * 3600
MAX_PATH_LENGTH = 255
# Pages that are not the audience's: the back-office, the admin, accounts, the machinery itself, and a person's
# own data (whose address carries the signed link that opens it).
EXCLUDED_PREFIXES = (
    "/admin/",
    "/equipe/",
    "/api/",
    "/mesure/",
    "/static/",
    "/media/",
    "/healthz",
    "/compte",
    "/donnees-personnelles/acces/",
    "/donnees-personnelles/mes-donnees/",
)

ACCEPTED, IGNORED = 202, 204
BAD_REQUEST, FORBIDDEN, TOO_LARGE, TOO_MANY, UNAVAILABLE = 400, 403, 413, 429, 503

# The smallest transparent GIF (1×1).
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HOSTNAME_RE = re.compile(r"[\w.-]+")
_NUMBER = (int, float)


# --- The rate limit, in this process's memory -------------------------------------------------------------


class _MinuteCounter:
    """Beacons per address fingerprint in the current minute; the previous minute's counts are dropped
    whole when the minute changes, so the table never holds more than one minute of addresses."""

    # A flood of spoofed addresses cannot grow the table without bound either.
    MAX_KEYS = 200_000

    def __init__(self):
        self._lock = threading.Lock()
        self._minute = -1
        self._counts: dict[str, int] = {}

    def allow(self, ip: str, limit: int) -> bool:
        if limit <= 0:
            return True
        key = ip_fingerprint(ip)
        minute = int(time.time() // 60)
        with self._lock:
            if minute != self._minute or len(self._counts) >= self.MAX_KEYS:
                self._minute = minute
                self._counts = {}
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
        return count <= limit

    def reset(self) -> None:
        with self._lock:
            self._counts = {}


rate_counter = _MinuteCounter()


# --- What every beacon asks again: answered once ------------------------------------------------------------

# A browser sends the same user agent with each beacon, and the robots' expression is the dearest test of the
# beacon: the verdict of the last user agents seen is kept (their text only, in this process's memory).
_is_bot = functools.lru_cache(maxsize=2048)(is_bot)

_day_memo: tuple = (None, None)


def _local_day():
    """Today in TIME_ZONE (the salt's day), worked out once a minute: midnight falls on a whole minute in every
    time zone, and `timezone.localdate()` costs as much as the hash itself."""
    global _day_memo
    key = (int(time.time() // 60), timezone.get_default_timezone())
    memo = _day_memo
    if memo[0] != key:
        memo = _day_memo = (key, timezone.localdate(timezone=key[1]))
    return memo[1]


# --- Parsing --------------------------------------------------------------------------------------------


def _clean(value: str, limit: int) -> str:
    return _CONTROL_RE.sub("", value).strip()[:limit]


def _hostname(value: str) -> str:
    """The host name of an "http(s)://" address or of a Host header, lower-cased, without port."""
    return value.rsplit("@", 1)[-1].split(":", 1)[0].lower() if value else ""


def _same_origin(origin: str, host: str) -> bool:
    parts = urllib.parse.urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def referrer_domain(referrer: str, *, host: str) -> str:
    """The referrer's domain without "www."; "" for this site, a non-web address or anything invalid."""
    if not referrer:
        return ""
    try:
        parts = urllib.parse.urlsplit(referrer)
        name = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not _HOSTNAME_RE.fullmatch(name):
        return ""
    name = name.removeprefix("www.").strip(".")
    if not name or name == _hostname(host).removeprefix("www."):
        return ""
    return name[:120]


def campaign(query: str) -> dict[str, str]:
    """utm_source, utm_medium and utm_campaign of a query string (`ref` or `source` stand for utm_source)."""
    values = urllib.parse.parse_qs(query, max_num_fields=50) if query else {}

    def first(name: str) -> str:
        found = values.get(name)
        return _clean(found[0], 100) if found else ""

    return {
        "utm_source": first("utm_source") or first("ref") or first("source"),
        "utm_medium": first("utm_medium"),
        "utm_campaign": first("utm_campaign"),
    }


# Converters whose values name public things (an article, a training, a lesson number). Any other part of an
# address (a token, a UUID, a code) is a key to something private — a booking, an audit report, a newsletter
# subscription — and is never kept: "/audit/resultat/<uuid>/" is counted as "/audit/resultat/…/".
_PUBLIC_CONVERTERS = {"slug", "int"}
_ROUTE_PART_RE = re.compile(r"<(?:(\w+):)?(\w+)>")
PRIVATE_PART = "…"


@functools.lru_cache(maxsize=4096)
def _path_counted(path: str, urlconf: str) -> str | None:
    """The path as counted: `path` itself, its private parts replaced by « … », or None when it is not a page
    of the site. Memoised: resolving at every beacon would cost more than the rest of the beacon (unknown
    paths are bounded by the cache size, and limited by the rate)."""
    try:
        match = resolve(path, urlconf)
    except Exception:  # Resolver404, or a converter refusing a value: not one of our pages
        return None
    route = match.route or ""
    if "<" not in route:
        return path

    def part(found: re.Match) -> str:
        converter, name = found.group(1) or "str", found.group(2)
        return str(match.kwargs.get(name, PRIVATE_PART)) if converter in _PUBLIC_CONVERTERS else PRIVATE_PART

    return "/" + _ROUTE_PART_RE.sub(part, route)


def page_path(url: str) -> tuple[str, str] | None:
    """(path, query) of a page address as the script sends it ("/blog/x/?utm_source=y"), or None when it is
    not a page of the audience."""
    if not url.startswith("/") or url.startswith("//"):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parts.path, errors="strict") if "%" in parts.path else parts.path
    except ValueError:  # UnicodeDecodeError included: a forged escape
        return None
    if len(path) > MAX_PATH_LENGTH or _CONTROL_RE.search(path) or path.startswith(EXCLUDED_PREFIXES):
        return None
    counted = _path_counted(path, settings.ROOT_URLCONF)
    if counted is None:
        return None
    return counted, parts.query


def _opted_out(headers: dict[str, str]) -> bool:
    return headers.get("dnt") == "1" or headers.get("sec-gpc") == "1"


# --- Accepting ------------------------------------------------------------------------------------------


def _event(
    *, kind: int, url: str, referrer: str, width, headers: dict[str, str], ip: str, host: str
) -> dict | None:
    target = page_path(url)
    if target is None:
        return None
    path, query = target
    user_agent = headers.get("user-agent", "")[:512]
    day = _local_day()
    return {
        "at": time.time(),
        "day": day.isoformat(),
        "visitor": visitor_hash(ip=ip, user_agent=user_agent, day=day),
        "kind": kind,
        "path": path,
        "referrer": referrer_domain(referrer, host=host),
        **campaign(query),
        "device": device_class(user_agent, width),
        "country": geo.country_code(ip) if settings.ANALYTICS_COUNTRIES else "",
    }


def _screen_width(value) -> int | None:
    return value if type(value) is int and 0 < value < 100_000 else None


def _clamp(value, high: int) -> int:
    return int(min(max(value, 0), high))


def _beacon(*, body: bytes, headers: dict[str, str], ip: str, host: str) -> int:
    if len(body) > MAX_BODY_BYTES:
        return TOO_LARGE
    origin = headers.get("origin")
    if origin is not None and not _same_origin(origin, host):
        return FORBIDDEN
    if not rate_counter.allow(ip, settings.ANALYTICS_RATE_PER_MINUTE):
        return TOO_MANY
    if not settings.ANALYTICS_ENABLED or _opted_out(headers) or _is_bot(headers.get("user-agent", "")):
        return IGNORED
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return BAD_REQUEST
    if not isinstance(data, dict):
        return BAD_REQUEST
    kind, url, referrer = data.get("k"), data.get("u"), data.get("r", "")
    width, duration, scroll = data.get("w"), data.get("d"), data.get("s")
    if (
        kind not in ("v", "e")
        or not isinstance(url, str)
        or not isinstance(referrer, str | None)
        or not isinstance(width, int | None)
        or any(v is not None and (type(v) not in _NUMBER or v != v) for v in (duration, scroll))
    ):
        return BAD_REQUEST
    event = _event(
        kind=int(Hit.Kind.PAGEVIEW if kind == "v" else Hit.Kind.ENGAGEMENT),
        url=url,
        referrer=referrer or "",
        width=_screen_width(width),
        headers=headers,
        ip=ip,
        host=host,
    )
    if event is None:
        return BAD_REQUEST
    if kind == "e":
        event["duration"] = None if duration is None else _clamp(duration, MAX_DURATION_SECONDS)
        event["scroll"] = None if scroll is None else _clamp(scroll, 100)
    get_buffer().push(event)
    return ACCEPTED


def beacon_accept(*, body: bytes, headers: dict[str, str], ip: str, host: str) -> int:
    """Decide on one beacon and keep its event; returns the HTTP status to answer (202 kept, 204 left out on
    purpose, 4xx refused). `headers` have lower-case names; `host` is the request's Host header."""
    try:
        return _beacon(body=body, headers=headers, ip=ip, host=host)
    except Exception:  # a beacon never costs a 500: the failure is logged, the page does not care
        logger.exception("analytics: beacon not recorded")
        return UNAVAILABLE


def pixel_accept(*, headers: dict[str, str], ip: str, host: str) -> int:
    """The image of `<noscript>`: a page view of the page named by the Referer (same host only; the site's
    Referrer-Policy "same-origin" sends the full address to itself). Returns the status the beacon would have
    had; the image is answered whatever it is."""
    referer = headers.get("referer", "")
    try:
        parts = urllib.parse.urlsplit(referer)
    except ValueError:
        return BAD_REQUEST
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return BAD_REQUEST
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    body = json.dumps({"k": "v", "u": url}).encode()
    # The Origin check does not apply: an image request carries none, and the Referer was checked above.
    headers = {name: value for name, value in headers.items() if name != "origin"}
    return beacon_accept(body=body, headers=headers, ip=ip, host=host)


# --- Before Django: the ASGI layer ----------------------------------------------------------------------


def _asgi_headers(status: int, *, length: int, content_type: bytes | None = None) -> list:
    headers = [(b"cache-control", b"no-store")]
    if status != IGNORED:
        headers.append((b"content-length", str(length).encode()))
    if content_type:
        headers += [(b"content-type", content_type), (b"x-content-type-options", b"nosniff")]
    return headers


async def _read_body(receive, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past `limit` (the rest is never read)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _in_thread(function, **kwargs) -> int:
    try:
        return function(**kwargs)
    finally:
        # Outside Django's request cycle nobody else closes this thread's connections.
        connections.close_all()


class AnalyticsASGI:
    """Answers the beacon and the image before Django: no middleware, no thread hand-off when the event can
    be kept without waiting (the memory buffer, the day's salt known, the countries loaded); otherwise the
    decision runs in a thread so that the event loop never waits on the database or Redis."""

    def __init__(self, app):
        self.app = app
        self.beacon_path = settings.ANALYTICS_BEACON_PATH
        self.pixel_path = settings.ANALYTICS_PIXEL_PATH

    async def __call__(self, scope, receive, send):
        path = scope.get("path") if scope["type"] == "http" else None
        if path == self.beacon_path:
            await self._beacon(scope, receive, send)
        elif path == self.pixel_path:
            await self._pixel(scope, send)
        else:
            await self.app(scope, receive, send)

    async def _decide(self, function, **kwargs) -> int:
        inline = getattr(get_buffer(), "nonblocking", False) and salt_ready(day=_local_day())
        if inline and (geo.geo_ready() or not settings.ANALYTICS_COUNTRIES):
            return function(**kwargs)
        return await asyncio.to_thread(_in_thread, function, **kwargs)

    async def _beacon(self, scope, receive, send):
        if scope["method"] != "POST":
            await send(
                {"type": "http.response.start", "status": 405, "headers": _asgi_headers(405, length=0)}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        body = None
        declared = headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) <= MAX_BODY_BYTES:
            body = await _read_body(receive, MAX_BODY_BYTES)
        if body is None:
            status = TOO_LARGE
        else:
            status = await self._decide(
                beacon_accept,
                body=body,
                headers=headers,
                ip=client_ip_from_scope(scope),
                host=headers.get("host", ""),
            )
        if status in (ACCEPTED, IGNORED):
            # One or two a page view: an access line each would bury the site's own lines (and cost the
            # process more than the beacon). They stay counted in the request metrics; refusals keep their line.
            request_log_quiet(scope)
        await send(
            {"type": "http.response.start", "status": status, "headers": _asgi_headers(status, length=0)}
        )
        await send({"type": "http.response.body", "body": b""})

    async def _pixel(self, scope, send):
        if scope["method"] not in ("GET", "HEAD"):
            await send(
                {"type": "http.response.start", "status": 405, "headers": _asgi_headers(405, length=0)}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        await self._decide(
            pixel_accept, headers=headers, ip=client_ip_from_scope(scope), host=headers.get("host", "")
        )
        start = _asgi_headers(200, length=len(PIXEL_GIF), content_type=b"image/gif")
        await send({"type": "http.response.start", "status": 200, "headers": start})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else PIXEL_GIF})
