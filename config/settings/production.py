"""`make run` and real deployments: DEBUG off, static files served by WhiteNoise, hardened cookies."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# One access line per request (our middleware's; uvicorn runs with --no-access-log).
ACCESS_LOG = env.bool("ACCESS_LOG", default=True)

# --- HTTPS and HSTS -------------------------------------------------------------------------------------
# Behind HTTPS (a reverse proxy ending TLS, see docs/deployment.md), set HTTPS=true: cookies become secure,
# HTTP is redirected and browsers are told to come back over HTTPS only (HSTS).
_https = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
# Probes on the machine itself (health, metrics) call the app over plain HTTP on loopback, past the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]


def _undecided_or_bool(name: str) -> bool | None:
    """The variable's value, or None when it is absent or empty (the operator has not decided yet)."""
    raw = env.str(name, default="")
    return env.bool(name) if raw.strip() else None


if _https:
    # The proxy says which scheme the visitor used; it must overwrite any such header a client sends.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # One year by default: every page already redirects to HTTPS, so HSTS only removes the first plain-HTTP
    # request a visitor could be intercepted on; a year is what browsers' preload lists and audits expect.
    # Lower it (3600) while first trying HTTPS on a new domain; 0 turns HSTS off.
    _hsts_seconds = env.str("SECURE_HSTS_SECONDS", default="").strip()
    SECURE_HSTS_SECONDS = int(_hsts_seconds) if _hsts_seconds else 365 * 24 * 3600
    # Whether HSTS also covers every subdomain (only when all of them serve HTTPS) and asks browsers to ship
    # the domain in their preload list (hard to undo). Both false by default; `check --deploy` warns about each
    # until the operator writes down a decision, true or false, in the environment.
    _subdomains = _undecided_or_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
    _preload = _undecided_or_bool("SECURE_HSTS_PRELOAD")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(_subdomains)
    SECURE_HSTS_PRELOAD = bool(_preload)
    SILENCED_SYSTEM_CHECKS = [
        *([] if _subdomains is None else ["security.W005"]),
        *([] if _preload is None else ["security.W021"]),
    ]

# --- Staff second factor (MFA) ---------------------------------------------------------------------------
# A real deployment (HTTPS) requires the second factor of superusers unless told otherwise; `make run` on http is
# a local trial whose printed admin login must work at once.
MFA_REQUIRED_FOR_SUPERUSERS = env.bool("MFA_REQUIRED_FOR_SUPERUSERS", default=_https)
