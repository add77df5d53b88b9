"""The rights of the RGPD carried out over every app's declared personal data (see `registry`).

A `Subject` is built from what the person proved (a signed link to an address, or their signed-in account); the
services read, export, correct, withdraw and erase through the declarations only, and log each request in a
`PrivacyRequest` that keeps counts, never the data.
"""

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.errors import DomainError
from frenchbot.core.net import ip_fingerprint
from frenchbot.core.ratelimit import rate_limit_hit

from . import registry
from .models import PrivacyRequest
from .registry import Subject

logger = logging.getLogger(__name__)

_LINK_SALT = "frenchbot.privacy.link"  # noqa: S105 - a signing namespace, not a secret


class PrivacyError(DomainError):
    pass


# --- Who the request is about -------------------------------------------------------------------------------


def email_digest(email: str) -> str:
    """A keyed digest of an address: the proof of whose request it was, without keeping the address (the site's
    one keyed hash, as for IP addresses)."""
    return ip_fingerprint(email.strip().lower())


def link_token(*, email: str) -> str:
    return signing.dumps({"e": email.strip().lower()}, salt=_LINK_SALT, compress=True)


def link_email(*, token: str) -> str:
    """The address a link was sent to; `PrivacyError` when the link is forged or expired."""
    max_age = settings.PRIVACY_LINK_MAX_AGE_HOURS * 3600
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise PrivacyError(
            _("Ce lien a expiré. Demandez-en un nouveau : il vous sera envoyé à la même adresse.")
        ) from error
    except signing.BadSignature as error:
        raise PrivacyError(
            _("Ce lien n'est pas valide. Vérifiez qu'il est complet, ou demandez-en un nouveau.")
        ) from error
    email = data.get("e") if isinstance(data, dict) else None
    if not email:
        raise PrivacyError(_("Ce lien n'est pas valide. Demandez-en un nouveau."))
    return email


def subject_for_email(*, email: str, session_key: str | None = None) -> Subject:
    """What an address proven by a link covers: its rows, the account with that address (the same e-mail could
    reset its password) and the bot conversations of the browser that opened the link."""
    user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
    return Subject(emails=(email,), user_id=user.pk if user else None, session_keys=(session_key or "",))


def subject_for_user(*, user, session_key: str | None = None) -> Subject:
    """A signed-in person: their account, its addresses (the verified ones) and this browser's conversations."""
    from allauth.account.models import EmailAddress

    emails = [user.email] if user.email else []
    emails += EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return Subject(emails=tuple(emails), user_id=user.pk, session_keys=(session_key or "",))


def subject_with_fingerprints(subject: Subject) -> Subject:
    """The subject with the IP fingerprints its own rows hold, read before anything is erased."""
    found: set[str] = set(subject.ip_fingerprints)
    for declaration in registry.declarations():
        found |= declaration.ip_fingerprints(declaration.rows(subject))
    return Subject(
        emails=subject.emails,
        user_id=subject.user_id,
        session_keys=subject.session_keys,
        ip_fingerprints=tuple(found),
    )


# --- Seeing and taking a copy ---------------------------------------------------------------------------------


@dataclass
class Holding:
    """What one declaration holds about the person: its label, its rows as they read them, what erasure does."""

    declaration: registry.PersonalData
    label: str
    rows: list[dict]
    erasure: str
    erasure_text: str

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class AppHolding:
    app_label: str
    name: str
    holdings: list[Holding] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(holding.count for holding in self.holdings)


def holdings_read(*, subject: Subject) -> list[AppHolding]:
    """Everything the site holds about the person, app by app, in the order erasure runs (apps holding nothing
    left out)."""
    from django.apps import apps

    subject = subject_with_fingerprints(subject)
    result = []
    for app_label, declarations in registry.declarations_by_app().items():
        named = next((d.module_name for d in declarations if d.module_name), None)
        app = AppHolding(app_label=app_label, name=str(named or apps.get_app_config(app_label).verbose_name))
        for declaration in declarations:
            rows = [declaration.export_row(row) for row in declaration.rows(subject)]
            if rows:
                app.holdings.append(
                    Holding(
                        declaration=declaration,
                        label=str(declaration.label),
                        rows=rows,
                        erasure=declaration.erasure,
                        erasure_text=declaration.erasure_summary(),
                    )
                )
        if app.holdings:
            result.append(app)
    return result


