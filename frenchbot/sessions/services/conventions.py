"""The « convention de formation » between the training body and a company: written by staff, e-mailed to the
company's contact, signed online before the session.

What a convention says is frozen in its `snapshot` when it is written (the training, its programme, the dates,
the hours, the place, the price, the training body and the terms), so that a later change to the training or the
session does not change a text already sent. Once signed, a version never changes: a change makes a new version
(same number, next version, a new link), the signed one is kept, marked replaced.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.text import single_line

from ..errors import SessionError
from ..models import Convention, HalfDay, Registration, TrainingSession, token_generate
from .documents import training_body

# What staff write on a convention; everything else comes from the session and the settings.
CONVENTION_FIELDS = (
    "company_name",
    "company_address",
    "company_siret",
    "contact_name",
    "contact_email",
    "seats",
    "price_text",
)
_REQUIRED = {
    "company_name": gettext_lazy("Indiquez le nom de l'entreprise."),
    "company_address": gettext_lazy("Indiquez l'adresse de l'entreprise : elle figure sur la convention."),
    "contact_name": gettext_lazy("Indiquez le nom de l'interlocuteur de l'entreprise."),
    "contact_email": gettext_lazy(
        "Indiquez l'e-mail de l'interlocuteur : le lien de signature y sera envoyé."
    ),
    "price_text": gettext_lazy("Indiquez le prix convenu (exemple : 2 400 € HT pour le groupe)."),
}


# --- Reading ------------------------------------------------------------------------------------------------


def convention_get_by_token(*, token: str) -> Convention | None:
    """The version a signing link points to, or None."""
    if not token:
        return None
    return Convention.objects.select_related("session__training").filter(token=token).first()


def conventions_for_session(*, session: TrainingSession) -> list[Convention]:
    """Every version of the session's conventions, by number then newest version first."""
    return list(session.conventions.order_by("number", "-version"))


def convention_versions(*, convention: Convention) -> list[Convention]:
    """Every version of this convention's number, newest first."""
    return list(Convention.objects.filter(number=convention.number).order_by("-version"))


def convention_url(*, convention: Convention) -> str:
    """The absolute address of the signing page, as e-mailed to the contact."""
    return settings.SITE_URL + reverse("sessions:convention", args=[convention.token])


def convention_sign_refusal(*, convention: Convention, now: datetime.datetime | None = None) -> str:
    """Why this version cannot be signed now (a French sentence), or "" when it can."""
    if convention.replaced_at:
        return _(
            "Cette version de la convention a été remplacée par une nouvelle version : elle ne peut plus être "
            "signée. Le lien de la nouvelle version a été envoyé par e-mail à votre interlocuteur."
        )
    if convention.signed_at:
        return _("Cette convention est déjà signée : il n'y a rien d'autre à faire.")
    first = convention.session.first_half_day
    if first is not None and first.start <= (now or timezone.now()):
        return _(
            "La session a commencé : cette convention ne peut plus être signée en ligne. Écrivez-nous pour la "
            "régulariser."
        )
    return ""


# --- The snapshot -------------------------------------------------------------------------------------------


def convention_snapshot(*, session: TrainingSession, values: dict) -> dict:
    """What a convention agrees, as it reads now: the training (title, objectives, programme), the half-days,
    the total hours, the place or remote format, the price and seats, both parties, the terms. In French."""
    session = (
        TrainingSession.objects.select_related("training", "trainer")
        .prefetch_related(Prefetch("half_days", queryset=HalfDay.objects.order_by("date", "starts_at")))
        .get(pk=session.pk)
    )
    training = session.training
    half_days = list(session.half_days.all())
    with translation.override("fr"):
        return {
            "training": {
                "title": training.title,
                "objectives": training.outcome_list,
                "programme": list(
                    training.modules.filter(is_published=True)
                    .order_by("order", "pk")
                    .values_list("title", flat=True)
                ),
                "prerequisites": training.prerequisites,
                "assessment_methods": training.assessment_methods,
            },
            "half_days": [
                {
                    "date": half_day.date.isoformat(),
                    "period": half_day.period,
                    "period_label": str(half_day.get_period_display()),
                    "starts_at": half_day.starts_at.strftime("%H:%M"),
                    "ends_at": half_day.ends_at.strftime("%H:%M"),
                    "hours": round(half_day.hours, 2),
                }
                for half_day in half_days
            ],
            "total_hours": round(sum(half_day.hours for half_day in half_days), 2),
            "place": {
                "format": session.format,
                "format_label": str(session.get_format_display()),
                "remote": session.format == TrainingSession.Format.REMOTE,
                "address": session.place if session.format == TrainingSession.Format.IN_PERSON else "",
                "kind_label": str(session.get_kind_display()),
            },
            "trainer": (session.trainer.get_full_name() or session.trainer.get_username()),
            "price": values["price_text"],
            "seats": values["seats"],
            "company": {
                "name": values["company_name"],
                "address": values["company_address"],
                "siret": values["company_siret"],
                "contact_name": values["contact_name"],
                "contact_email": values["contact_email"],
            },
            "training_body": training_body(),
            "terms": settings.SESSIONS_CONVENTION_TERMS,
        }


