"""The sessions' services, one module per area; what they share is here."""

from django.conf import settings
from django.utils.translation import gettext as _

from frenchbot.core.ratelimit import rate_limit_hit

from ..errors import SessionError


def form_rate_limit(*, ip: str, scope: str) -> None:
    """Count one public form sent from `ip` (a registration, a complaint, a convention's signature: `scope`);
    raises SessionError (code "rate_limited") beyond SESSIONS_FORM_RATE_LIMIT within SESSIONS_FORM_RATE_WINDOW
    seconds. No limit for an empty `ip` (internal calls)."""
    if ip and rate_limit_hit(
        scope=f"sessions-{scope}",
        key=ip,
        limit=settings.SESSIONS_FORM_RATE_LIMIT,
        window_seconds=settings.SESSIONS_FORM_RATE_WINDOW,
    ):
        raise SessionError(
            _(
                "Vous avez envoyé beaucoup de formulaires en peu de temps. Patientez quelques minutes puis "
                "renvoyez celui-ci : ce que vous avez saisi est conservé."
            ),
            code="rate_limited",
        )
