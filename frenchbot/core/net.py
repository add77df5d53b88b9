"""Who is asking: the client's address, behind the configured number of trusted proxies."""

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's IP. X-Forwarded-For is only believed for the proxies we were told to trust."""
    return client_ip_from_meta(request.META)


def client_ip_from_meta(meta) -> str:
    """`client_ip` for what a request's META holds (REMOTE_ADDR, HTTP_X_FORWARDED_FOR)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return meta.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address


def client_ip_from_scope(scope) -> str:
    """`client_ip` for an ASGI scope, before Django has built a request from it."""
    meta = {"REMOTE_ADDR": (scope.get("client") or ("", 0))[0]}
    forwarded = [
        value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
    ]
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = ",".join(forwarded)
    return client_ip_from_meta(meta)


def ip_fingerprint(ip: str) -> str:
    """A keyed hash of an address: enough to recognise a repeat, without keeping the address (GDPR)."""
    return hashlib.blake2b(ip.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()
