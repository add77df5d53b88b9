"""Whole-page cache for anonymous visitors, with the per-visitor parts filled in at each request.

A public page is the same for every anonymous visitor but for a few tokens: the CSRF token of its forms
and, on articles, the signed time stamp of the comment form. Such a page is rendered once with
placeholders and kept in the cache with its final headers; each request gets a copy with fresh tokens.

Two layers serve the copies: `render_cached` inside Django (any server), and `PageCacheASGI`, which wraps
the ASGI application and answers a cached page before Django's middleware and thread hand-offs run —
most of the cost of a request under ASGI. Only GET/HEAD requests with no query string and none of the
cookies that make a page personal (`PAGE_CACHE_PRIVATE_COOKIES`) are ever served a shared copy.
"""

import datetime
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse, parse_cookie
from django.shortcuts import render
from django.utils import timezone, translation

from .cache import cache_counter_bump
from .cache_backends import KeptAsIs
from .csrf import csrf_token

CSRF_PLACEHOLDER = "fbcsrfplaceholder0000000000000000000000000000000000000000000000"
_VERSION_KEY = "pagecache:version"
_CSRF_SECRET_RE = re.compile(r"^[a-zA-Z0-9]{32}$")
_NOT_STORED_HEADERS = {"set-cookie", "content-length"}

# Placeholder → function making the visitor's value; apps register theirs in AppConfig.ready().
_tokens: dict[str, Callable[[], str]] = {}


def register_token(placeholder: str, make: Callable[[], str]) -> None:
    _tokens[placeholder] = make


def _version_read(backend) -> int | None:
    """The counter, started again from a value never used before when it is missing; None when the cache does
    not answer."""
    version = backend.get(_VERSION_KEY)
    if version is None:
        backend.add(_VERSION_KEY, time.time_ns(), timeout=None)
        version = backend.get(_VERSION_KEY)
    return version


def pagecache_version(backend=None) -> int:
    """A counter that every write changing a public page bumps; cached copies are keyed on it.

    When the counter is missing (first start, evicted, a cache server restarted) it starts again from a value
    never used before, the clock in nanoseconds: what a process keyed on an earlier value is never taken for
    current (the rendered fragments each process keeps in its own memory rely on it).
    """
    version = _version_read(backend or cache)
    return version if version is not None else 1


def public_version(request: HttpRequest) -> int | None:
    """The public-content version for this request, read once per request; None when the cache does not answer
    (fragments are then rendered afresh, never taken from memory)."""
    if not hasattr(request, "_public_version"):
        request._public_version = _version_read(cache)
    return request._public_version


_NOT_KEPT = object()


def public_kept(
    *,
    version: int | None,
    key: str,
    make: Callable[[], object],
    until: Callable[[object], datetime.datetime | None] | None = None,
):
    """`make()`, kept in this process's memory under the public-content `version` (fragments on) until the
    next write moves the version on, as the pages' fragments are; each call gets its own copy. For what is the
    same for every visitor only. A None result is never kept. `until(value)`: the moment the value stops being
    true without any write (an event ends), after which it is made again; None for never."""
    return public_kept_many(version=version, keys=[key], make=lambda missing: {key: make()}, until=until)[key]


def public_kept_many(
    *,
    version: int | None,
    keys: list[str],
    make: Callable[[list[str]], dict[str, object]],
    until: Callable[[object], datetime.datetime | None] | None = None,
    shared: bool = False,
) -> dict[str, object]:
    """`public_kept` for several values read together: `make(missing keys)` answers {key: value} for those
    not kept, in one go (the outlines of a list of trainings in the same queries).

    `shared=True` hands every caller of this process the same objects instead of a copy each (no unpickling
    on each read): only for values nobody changes after reading them, public rows that pages only display.
    A value a request marks with something of its own (a learner's progress) must be copied first."""
    if version is None or settings.FRAGMENT_CACHE_SECONDS <= 0:
        return make(list(keys))
    store = caches["template_fragments"]
    now = timezone.now() if until is not None else None
    found: dict[str, object] = {}
    for key in keys:
        entry = store.get(f"kept:{key}:{version}", _NOT_KEPT)
        if entry is not _NOT_KEPT and (entry[1] is None or now < entry[1]):
            found[key] = entry[0].value if isinstance(entry[0], KeptAsIs) else entry[0]
    missing = [key for key in keys if key not in found]
    if missing:
        made = make(missing)
        for key in missing:
            value = made.get(key)
            found[key] = value
            if value is not None:
                moment = until(value) if until is not None else None
                kept = KeptAsIs(value) if shared else value
                store.set(f"kept:{key}:{version}", (kept, moment), settings.FRAGMENT_CACHE_SECONDS)
    return found


