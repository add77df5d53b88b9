"""Writes of guides and templates: the HTML of a guide's body, the requests for a gated guide (lead, timeline,
the e-mailed signed link), the first download, retention; and the receivers that keep the page cache honest.

A gated guide is sent, not shown: the visitor leaves an address with their consent, and the task queue e-mails a
signed link that expires after RESOURCES_LINK_MAX_AGE_DAYS. The link carries only the request's id; the request
holds the guide, so a link cannot be reused for another guide.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frenchbot.core.errors import DomainError
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import single_line
from frenchbot.leads.models import LeadEvent, Source
from frenchbot.leads.services import LeadError, email_is_disposable, lead_normalize_email, lead_touch

from ..models import Guide, GuideRequest

logger = logging.getLogger(__name__)

_LINK_SALT = "frenchbot.resources.guide-download"  # noqa: S105 - a signing salt, not a secret
_DONE_SALT = "frenchbot.resources.guide-request-done"  # noqa: S105 - a signing salt, not a secret
# The confirmation page after a request is reachable for an hour (it shows the address, partly hidden).
DONE_MAX_AGE_SECONDS = 3600


class GuideError(DomainError):
    """A refusal to show a person: `message` in French, `field` of the request form it is about, and a `code`
    ("unavailable", "email", "disposable", "consent", "rate_limited")."""


class GuideLinkError(DomainError):
    """A download link that leads nowhere: altered ("invalid"), too old ("expired") or to a request since
    deleted ("gone")."""

    @property
    def expired(self) -> bool:
        return self.code == "expired"


# --- Requests for a gated guide -------------------------------------------------------------------------------
def guide_request_email_clean(email: str) -> str:
    """The address, trimmed and lower-cased; GuideError (field "email") when it is missing, invalid or
    throwaway (the link must reach someone who can be answered)."""
    if not (email or "").strip():
        raise GuideError(
            _("Indiquez votre adresse e-mail : le lien du guide y sera envoyé."), field="email", code="email"
        )
    try:
        address = lead_normalize_email(email)
    except LeadError as error:
        raise GuideError(error.message, field="email", code="email") from None
    if email_is_disposable(address):
        raise GuideError(
            _(
                "Les adresses e-mail jetables ne sont pas acceptées : indiquez votre adresse habituelle pour "
                "recevoir le guide."
            ),
            field="email",
            code="disposable",
        )
    return address


def guide_request_rate_limit(*, ip: str) -> None:
    """Count one request from `ip`; GuideError (code "rate_limited") beyond RESOURCES_REQUEST_RATE_LIMIT within
    RESOURCES_REQUEST_RATE_WINDOW seconds."""
    if ip and rate_limit_hit(
        scope="resources-guide-request",
        key=ip,
        limit=settings.RESOURCES_REQUEST_RATE_LIMIT,
        window_seconds=settings.RESOURCES_REQUEST_RATE_WINDOW,
    ):
        raise GuideError(
            _(
                "Vous avez demandé beaucoup de guides en peu de temps. Patientez quelques minutes puis renvoyez "
                "votre demande : vos informations sont conservées."
            ),
            code="rate_limited",
        )


def guide_request_create(
    *,
    guide: Guide,
    email: str,
    name: str = "",
    consent: bool,
    consent_text: str,
    ip: str = "",
) -> GuideRequest:
    """Record a visitor's request for the gated `guide` and queue the e-mail with its download link.

    Checks that the guide is published and gated, the address (valid, not throwaway), the consent, then the rate
    limit of `ip` (none when empty: internal calls). In one transaction: the GuideRequest with the exact consent
    text, the lead (`lead_touch`, source RESOURCES, the consent kept as shown) and its timeline event
    GUIDE_REQUESTED. The e-mail is queued once committed; its task marks `sent_at`.

    Raises GuideError ("unavailable", "email", "disposable", "consent", "rate_limited"); nothing is written then.
    """
    if not (guide.is_published and guide.is_gated):
        raise GuideError(_("Ce guide n'est pas proposé par e-mail."), code="unavailable")
    address = guide_request_email_clean(email)
    if not consent:
        raise GuideError(
            _("Cochez la case de consentement : sans elle, nous ne pouvons pas vous envoyer le guide."),
            field="consent",
            code="consent",
        )
    name = single_line(name)[:120]
    guide_request_rate_limit(ip=ip)
    with transaction.atomic():
        guide_request = GuideRequest.objects.create(
            guide=guide, email=address, name=name, consent_text=consent_text
        )
        with translation.override("fr"):
            summary = _("Guide demandé : « %(title)s »") % {"title": guide.title}
        lead_touch(
            email=address,
            name=name,
            source=Source.RESOURCES,
            consent_text=consent_text,
            event=LeadEvent.Kind.GUIDE_REQUESTED,
            summary=summary,
            payload={"guide": guide.slug, "request": guide_request.pk},
            ip=ip,
        )
    from ..tasks import send_guide_link

    request_id = guide_request.pk
    transaction.on_commit(lambda: send_guide_link.enqueue(request_id))
    return guide_request


def guide_request_mark_sent(*, guide_request: GuideRequest, at: datetime.datetime | None = None) -> None:
    """Record that the link left (the last sending, if the task ran again)."""
    guide_request.sent_at = at or timezone.now()
    GuideRequest.objects.filter(pk=guide_request.pk).update(sent_at=guide_request.sent_at)


def guide_request_mark_downloaded(
    *, guide_request: GuideRequest, at: datetime.datetime | None = None
) -> bool:
    """Record the first download of the guide through its link (later ones change nothing); True the first
    time."""
    at = at or timezone.now()
    updated = GuideRequest.objects.filter(pk=guide_request.pk, downloaded_at__isnull=True).update(
        downloaded_at=at
    )
    if updated:
        guide_request.downloaded_at = at
    return bool(updated)


def guide_requests_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the requests older than RESOURCES_REQUEST_RETENTION_DAYS (0 keeps them); the number deleted."""
    days = settings.RESOURCES_REQUEST_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    _total, per_model = GuideRequest.objects.filter(created_at__lt=cutoff).delete()
    return per_model.get(GuideRequest._meta.label, 0)