# --- Writing ------------------------------------------------------------------------------------------------


def _clean(*, session: TrainingSession, values: dict) -> dict:
    """`values` tidied (one line each but the address), or SessionError naming the first field refused."""
    cleaned = {}
    for name in CONVENTION_FIELDS:
        value = values.get(name)
        if name == "seats":
            cleaned[name] = value
        elif name == "company_address":
            cleaned[name] = "\n".join(
                line.strip() for line in str(value or "").strip().splitlines() if line.strip()
            )
        else:
            cleaned[name] = single_line(str(value or "")).strip()
    for name, message in _REQUIRED.items():
        if not cleaned[name]:
            raise SessionError(message, field=name)
    try:
        validate_email(cleaned["contact_email"])
    except ValidationError:
        raise SessionError(
            _("Cette adresse e-mail ne semble pas valide (exemple : prenom@entreprise.fr)."),
            field="contact_email",
        ) from None
    seats = cleaned["seats"]
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        raise SessionError(_("Indiquez un nombre de stagiaires d'au moins 1."), field="seats")
    if seats > session.seats:
        raise SessionError(
            _("La session compte %(seats)d places : la convention ne peut pas en prévoir davantage.")
            % {"seats": session.seats},
            field="seats",
        )
    return cleaned


def _number_next(year: int) -> str:
    prefix = f"C-{year}-"
    numbers = Convention.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    last = max(
        (int(number[len(prefix) :]) for number in numbers if number[len(prefix) :].isdigit()), default=0
    )
    return f"{prefix}{last + 1:04d}"


def _email_enqueue(convention_id: int) -> None:
    from .. import tasks

    transaction.on_commit(lambda: tasks.send_convention.enqueue(convention_id=convention_id))