def pagecache_invalidate() -> None:
    cache_counter_bump(_VERSION_KEY)


def _private(cookies: dict[str, str]) -> bool:
    return any(name in cookies for name in settings.PAGE_CACHE_PRIVATE_COOKIES)


def page_cache_applies(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not _private(request.COOKIES)
    )


def _key(*, path: str, language: str, host: str, backend=None) -> str:
    return f"pagecache:{pagecache_version(backend)}:{language}:{host}:{path}"


def _request_key(request: HttpRequest) -> str:
    return _key(path=request.path, language=translation.get_language(), host=request.get_host())


def tokens_fill(template: str, *, csrf_token: str) -> str:
    """`template` with the visitor's CSRF token and a fresh value for each registered placeholder."""
    html = template.replace(CSRF_PLACEHOLDER, csrf_token)
    for placeholder, make in _tokens.items():
        if placeholder in html:
            html = html.replace(placeholder, make())
    return html


def _fill(template: str, request: HttpRequest) -> str:
    return tokens_fill(template, csrf_token=csrf_token(request))


# How long a process reuses a copy it read from the shared cache (the copy's own expiry is thus passed by at
# most this much), and how many it keeps.
_COPY_REUSE_SECONDS = 1.0
_COPIES_KEPT = 256


def _template_parts(template: str) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """The shared copy cut at its placeholders: the text around them as UTF-8, and the placeholders in order."""
    pattern = re.compile("|".join(re.escape(name) for name in (CSRF_PLACEHOLDER, *_tokens)))
    return tuple(part.encode() for part in pattern.split(template)), tuple(pattern.findall(template))


def _parts_fill(parts: tuple[bytes, ...], placeholders: tuple[str, ...], request: HttpRequest) -> bytes:
    """The page for this visitor, as `tokens_fill` makes it: one value per placeholder, wherever it stands."""
    values: dict[str, bytes] = {}
    page = [parts[0]]
    for placeholder, part in zip(placeholders, parts[1:], strict=True):
        value = values.get(placeholder)
        if value is None:
            made = csrf_token(request) if placeholder == CSRF_PLACEHOLDER else _tokens[placeholder]()
            value = values[placeholder] = made.encode()
        page += (value, part)
    return b"".join(page)


def render_cached(
    request: HttpRequest, *, template: str, context: Callable[[dict[str, str]], dict]
) -> HttpResponse:
    """Render `template` for this request, sharing one rendering between anonymous visitors.

    `context(values)` builds the template context; `values` maps each registered placeholder to the value to
    put in the page: the placeholder itself for the shared copy, a real value for a personal page.
    """
    if not page_cache_applies(request):
        return render(request, template, context({name: make() for name, make in _tokens.items()}))
    entry = cache.get(_request_key(request))
    if entry is not None:
        html, headers = entry
        response = HttpResponse(_fill(html, request))
        for name, value in headers:
            response.headers[name] = value
        return response
    data = context({name: name for name in _tokens})
    data["csrf_token"] = CSRF_PLACEHOLDER
    shared = render(request, template, data).content.decode()
    response = HttpResponse(_fill(shared, request))
    response.pagecache_template = shared
    return response


class PageCacheMiddleware:
    """Outermost middleware: stores a shared copy with the headers every other middleware has added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        shared = getattr(response, "pagecache_template", None)
        if shared is not None and response.status_code == 200 and page_cache_applies(request):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED_HEADERS]
            cache.set(_request_key(request), (shared, headers), settings.PAGE_CACHE_SECONDS)
        return response


# The Set-Cookie header of the last second, for a placeholder secret: Django writes the same header for
# every visitor but for the secret and the expiry date, which moves once a second.
_cookie_header_of_second: tuple[tuple, str] = ((), "")


def _csrf_cookie_header(secret: str) -> str:
    """The header Django's CsrfViewMiddleware would set for this secret."""
    global _cookie_header_of_second
    name = settings.CSRF_COOKIE_NAME
    options = {
        "max_age": settings.CSRF_COOKIE_AGE,
        "domain": settings.CSRF_COOKIE_DOMAIN,
        "path": settings.CSRF_COOKIE_PATH,
        "secure": settings.CSRF_COOKIE_SECURE,
        "httponly": settings.CSRF_COOKIE_HTTPONLY,
        "samesite": settings.CSRF_COOKIE_SAMESITE,
    }
    stamp = (int(time.time()), name, *options.values())
    made_for, header = _cookie_header_of_second
    if made_for != stamp:
        carrier = HttpResponse()
        carrier.set_cookie(name, CSRF_PLACEHOLDER, **options)
        header = carrier.cookies[name].OutputString()
        _cookie_header_of_second = (stamp, header)
    return header.replace(CSRF_PLACEHOLDER, secret, 1)


