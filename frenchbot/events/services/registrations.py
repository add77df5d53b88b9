"""Registering to an event, cancelling, the waiting list and the reminders; the signed links of the e-mails."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from ..errors import EventLinkError
from ..models import Registration

_TOKEN_SALT = "frenchbot.events.registration"  # noqa: S105 (a signing salt, not a secret)
# "view": the registrant's page (join link, invitation, cancel); "cancel"; "survey": the satisfaction survey.
TOKEN_ACTIONS = ("view", "cancel", "survey")


def registration_token(*, registration: Registration, action: str) -> str:
    """A signed, time-stamped token for a link to `action` on `registration` (no account needed)."""
    assert action in TOKEN_ACTIONS
    return signing.dumps({"r": registration.public_id.hex, "a": action}, salt=_TOKEN_SALT, compress=True)


def registration_url(*, registration: Registration, action: str) -> str:
    """The absolute address of that link, for the e-mails."""
    names = {"view": "events:registration", "cancel": "events:cancel", "survey": "events:survey"}
    token = registration_token(registration=registration, action=action)
    return settings.SITE_URL.rstrip("/") + reverse(names[action], args=[token])


def registration_from_token(*, token: str, action: str) -> Registration:
    """The registration a link points to; raises EventLinkError (French message) when the link was altered, is
    for another action, has expired (EVENTS_LINK_MAX_AGE_DAYS) or points to nothing."""
    try:
        data = signing.loads(
            token, salt=_TOKEN_SALT, max_age=datetime.timedelta(days=settings.EVENTS_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        raise EventLinkError(
            _("Ce lien a expiré. Pour toute question sur votre inscription, répondez à l'e-mail reçu."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise EventLinkError(
            _(
                "Ce lien n'est pas valide : il a peut-être été coupé ou modifié. Copiez-le en entier depuis "
                "l'e-mail reçu."
            ),
            code="invalid",
        ) from None
    if not isinstance(data, dict) or data.get("a") != action:
        raise EventLinkError(_("Ce lien n'est pas valide pour cette action."), code="invalid")
    registration = Registration.objects.select_related("event").filter(public_id=data.get("r")).first()
    if registration is None:
        raise EventLinkError(_("Cette inscription n'existe plus."), code="gone")
    return registration
