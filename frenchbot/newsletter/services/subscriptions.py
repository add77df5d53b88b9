"""Sign-up with double opt-in, preferences and unsubscribing; the signed links every letter carries."""

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.analytics.goals import goal_record
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.leads.models import LeadEvent, Source
from frenchbot.leads.services import email_is_disposable, lead_event_record, lead_touch

from ..errors import NewsletterError, NewsletterLinkError
from ..models import Issue, MailingList, Subscriber, SubscriptionChange

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
            _("Ce lien a expiré. Inscrivez-vous à nouveau : vous recevrez un nouveau lien."), code="expired"
        ) from None
    except signing.BadSignature:
        raise NewsletterLinkError(
            _(
                "Ce lien n'est pas valide : il a peut-être été coupé ou modifié. Copiez-le en entier depuis "
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
        action: settings.SITE_URL
        + reverse(
            f"newsletter:{action}",
            args=[subscriber_token(subscriber=subscriber, action=action, issue_id=issue_id)],
        )
        for action in ("preferences", "unsubscribe")
    }


# ---------------------------------------------------------------------------------------------------------------
# Sign-up (double opt-in)

# What `subscription_request` queued: the confirmation link, or the « already subscribed » notice.
MAIL_CONFIRM = "confirm"
MAIL_ALREADY = "already"


def subscription_email_clean(email: str) -> str:
    """The address, trimmed and lower-cased; NewsletterError (field "email") when it is not an address or is a
    throwaway one."""
    address = (email or "").strip().lower()
    if not address:
        raise NewsletterError(_("Indiquez votre adresse e-mail."), field="email", code="required")
    try:
        validate_email(address)
    except ValidationError:
        raise NewsletterError(
            _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
            field="email",
            code="invalid",
        ) from None
    if len(address) > 254:
        raise NewsletterError(_("Cette adresse e-mail est trop longue."), field="email", code="invalid")
    if email_is_disposable(address):
        raise NewsletterError(
            _(
                "Les adresses e-mail jetables ne sont pas acceptées : la lettre doit pouvoir vous parvenir "
                "durablement. Indiquez votre adresse habituelle."
            ),
            field="email",
            code="disposable",
        )
    return address


def _lists_chosen(list_slugs: list[str] | None) -> list[MailingList]:
    public = MailingList.objects.filter(is_public=True)
    if list_slugs is None:
        chosen = list(public.filter(is_default=True)) or list(public)
    else:
        slugs = {str(slug).strip() for slug in list_slugs if str(slug).strip()}
        chosen = list(public.filter(slug__in=slugs))
        if len(chosen) != len(slugs):
            raise NewsletterError(
                _(
                    "Une des listes choisies n'est plus proposée : rechargez la page puis choisissez à nouveau."
                ),
                field="lists",
                code="invalid",
            )
    if not chosen:
        raise NewsletterError(
            _("Choisissez au moins une liste pour recevoir la lettre."), field="lists", code="required"
        )
    return chosen


def subscription_rate_limited(*, ip: str) -> bool:
    """Count one sign-up from `ip`; True when it goes over NEWSLETTER_SIGNUP_RATE_LIMIT in the window."""
    return rate_limit_hit(
        scope="newsletter-signup",
        key=ip,
        limit=settings.NEWSLETTER_SIGNUP_RATE_LIMIT,
        window_seconds=settings.NEWSLETTER_SIGNUP_RATE_WINDOW,
    )


def _subscriber_locked(address: str, *, origin: str) -> tuple[Subscriber, bool]:
    """The row of `address`, locked for this transaction, created when missing (two sign-ups of the same address
    at once: the unique constraint lets one create it, the other takes it)."""
    subscriber = Subscriber.objects.select_for_update().filter(email=address).first()
    if subscriber is not None:
        return subscriber, False
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=address, origin=origin[:20]), True
    except IntegrityError:
        return Subscriber.objects.select_for_update().get(email=address), False


def _signup_mail_claim(*, subscriber: Subscriber, now: datetime.datetime) -> bool:
    """Claim the right to send a sign-up e-mail to this address now: at most one per
    NEWSLETTER_CONFIRM_RESEND_SECONDS, whatever the number of sign-ups (one UPDATE, so two at once send one)."""
    since = now - datetime.timedelta(seconds=settings.NEWSLETTER_CONFIRM_RESEND_SECONDS)
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=since))
        .update(confirmation_sent_at=now)
    )
    if claimed:
        subscriber.confirmation_sent_at = now
    return bool(claimed)