def _secure(scope, headers: dict[str, str]) -> bool:
    """Whether the request came over HTTPS: its own scheme, or the proxy's header named by
    SECURE_PROXY_SSL_HEADER (as Django's ``request.is_secure`` reads it)."""
    if scope.get("scheme") == "https":
        return True
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        name, value = proxy
        header = name.removeprefix("HTTP_").replace("_", "-").lower()
        return headers.get(header, "").split(",")[0].strip() == value
    return False


class PageCacheASGI:
    """Answers cached public pages before Django runs; everything else goes to `app` untouched."""

    def __init__(self, app):
        self.app = app
        # One cache client for the event loop's thread: Django's `cache` is per async context, which under
        # ASGI means per request, and would open a new connection each time with Redis.
        self.cache = None
        # Copies read from the shared cache, ready to fill: {key: (read at, parts, placeholders, headers)}.
        self._copies: dict[str, tuple[float, tuple[bytes, ...], tuple[str, ...], list]] = {}

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not scope.get("query_string")
            and settings.PAGE_CACHE_SECONDS > 0
        ):
            served = self._cached_response(scope)
            if served is not None:
                status, headers, body = served
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)

    def _cached_response(self, scope):
        raw = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers", [])}
        if settings.SECURE_SSL_REDIRECT and not _secure(scope, raw):
            # Django's SecurityMiddleware answers with the redirect to HTTPS: a copy must not skip it.
            return None
        cookies = parse_cookie(raw.get("cookie", ""))
        if _private(cookies):
            return None
        request = HttpRequest()
        request.COOKIES = cookies
        request.META = {
            "HTTP_ACCEPT_LANGUAGE": raw.get("accept-language", ""),
            "HTTP_HOST": raw.get("host", ""),
        }
        language = translation.get_language_from_request(request)
        if self.cache is None:
            self.cache = caches.create_connection("default")
        key = _key(path=scope["path"], language=language, host=request.META["HTTP_HOST"], backend=self.cache)
        copy = self._copy(key)
        if copy is None:
            return None
        parts, placeholders, stored_headers = copy
        secret = cookies.get(settings.CSRF_COOKIE_NAME, "")
        if _CSRF_SECRET_RE.match(secret):
            request.META["CSRF_COOKIE"] = secret
        body = _parts_fill(parts, placeholders, request)
        headers = [*stored_headers, (b"content-length", str(len(body)).encode())]
        if not _CSRF_SECRET_RE.match(secret):
            headers.append(
                (b"set-cookie", _csrf_cookie_header(request.META["CSRF_COOKIE"]).encode("latin-1"))
            )
        return 200, headers, body

    def _copy(self, key: str):
        """The copy stored under `key`, cut at its placeholders, with its headers encoded; None when there is
        none. The key carries the public-content version, read from the shared cache on every request, so a
        write shows at once; the same copy is otherwise reused by this process for at most
        _COPY_REUSE_SECONDS, instead of being read and unpickled again for each visitor."""
        now = time.monotonic()
        kept = self._copies.get(key)
        if kept is not None and now - kept[0] < _COPY_REUSE_SECONDS:
            return kept[1:]
        entry = self.cache.get(key)
        if entry is None:
            self._copies.pop(key, None)
            return None
        html, stored_headers = entry
        parts, placeholders = _template_parts(html)
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in stored_headers]
        if len(self._copies) >= _COPIES_KEPT:
            self._copies.clear()  # older versions' copies, or many pages: start again
        self._copies[key] = (now, parts, placeholders, headers)
        return parts, placeholders, headers