def archive_build(*, subject: Subject, held: list[AppHolding] | None = None) -> bytes:
    """The person's archive: `donnees.json` for machines, `donnees.html` to read, and their files. `held`: what
    `holdings_read` already returned for this subject (read again when not given)."""
    held = holdings_read(subject=subject) if held is None else held
    generated_at = timezone.now()
    data = {
        "genere_le": generated_at.isoformat(),
        "site": settings.SITE_URL,
        "donnees": {
            app.app_label: {
                "module": app.name,
                "contenu": {holding.label: holding.rows for holding in app.holdings},
            }
            for app in held
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        html = render_to_string(
            "privacy/archive.html",
            {"apps": held, "generated_at": generated_at, "site_url": settings.SITE_URL},
        )
        archive.writestr("donnees.html", html)
        names: set[str] = set()
        full_subject = subject_with_fingerprints(subject)
        for app in held:
            for holding in app.holdings:
                for row in holding.declaration.rows(full_subject):
                    for name, content in holding.declaration.files(row):
                        if name not in names:
                            names.add(name)
                            archive.writestr(f"fichiers/{name}", content)
    return buffer.getvalue()


# --- The log -------------------------------------------------------------------------------------------------


def _due_on():
    return timezone.localdate() + timedelta(days=settings.PRIVACY_REQUEST_DEADLINE_DAYS)


def request_open(
    *,
    right: str,
    channel: str,
    subject: Subject,
    created_by=None,
    note: str = "",
    status: str = PrivacyRequest.Status.IN_PROGRESS,
) -> PrivacyRequest:
    email = subject.emails[0] if subject.emails else ""
    return PrivacyRequest.objects.create(
        right=right,
        channel=channel,
        status=status,
        email=email,
        email_digest=email_digest(email) if email else "",
        user_id=subject.user_id,
        session_keys=list(subject.session_keys),
        ip_fingerprints=list(subject.ip_fingerprints),
        due_on=_due_on(),
        note=note,
        created_by=created_by,
    )


_PROGRESS_FIELDS = [
    "status",
    "completed_at",
    "summary",
    "email",
    "session_keys",
    "ip_fingerprints",
    "steps",
    "attempts",
    "updated_at",
]


def _request_close(request: PrivacyRequest, *, summary: str) -> None:
    request.status = PrivacyRequest.Status.DONE
    request.completed_at = timezone.now()
    request.summary = summary
    # Done: what identified the person is no longer needed; the digest stays as the proof.
    request.email = ""
    request.session_keys = []
    request.ip_fingerprints = []
    # Not `user`: an erasure may have just deleted the account, and the database has set it to null.
    request.save(update_fields=_PROGRESS_FIELDS)


def _request_subject(request: PrivacyRequest) -> Subject:
    return Subject(
        emails=(request.email,) if request.email else (),
        user_id=request.user_id,
        session_keys=tuple(request.session_keys or ()),
        ip_fingerprints=tuple(request.ip_fingerprints or ()),
    )


def access_record(*, subject: Subject, channel: str, held: list[AppHolding] | None = None) -> PrivacyRequest:
    """Log a copy taken by the person (the archive downloaded); `held` as for `archive_build`."""
    held = holdings_read(subject=subject) if held is None else held
    request = request_open(right=PrivacyRequest.Right.ACCESS, channel=channel, subject=subject)
    counts = {app.name: app.count for app in held}
    request.steps = [
        {"app": app.app_label, "outcome": "done", "counts": {"exported": app.count}} for app in held
    ]
    _request_close(request, summary=_counts_sentence(counts, verb=_("exporté")))
    return request


# --- Correcting ----------------------------------------------------------------------------------------------


def rectification_run(
    *, subject: Subject, channel: str, name: str | None, email: str | None
) -> PrivacyRequest:
    """Correct the person's name and/or e-mail everywhere a declaration says they appear, app by app."""
    name = (name or "").strip() or None
    email = (email or "").strip().lower() or None
    if name is None and email is None:
        raise PrivacyError(_("Indiquez le nom ou l'e-mail à corriger."))
    request = request_open(right=PrivacyRequest.Right.RECTIFICATION, channel=channel, subject=subject)
    steps = []
    for app_label, declarations in registry.declarations_by_app().items():
        changed = 0
        try:
            with transaction.atomic():
                for declaration in declarations:
                    changed += declaration.rectify(declaration.rows(subject), name=name, email=email)
        except Exception:
            logger.exception("privacy.rectification_failed", extra={"app": app_label})
            steps.append({"app": app_label, "outcome": "failed", "counts": {}})
            continue
        if changed:
            steps.append({"app": app_label, "outcome": "done", "counts": {"corrected": changed}})
    request.steps = steps
    failed = [step for step in steps if step["outcome"] == "failed"]
    if failed:
        request.status = PrivacyRequest.Status.INCOMPLETE
        request.save()
        raise PrivacyError(
            _(
                "Une partie de la correction n'a pas pu être faite ; l'équipe est prévenue et la terminera. Vos "
                "saisies sont conservées."
            )
        )
    total = sum(step["counts"].get("corrected", 0) for step in steps)
    _request_close(request, summary=_("%(count)s enregistrement(s) corrigé(s).") % {"count": total})
    return request


# --- Consents ------------------------------------------------------------------------------------------------


def consents_list(*, subject: Subject) -> list[registry.Consent]:
    found = []
    for source in registry.consent_sources():
        found.extend(source.consents(subject))
    return found


def consent_withdraw(*, subject: Subject, key: str, channel: str) -> registry.Consent:
    """Withdraw one of the person's consents (found again from the subject: a key alone proves nothing)."""
    consent = next((c for c in consents_list(subject=subject) if c.key == key), None)
    if consent is None:
        raise PrivacyError(_("Ce consentement n'existe plus ou a déjà été retiré."))
    request = request_open(right=PrivacyRequest.Right.WITHDRAWAL, channel=channel, subject=subject)
    with transaction.atomic():
        consent.withdraw()
    request.steps = [{"app": key.split(":", 1)[0], "outcome": "done", "counts": {"withdrawn": 1}}]
    _request_close(request, summary=_("Consentement retiré : %(label)s.") % {"label": consent.label})
    return consent


# --- Erasing -------------------------------------------------------------------------------------------------


def erasure_request(*, subject: Subject, channel: str, created_by=None, note: str = "") -> PrivacyRequest:
    """Open an erasure request and carry it out at once; what fails is resumed by the worker
    (`erasure_resume`). The IP fingerprints are read first, while the rows that hold them still exist."""
    subject = subject_with_fingerprints(subject)
    request = request_open(
        right=PrivacyRequest.Right.ERASURE, channel=channel, subject=subject, created_by=created_by, note=note
    )
    return erasure_run(request=request)


def erasure_run(*, request: PrivacyRequest) -> PrivacyRequest:
    """Erase app by app, each app in one transaction, skipping the apps already done. A failing app is recorded
    and the others go on; the request stays INCOMPLETE (the worker retries it) until every app is done."""
    subject = _request_subject(request)
    done = {step["app"] for step in request.steps if step.get("outcome") == "done"}
    steps = [step for step in request.steps if step.get("outcome") == "done"]
    request.attempts += 1
    for app_label, declarations in registry.declarations_by_app().items():
        if app_label in done:
            continue
        counts: dict[str, int] = {}
        try:
            with transaction.atomic():
                for declaration in declarations:
                    touched = declaration.erase(declaration.rows(subject))
                    if touched:
                        key = str(declaration.erasure)
                        counts[key] = counts.get(key, 0) + touched
        except Exception as error:  # any app's failure: recorded, retried, never half-written
            logger.exception("privacy.erasure_failed", extra={"app": app_label})
            steps.append({"app": app_label, "outcome": "failed", "error": type(error).__name__, "at": _now()})
            continue
        steps.append({"app": app_label, "outcome": "done", "counts": counts, "at": _now()})
    request.steps = steps
    if any(step["outcome"] == "failed" for step in steps):
        request.status = PrivacyRequest.Status.INCOMPLETE
        request.save(update_fields=_PROGRESS_FIELDS)
        return request
    totals: dict[str, int] = {}
    for step in steps:
        for key, value in step.get("counts", {}).items():
            totals[key] = totals.get(key, 0) + value
    _request_close(request, summary=_erasure_sentence(totals))
    return request


def erasure_resume() -> int:
    """Carry on every erasure left incomplete; the number of requests completed now. Run by the worker."""
    completed = 0
    for request in PrivacyRequest.objects.filter(
        right=PrivacyRequest.Right.ERASURE, status=PrivacyRequest.Status.INCOMPLETE
    ):
        if erasure_run(request=request).status == PrivacyRequest.Status.DONE:
            completed += 1
    return completed


def manual_request_record(*, right: str, email: str, note: str, by) -> PrivacyRequest:
    """A request received by post or e-mail, entered by the team: it waits, with its deadline, until executed."""
    subject = Subject(emails=(email,))
    if not subject.emails:
        raise PrivacyError(_("Indiquez l'adresse e-mail de la personne."))
    return request_open(
        right=right,
        channel=PrivacyRequest.Channel.STAFF,
        subject=subject,
        created_by=by,
        note=note,
        status=PrivacyRequest.Status.RECEIVED,
    )


def manual_request_execute(*, request: PrivacyRequest, by) -> PrivacyRequest:
    """Carry out a request entered by the team: an erasure runs as the person's own would; an access request
    is answered by e-mailing the archive link; other rights are marked done by the team after acting."""
    if not request.is_open:
        raise PrivacyError(_("Cette demande est déjà traitée."))
    if request.right == PrivacyRequest.Right.ERASURE:
        request.ip_fingerprints = list(subject_with_fingerprints(_request_subject(request)).ip_fingerprints)
        request.status = PrivacyRequest.Status.IN_PROGRESS
        request.save()
        return erasure_run(request=request)
    if request.right == PrivacyRequest.Right.ACCESS and request.email:
        from .tasks import link_send

        link_send.enqueue(email=request.email)
        _request_close(request, summary=_("Lien vers les données envoyé à la personne par e-mail."))
        return request
    _request_close(request, summary=_("Traitée par l'équipe (%(name)s).") % {"name": by.get_username()})
    return request


# --- The link for people without an account ------------------------------------------------------------------


def link_request(*, email: str, ip: str) -> None:
    """Send the signed link to `email`, whatever the site holds about it (the answer never tells whether someone
    is known). `PrivacyError` when the address or the IP asked too often."""
    limit = settings.PRIVACY_LINK_RATE_PER_HOUR
    email = email.strip().lower()
    if rate_limit_hit(
        scope="privacy-link-ip", key=ip, limit=limit * 4, window_seconds=3600
    ) or rate_limit_hit(scope="privacy-link-email", key=email, limit=limit, window_seconds=3600):
        raise PrivacyError(
            _(
                "Vous avez demandé beaucoup de liens en peu de temps. Patientez une heure, ou utilisez le dernier "
                "lien reçu : il reste valable %(hours)s heures."
            )
            % {"hours": settings.PRIVACY_LINK_MAX_AGE_HOURS}
        )
    from .tasks import link_send

    # Straight to the queue: the e-mail depends on no row written here.
    link_send.enqueue(email=email)


def action_rate_limited(*, subject: Subject) -> bool:
    """Exports, corrections, withdrawals and erasures of one person: a few dozen an hour at most."""
    key = subject.emails[0] if subject.emails else f"user:{subject.user_id}"
    return rate_limit_hit(scope="privacy-action", key=key, limit=30, window_seconds=3600)


def _now() -> str:
    return timezone.now().isoformat()


def _counts_sentence(counts: dict[str, int], *, verb: str) -> str:
    parts = [f"{name} : {count}" for name, count in counts.items() if count]
    return (", ".join(parts) + f" ({verb}).") if parts else _("Rien n'était enregistré.")


def _erasure_sentence(totals: dict[str, int]) -> str:
    if not any(totals.values()):
        return _("Rien n'était enregistré.")
    return _(
        "%(deleted)s enregistrement(s) supprimé(s), %(anonymised)s anonymisé(s), %(kept)s conservé(s) selon les règles."
    ) % {
        "deleted": totals.get(registry.Erasure.DELETE, 0),
        "anonymised": totals.get(registry.Erasure.ANONYMISE, 0),
        "kept": totals.get(registry.Erasure.KEEP, 0),
    }