# --- The signed links -----------------------------------------------------------------------------------------
def guide_download_token(*, guide_request: GuideRequest) -> str:
    """A signed, time-stamped token naming `guide_request` (the link of the e-mail)."""
    return signing.dumps({"r": guide_request.pk}, salt=_LINK_SALT, compress=True)


def guide_download_url(*, guide_request: GuideRequest) -> str:
    """The absolute address of the download link, for the e-mail."""
    token = guide_download_token(guide_request=guide_request)
    return settings.SITE_URL + reverse("resources:guide_download", args=[token])


def guide_request_from_token(*, token: str) -> GuideRequest:
    """The request a download link points to; GuideLinkError (French message) when the link was altered
    ("invalid"), is older than RESOURCES_LINK_MAX_AGE_DAYS ("expired"), or its request or guide is gone."""
    try:
        data = signing.loads(
            token, salt=_LINK_SALT, max_age=datetime.timedelta(days=settings.RESOURCES_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        raise GuideLinkError(
            _(
                "Ce lien de téléchargement a expiré. Demandez le guide à nouveau depuis sa page : vous recevrez "
                "un nouveau lien par e-mail."
            ),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise GuideLinkError(
            _(
                "Ce lien de téléchargement n'est pas valide : il a peut-être été coupé ou modifié. Copiez-le en "
                "entier depuis l'e-mail reçu."
            ),
            code="invalid",
        ) from None
    request_id = data.get("r") if isinstance(data, dict) else None
    guide_request = (
        GuideRequest.objects.select_related("guide").filter(pk=request_id, guide__is_published=True).first()
        if isinstance(request_id, int)
        else None
    )
    if guide_request is None:
        raise GuideLinkError(
            _(
                "Ce guide n'est plus proposé, ou votre demande a été effacée. Demandez-le à nouveau depuis sa page."
            ),
            code="gone",
        )
    return guide_request


def guide_request_done_token(*, guide_request: GuideRequest) -> str:
    """The token of the confirmation page shown after a request (so that reloading it sends nothing again)."""
    return signing.dumps(guide_request.pk, salt=_DONE_SALT)


def guide_request_from_done_token(*, token: str) -> GuideRequest | None:
    try:
        request_id = signing.loads(token, salt=_DONE_SALT, max_age=DONE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(request_id, int):
        return None
    return GuideRequest.objects.select_related("guide").filter(pk=request_id).first()