def convention_create(
    *,
    session: TrainingSession,
    company_name: str,
    company_address: str,
    company_siret: str,
    contact_name: str,
    contact_email: str,
    seats: int,
    price_text: str,
) -> Convention:
    """Write a company's convention for `session` (number « C-2026-0003 », version 1) and e-mail its contact the
    signing link. Raises SessionError (with the field) for a value refused or a cancelled session."""
    if session.cancelled_at:
        raise SessionError(_("Cette session est annulée : elle ne peut plus recevoir de convention."))
    values = _clean(
        session=session,
        values={
            "company_name": company_name,
            "company_address": company_address,
            "company_siret": company_siret,
            "contact_name": contact_name,
            "contact_email": contact_email,
            "seats": seats,
            "price_text": price_text,
        },
    )
    snapshot = convention_snapshot(session=session, values=values)
    year = timezone.localdate().year
    # Two conventions written at once could pick the same number: the unique constraint refuses the second,
    # which takes the next one.
    for attempt in range(5):
        try:
            with transaction.atomic():
                convention = Convention.objects.create(
                    session=session, number=_number_next(year), version=1, snapshot=snapshot, **values
                )
                _email_enqueue(convention.pk)
            return convention
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def convention_update(*, convention: Convention, **changes) -> Convention:
    """Change a convention (any of CONVENTION_FIELDS) and take a fresh snapshot of the session.

    Unsigned, it is changed in place (its link changes when the contact does) and the contact is e-mailed again
    when what it says changed. Signed, a new version is written (same number, next version, new link, unsigned)
    and e-mailed; the signed one is kept as it was, marked replaced, and the session's registrations under it
    move to the new one. Returns the version in force. Raises SessionError for a replaced version, a signed one
    once the session has started, a signed one that nothing changes, or a value refused."""
    unknown = set(changes) - set(CONVENTION_FIELDS)
    if unknown:
        raise TypeError(f"convention_update() got unexpected fields: {sorted(unknown)}")
    now = timezone.now()
    with transaction.atomic():
        current = Convention.objects.select_for_update().get(pk=convention.pk)
        session = TrainingSession.objects.get(pk=current.session_id)
        if current.replaced_at:
            raise SessionError(
                _("Cette version a été remplacée par une version plus récente : modifiez la plus récente.")
            )
        before = {name: getattr(current, name) for name in CONVENTION_FIELDS}
        values = _clean(session=session, values={**before, **changes})
        snapshot = convention_snapshot(session=session, values=values)
        changed = values != before or snapshot != current.snapshot

        if not current.signed_at:
            if values["contact_email"].lower() != current.contact_email.lower():
                # The former contact's link stops working: only the new contact can sign.
                current.token = token_generate()
            for name, value in values.items():
                setattr(current, name, value)
            current.snapshot = snapshot
            current.save()
            if changed:
                _email_enqueue(current.pk)
            return current

        first = session.first_half_day
        if first is not None and first.start <= now:
            raise SessionError(
                _(
                    "La session a commencé : la convention signée ne peut plus être modifiée. Elle reste valable "
                    "telle qu'elle a été signée."
                )
            )
        if not changed:
            raise SessionError(
                _(
                    "Rien n'a changé : la version signée reste en vigueur, aucune nouvelle version n'est créée."
                )
            )
        replacement = Convention.objects.create(
            session=session, number=current.number, version=current.version + 1, snapshot=snapshot, **values
        )
        current.replaced_at = now
        current.save(update_fields=["replaced_at", "updated_at"])
        Registration.objects.filter(convention=current).update(convention=replacement)
        _email_enqueue(replacement.pk)
        return replacement


def convention_sign(
    *, convention: Convention, signer_name: str, signer_role: str, accepted: bool
) -> Convention:
    """The company signs this version: who (name, role) and when. Raises SessionError when it is already signed,
    replaced, the session's first half-day has started, the terms are not accepted or a name is missing."""
    signer_name = single_line(signer_name or "").strip()
    signer_role = single_line(signer_role or "").strip()
    now = timezone.now()
    with transaction.atomic():
        current = (
            Convention.objects.select_for_update(of=("self",)).select_related("session").get(pk=convention.pk)
        )
        refusal = convention_sign_refusal(convention=current, now=now)
        if refusal:
            raise SessionError(refusal, code="conflict")
        if not signer_name:
            raise SessionError(
                _("Indiquez votre nom : il figure sur la convention signée."), field="signer_name"
            )
        if not signer_role:
            raise SessionError(
                _("Indiquez votre qualité (exemple : directrice des ressources humaines)."),
                field="signer_role",
            )
        if not accepted:
            raise SessionError(
                _(
                    "Cochez la case « J'ai lu et j'accepte… » : sans elle, la convention ne peut pas être signée."
                ),
                field="accepted",
            )
        current.signed_at = now
        current.signer_name = signer_name[:160]
        current.signer_role = signer_role[:160]
        current.save(update_fields=["signed_at", "signer_name", "signer_role", "updated_at"])
    return current


# --- The e-mail ---------------------------------------------------------------------------------------------


def convention_email_send(*, convention_id: int) -> int:
    """E-mail the contact the signing link of this version; 0 when it is signed or replaced meanwhile (the task
    runs after the commit, perhaps later)."""
    from frenchbot.core.mail import mail_send_templated

    from .documents import convention_context

    convention = Convention.objects.select_related("session").filter(pk=convention_id).first()
    if convention is None or convention.signed_at or convention.replaced_at:
        return 0
    with translation.override("fr"):
        context = convention_context(convention=convention)
        context.update({"url": convention_url(convention=convention)})
        subject = _("Convention de formation à signer : %(title)s") % {
            "title": context["training"].get("title", "")
        }
        return mail_send_templated(
            to=[convention.contact_email],
            subject=subject,
            template="sessions/email/convention.txt",
            context=context,
            language="fr",
        )
