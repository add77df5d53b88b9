"""Sign-up with double opt-in, preferences and unsubscribing; the signed links every letter carries."""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from ..errors import NewsletterLinkError
from ..models import Issue, Subscriber

_TOKEN_SALT = "frenchbot.newsletter.subscriber"  # noqa: S105 (a signing salt, not a secret)
# "confirm" expires after NEWSLETTER_CONFIRM_MAX_AGE_DAYS; the links of the letters (preferences, unsubscribe)
# must keep working in an old letter, so they live much longer.
TOKEN_ACTIONS = ("confirm", "preferences", "unsubscribe")
_LETTER_LINK_MAX_AGE = datetime.timedelta(days=3 * 365)


def subscriber_token(*, subscriber: Subscriber, action: str, issue_id: int | None = None) -> str:
    """A signed, time-stamped token for `action` on `subscriber` (and the letter it came from, if any)."""
    assert action in TOKEN_ACTIONS
    data = {"s": subscriber.public_id.hex, "a": action}
    if issue_id:
        data["i"] = issue_id
    return signing.dumps(data, salt=_TOKEN_SALT, compress=True)


def subscriber_from_token(*, token: str, action: str) -> tuple[Subscriber, int | None]:
    """The subscriber a link points to and the letter it came from; raises NewsletterLinkError (French message)
    when the link was altered, is for another action, has expired or points to nothing."""
    max_age = (
        datetime.timedelta(days=settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS)
        if action == "confirm"
        else _LETTER_LINK_MAX_AGE
    )
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise NewsletterLinkError(
            _("Ce lien a expiré. Inscrivez-vous à nouveau : vous recevrez un nouveau lien."), code="expired"
        ) from None
    except signing.BadSignature:
        raise NewsletterLinkError(
            _(
                "Ce lien n'est pas valide : il a peut-être été coupé ou modifié. Copiez-le en entier depuis "
                "l'e-mail reçu."
            ),
            code="invalid",
        ) from None
    if not isinstance(data, dict) or data.get("a") != action:
        raise NewsletterLinkError(_("Ce lien n'est pas valide pour cette action."), code="invalid")
    subscriber = Subscriber.objects.filter(public_id=data.get("s")).first()
    if subscriber is None:
        raise NewsletterLinkError(_("Cette inscription n'existe plus."), code="gone")
    issue_id = data.get("i")
    return subscriber, issue_id if isinstance(issue_id, int) else None


def subscriber_links(*, subscriber: Subscriber, issue: Issue | None = None) -> dict[str, str]:
    """The absolute addresses of the subscriber's preferences page and one-click unsubscribe, for one letter."""
    issue_id = issue.pk if issue is not None else None
    return {
        action: settings.SITE_URL.rstrip("/")
        + reverse(
            f"newsletter:{action}",
            args=[subscriber_token(subscriber=subscriber, action=action, issue_id=issue_id)],
        )
        for action in ("preferences", "unsubscribe")
    }


def subscription_request(
    *,
    email: str,
    list_slugs: list[str] | None,
    consent: bool,
    consent_text: str,
    origin: str,
    ip: str = "",
) -> Subscriber:
    """Ask to join `list_slugs` (the default public lists when None) with `email`: records a pending
    subscriber and queues the confirmation e-mail (double opt-in). Raises NewsletterError."""
    raise NotImplementedError  # written by the sign-up part