def _signup_mail_queue(*, subscriber: Subscriber, kind: str) -> None:
    from ..tasks import send_signup_email

    subscriber_id = subscriber.pk
    transaction.on_commit(lambda: send_signup_email.enqueue(subscriber_id=subscriber_id, kind=kind))


def _signup_check(*, email: str, consent: bool, list_slugs: list[str] | None, ip: str):
    if ip and subscription_rate_limited(ip=ip):
        raise NewsletterError(
            _(
                "Beaucoup d'inscriptions viennent d'être envoyées depuis votre connexion. Patientez quelques "
                "minutes puis réessayez : ce que vous avez saisi est conservé."
            ),
            code="rate_limited",
        )
    address = subscription_email_clean(email)
    if not consent:
        raise NewsletterError(
            _("Cochez la case de consentement : sans votre accord, nous ne pouvons pas vous écrire."),
            field="consent",
            code="required",
        )
    return address, _lists_chosen(list_slugs)


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
    subscriber and queues the confirmation e-mail (double opt-in). Raises NewsletterError.

    - A new, pending, unsubscribed or bouncing address becomes pending with the chosen lists and the exact
      `consent_text` and time; the confirmation e-mail leaves only if none left in the last
      NEWSLETTER_CONFIRM_RESEND_SECONDS.
    - A confirmed address keeps its lists (a form anyone can fill must not change someone else's
      subscription): it gets, at most once in the same delay, an e-mail with the link to its preferences.
    The caller shows the same « vérifiez votre boîte » message in every case: whether an address is subscribed
    is never revealed.
    """
    address, lists = _signup_check(email=email, consent=consent, list_slugs=list_slugs, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = _subscriber_locked(address, origin=origin)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            kind = MAIL_ALREADY
        else:
            kind = MAIL_CONFIRM
            subscriber.status = Subscriber.Status.PENDING
            subscriber.origin = origin[:20]
            subscriber.consent_text = consent_text
            subscriber.consent_at = now
            subscriber.save(update_fields=["status", "origin", "consent_text", "consent_at", "updated_at"])
            subscriber.lists.set(lists)
        if _signup_mail_claim(subscriber=subscriber, now=now):
            _signup_mail_queue(subscriber=subscriber, kind=kind)
    return subscriber


def subscription_request_verified(
    *,
    email: str,
    list_slugs: list[str] | None,
    consent: bool,
    consent_text: str,
    origin: str,
    ip: str = "",
) -> Subscriber:
    """Sign up an address its owner has already proven (a signed-in learner's verified account address): the
    same checks and consent record as `subscription_request`, confirmed at once with no e-mail; a confirmed
    address gets the chosen lists added. Raises NewsletterError."""
    address, lists = _signup_check(email=email, consent=consent, list_slugs=list_slugs, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = _subscriber_locked(address, origin=origin)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            slugs = {mailing_list.slug for mailing_list in subscriber.lists.all()} | {m.slug for m in lists}
            return subscription_update(subscriber=subscriber, list_slugs=sorted(slugs))
        subscriber.status = Subscriber.Status.PENDING
        subscriber.origin = origin[:20]
        subscriber.consent_text = consent_text
        subscriber.consent_at = now
        subscriber.save(update_fields=["status", "origin", "consent_text", "consent_at", "updated_at"])
        subscriber.lists.set(lists)
        return subscription_confirm(subscriber=subscriber)


def _lists_summary(lists) -> str:
    names = ", ".join(mailing_list.name for mailing_list in lists)
    return _("Listes : %(lists)s") % {"lists": names}


def subscription_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm a pending subscription (the button of the confirmation link): the address receives the letters
    of its lists from now on, each list gets a JOINED row, and the lead is created or updated with the consent
    as it was given and a timeline event. Confirming twice is harmless. Raises NewsletterError (code
    "unsubscribed") when the person has unsubscribed since the link was sent."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return subscriber
        if subscriber.status != Subscriber.Status.PENDING:
            raise NewsletterError(
                _(
                    "Cette inscription a été annulée depuis l'envoi du lien. Pour recevoir la lettre, "
                    "inscrivez-vous à nouveau."
                ),
                code="unsubscribed",
            )
        lists = list(subscriber.lists.all())
        lead = lead_touch(
            email=subscriber.email,
            source=Source.NEWSLETTER,
            consent_text=subscriber.consent_text,
            event=LeadEvent.Kind.NEWSLETTER,
            summary=_lists_summary(lists),
            payload={"lists": [m.slug for m in lists], "origin": subscriber.origin},
        )
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.unsubscribed_at = None
        subscriber.bounced_at = None
        subscriber.bounce_reason = ""
        subscriber.lead = lead
        subscriber.save(
            update_fields=[
                "status",
                "confirmed_at",
                "unsubscribed_at",
                "bounced_at",
                "bounce_reason",
                "lead",
                "updated_at",
            ]
        )
        SubscriptionChange.objects.bulk_create(
            SubscriptionChange(
                subscriber=subscriber, mailing_list=m, kind=SubscriptionChange.Kind.JOINED, at=now
            )
            for m in lists
        )
        goal_record(name="newsletter_confirmed", subject=subscriber)
    return subscriber


# ---------------------------------------------------------------------------------------------------------------
# Preferences and unsubscribing


def subscription_update(*, subscriber: Subscriber, list_slugs: list[str]) -> Subscriber:
    """The lists chosen on the preferences page (public lists only; a staff-only list stays as it is): JOINED
    and LEFT rows for a confirmed subscriber; no list left means unsubscribed. Raises NewsletterError for an
    address that is no longer subscribed (it signs up again) or a list that is not offered."""
    slugs = {str(slug).strip() for slug in list_slugs if str(slug).strip()}
    if not slugs:
        return subscriber_unsubscribe(subscriber=subscriber)
    chosen = _lists_chosen(sorted(slugs))
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status not in (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED):
            raise NewsletterError(
                _("Vous n'êtes plus inscrit : inscrivez-vous à nouveau pour choisir vos listes."),
                code="unsubscribed",
            )
        current = set(subscriber.lists.all())
        hidden = {m for m in current if not m.is_public}
        wanted = set(chosen) | hidden
        added, removed = wanted - current, current - wanted
        subscriber.lists.set(wanted)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            SubscriptionChange.objects.bulk_create(
                [
                    *(
                        SubscriptionChange(subscriber=subscriber, mailing_list=m, kind="joined", at=now)
                        for m in added
                    ),
                    *(
                        SubscriptionChange(subscriber=subscriber, mailing_list=m, kind="left", at=now)
                        for m in removed
                    ),
                ]
            )
            if (added or removed) and subscriber.lead_id:
                lead_event_record(
                    lead_id=subscriber.lead_id,
                    kind=LeadEvent.Kind.NEWSLETTER,
                    summary=_("Préférences de la lettre modifiées. %(lists)s")
                    % {"lists": _lists_summary(sorted(wanted, key=lambda m: (m.position, m.name)))},
                    payload={
                        "joined": sorted(m.slug for m in added),
                        "left": sorted(m.slug for m in removed),
                    },
                )
        Subscriber.objects.filter(pk=subscriber.pk).update(updated_at=now)
    return subscriber


def subscriber_unsubscribe(*, subscriber: Subscriber, issue_id: int | None = None) -> Subscriber:
    """Unsubscribe at once (the sending checks the status before every message): status UNSUBSCRIBED, a LEFT
    row per list carrying the letter whose link was followed, the lists emptied, and NEWSLETTER_LEFT on the
    lead's timeline. Unsubscribing twice is harmless."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            return subscriber
        was_confirmed = subscriber.status == Subscriber.Status.CONFIRMED
        if issue_id is not None and not Issue.objects.filter(pk=issue_id).exists():
            issue_id = None
        lists = list(subscriber.lists.all())
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        subscriber.lists.clear()
        if was_confirmed:
            SubscriptionChange.objects.bulk_create(
                SubscriptionChange(
                    subscriber=subscriber,
                    mailing_list=m,
                    kind=SubscriptionChange.Kind.LEFT,
                    at=now,
                    issue_id=issue_id,
                )
                for m in lists
            )
        if subscriber.lead_id:
            lead_event_record(
                lead_id=subscriber.lead_id,
                kind=LeadEvent.Kind.NEWSLETTER_LEFT,
                summary=_("Désinscription de la lettre. %(lists)s") % {"lists": _lists_summary(lists)}
                if lists
                else _("Désinscription de la lettre."),
                payload={"lists": [m.slug for m in lists], "issue": issue_id},
            )
    return subscriber
