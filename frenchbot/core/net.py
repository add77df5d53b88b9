"""Who is asking: the client's address, behind the configured number of trusted proxies."""

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's IP. X-Forwarded-For is only believed for the proxies we were told to trust."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address


def ip_fingerprint(ip: str) -> str:
    """A keyed hash of an address: enough to recognise a repeat, without keeping the address (GDPR)."""
    return hashlib.blake2b(ip.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()
