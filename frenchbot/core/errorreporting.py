"""Error reporting to Sentry or GlitchTip (both speak the Sentry protocol), on only when SENTRY_DSN is set.

What leaves the server is the error and where it happened, not who met it (RGPD): `send_default_pii=False`
keeps out the user, cookies and the client's address, request bodies (forms with names and e-mail addresses) are
never attached, nor are the local variables of the failing frames, and the query string and any e-mail address in the URL are removed before sending.
"""

from __future__ import annotations

import re
from importlib import metadata

_EMAIL_RE = re.compile(r"[^\s/@?&=]+@[^\s/@?&=]+\.[A-Za-z]{2,}")


def _scrub(event, hint):
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("query_string", None)
        request.pop("data", None)
        request.pop("cookies", None)
        if isinstance(request.get("url"), str):
            request["url"] = _EMAIL_RE.sub("<e-mail>", request["url"])
    return event


def _release() -> str | None:
    try:
        return f"frenchbot@{metadata.version('frenchbot')}"
    except metadata.PackageNotFoundError:
        return None


def error_reporting_init(*, dsn: str, environment: str, release: str = "") -> None:
    """Start sending unhandled errors (and errors logged with a traceback) to the DSN's project."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or _release(),
        send_default_pii=False,
        max_request_body_size="never",
        # A frame's local variables hold the request (its URL with the query string), forms, addresses.
        include_local_variables=False,
        # Errors only: tracing would send every request's timings, which /metrics already gives locally.
        traces_sample_rate=0,
        integrations=[DjangoIntegration()],
        before_send=_scrub,
    )
