"""CSRF: the checks for JSON routes, and the visitor's token made without a system call per character.

Django's `get_token` draws each of a token's characters with `SystemRandom.choice`, one `os.urandom` call
each: 64 system calls for a first-time visitor (the secret and its mask), about as long as answering the
whole cached page. `csrf_token` gives the same token — same alphabet, length, masking and request flags, so
Django's `CsrfViewMiddleware` sets the cookie and checks the forms as before — from one `os.urandom` read
per string, each byte kept only below the largest multiple of the alphabet's size so that every character
stays equally likely.
"""

import os

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware, get_token
from django.utils.functional import SimpleLazyObject

_checker = CsrfViewMiddleware(lambda request: None)

_SIZE = len(CSRF_ALLOWED_CHARS)
# Bytes from 0 to _KEPT - 1 map onto the alphabet _KEPT // _SIZE times each; the few above are dropped.
_KEPT = 256 - 256 % _SIZE
_TO_CHARS = bytes(ord(CSRF_ALLOWED_CHARS[byte % _SIZE]) for byte in range(256))
_DROPPED = bytes(range(_KEPT, 256))
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def csrf_failed(request: HttpRequest) -> bool:
    """True when this unsafe request lacks a valid CSRF token (header X-CSRFToken or form field) and origin."""
    # The middleware skipped the view (ninja marks its views exempt); run the same checks now.
    return _checker.process_view(request, lambda request: None, (), {}) is not None


def random_chars(length: int) -> str:
    """`length` characters drawn uniformly and independently from Django's CSRF alphabet, from os.urandom."""
    drawn = b""
    while len(drawn) < length:
        # A few bytes more than needed: with 8 of 256 values dropped, one read is short about once in 10^7.
        drawn += os.urandom(length + 8).translate(_TO_CHARS, _DROPPED)
    return drawn[:length].decode("ascii")


def csrf_token(request: HttpRequest) -> str:
    """This visitor's masked CSRF token, as Django's `get_token` gives it: a new secret when the request
    carries none (the middleware then sets the cookie), a fresh mask every time."""
    if settings.CSRF_USE_SESSIONS:
        return get_token(request)
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_chars(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = random_chars(CSRF_SECRET_LENGTH)
    return mask + "".join(
        CSRF_ALLOWED_CHARS[(_INDEX[s] + _INDEX[m]) % _SIZE] for s, m in zip(secret, mask, strict=True)
    )


def csrf(request: HttpRequest) -> dict:
    """Context processor: `csrf_token` for templates, made by `csrf_token` and only when a form asks for it.

    Listed after Django's built-in one, whose lazy value it replaces unread."""
    return {"csrf_token": SimpleLazyObject(lambda: csrf_token(request))}
