"""`make run` and real deployments: DEBUG off, static files served by WhiteNoise, hardened cookies."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Behind HTTPS, set HTTPS=true: cookies become secure and HTTP is redirected.
_https = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
if _https:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)

# --- Staff second factor (MFA) ---------------------------------------------------------------------------
# A real deployment (HTTPS) requires the second factor of superusers unless told otherwise; `make run` on http is
# a local trial whose printed admin login must work at once.
MFA_REQUIRED_FOR_SUPERUSERS = env.bool("MFA_REQUIRED_FOR_SUPERUSERS", default=_https)
