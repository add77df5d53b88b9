"""Registering to a session with the positioning questionnaire; the convocation and the reminder.

A person registers from the training's page (or the team registers a company's seats in the admin); the
positioning questionnaire is part of the registration form, so the trainer reads every learner's needs before the
first half-day. The convocation (programme, dates, place or link, practical details, the invitation for the
agenda and the personal link) goes once committed; the reminder goes SESSIONS_REMINDER_HOURS before the start.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.text import single_line
from frenchbot.leads.models import LeadEvent, Source
from frenchbot.leads.services import LeadError, lead_normalize_email, lead_touch

from ..errors import SessionError
from ..models import Registration, TrainingSession
from . import form_rate_limit

logger = logging.getLogger(__name__)

# The positioning questionnaire (Qualiopi indicator 8): what the trainer reads before the session. `choices`
# empty: a free text. Stored in Registration.positioning under each key, as the person's words or the choice's
# label as it read then.
POSITIONING_QUESTIONS = (
    {
        "key": "usage",
        "label": gettext_lazy("Aujourd'hui, vous utilisez l'IA générative (ChatGPT, Mistral, Copilot…)"),
        "choices": (
            ("never", gettext_lazy("jamais")),
            ("tried", gettext_lazy("je l'ai essayée quelques fois")),
            ("weekly", gettext_lazy("chaque semaine")),
            ("daily", gettext_lazy("chaque jour")),
        ),
        "required": True,
    },
    {
        "key": "expectations",
        "label": gettext_lazy("Qu'attendez-vous de cette formation ?"),
        "choices": (),
        "required": True,
    },
    {
        "key": "tasks",
        "label": gettext_lazy("Sur quelles tâches de votre travail voulez-vous gagner du temps ?"),
        "choices": (),
        "required": False,
    },
    {
        "key": "adaptations",
        "label": gettext_lazy(
            "Avez-vous besoin d'une adaptation (situation de handicap, rythme, matériel) ? Le référent "
            "handicap vous contactera."
        ),
        "choices": (),
        "required": False,
    },
)
POSITIONING_MAX_CHARS = 2000


def positioning_clean(answers: dict) -> tuple[dict, dict[str, str]]:
    """The answers kept (question label → answer, in French as the trainer reads them) and the errors per
    question key; unknown keys are ignored."""
    kept, errors = {}, {}
    for question in POSITIONING_QUESTIONS:
        key, raw = question["key"], str(answers.get(question["key"], "") or "").strip()
        if question["choices"]:
            labels = dict(question["choices"])
            if raw and raw not in labels:
                errors[key] = _("Choisissez l'une des réponses proposées.")
                continue
            value = str(labels[raw]) if raw else ""
        else:
            value = raw[:POSITIONING_MAX_CHARS]
        if question["required"] and not value:
            errors[key] = _("Répondez à cette question : elle aide le formateur à préparer la session.")
            continue
        if value:
            with translation.override("fr"):
                kept[str(question["label"])] = value
    return kept, errors


def seats_left(session: TrainingSession) -> int:
    taken = session.registrations.exclude(status=Registration.Status.CANCELLED).count()
    return max(session.seats - taken, 0)


def _check_open(session: TrainingSession, *, now: datetime.datetime) -> None:
    first = session.first_half_day
    if not session.is_published or session.cancelled_at or first is None:
        raise SessionError(_("Cette session n'est pas ouverte aux inscriptions."), code="unavailable")
    if first.start <= now:
        raise SessionError(
            _(
                "Cette session a déjà commencé : les inscriptions sont closes. Les prochaines sessions sont sur "
                "la page de la formation."
            ),
            code="past",
        )


def registration_create(
    *,
    session: TrainingSession,
    name: str,
    email: str,
    company: str = "",
    positioning: dict,
    consent: bool,
    consent_text: str,
    user=None,
    ip: str = "",
    now: datetime.datetime | None = None,
) -> Registration:
    """Register a person to `session` with their positioning answers.

    Checks the input, that the session is open (published, not cancelled, not started), that a seat is left and
    that the address is not registered yet, and the rate limit of `ip`. Records the lead (source SESSION, the
    consent text as shown) in the same transaction; the convocation is queued once committed. The session's row
    is locked while the seats are counted, so two people cannot take the last seat. Raises SessionError with
    the field: "name", "email", "consent", a question key (`errors` holds each), "unavailable", "past", "full",
    "duplicate", "rate_limited". Nothing is written when it raises."""
    now = now or timezone.now()
    _check_open(session, now=now)
    name = single_line(name)[:160]
    errors = {}
    if not name:
        errors["name"] = _("Indiquez votre nom.")
    try:
        email = lead_normalize_email(email)
    except LeadError as error:
        errors["email"] = error.message
    kept, positioning_errors = positioning_clean(positioning)
    errors.update(positioning_errors)
    if not consent:
        errors["consent"] = _(
            "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre inscription."
        )
    if errors:
        raise SessionError(errors=errors)
    form_rate_limit(ip=ip, scope="registration")
    company = single_line(company)[:160]
    try:
        with transaction.atomic():
            TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
            live = session.registrations.exclude(status=Registration.Status.CANCELLED)
            if live.filter(email=email).exists():
                raise _duplicate_error()
            if live.count() >= session.seats:
                raise SessionError(
                    _("Cette session est complète. Choisissez une autre date sur la page de la formation."),
                    code="full",
                )
            registration = Registration.objects.create(
                session=session,
                user=user if user is not None and user.is_authenticated else None,
                name=name,
                email=email,
                company=company,
                positioning=kept,
                positioning_at=now,
                consent_text=consent_text,
            )
            lead_touch(
                email=email,
                name=name,
                company=company,
                source=Source.SESSION,
                consent_text=consent_text,
                event=LeadEvent.Kind.SESSION_REGISTERED,
                summary=_session_summary(session),
                payload={"session": session.pk, "registration": registration.pk},
                ip=ip,
            )
            registration_id = registration.pk
            transaction.on_commit(lambda: _convocation_enqueue(registration_id))
    except IntegrityError:
        # The same person pressed twice: the other request registered them.
        raise _duplicate_error() from None
    return registration


def _duplicate_error() -> SessionError:
    return SessionError(
        _(
            "Vous êtes déjà inscrit(e) à cette session avec cette adresse. Votre convocation, avec le lien de "
            "votre espace, est dans l'e-mail reçu."
        ),
        field="email",
        code="duplicate",
    )


def _session_summary(session: TrainingSession) -> str:
    first_half_day = session.first_half_day
    first = first_half_day.date if first_half_day else None
    with translation.override("fr"):
        when = first.strftime("%d/%m/%Y") if first else ""
        return f"{session.training.title} — {when}"


def _convocation_enqueue(registration_id: int) -> None:
    from .. import tasks

    tasks.send_convocation.enqueue(registration_id=registration_id)


def positioning_submit(*, registration: Registration, answers: dict) -> Registration:
    """Record the positioning answers of a registration made without them (a company's seat entered by the
    team). Refused once answered: the trainer may already have read them (SessionError "answered")."""
    kept, errors = positioning_clean(answers)
    if errors:
        raise SessionError(errors=errors)
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.positioning_at:
            raise SessionError(
                _(
                    "Vous avez déjà répondu au questionnaire de positionnement. Pour compléter vos réponses, "
                    "écrivez-nous : le formateur en tiendra compte."
                ),
                code="answered",
            )
        locked.positioning, locked.positioning_at = kept, timezone.now()
        locked.save(update_fields=["positioning", "positioning_at", "updated_at"])
    return locked


def reminders_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Registrations whose session's first half-day starts within SESSIONS_REMINDER_HOURS and who have not had
    their reminder (nor a convocation sent inside that window, which says the same)."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(hours=settings.SESSIONS_REMINDER_HOURS)
    due = []
    candidates = (
        Registration.objects.filter(
            status=Registration.Status.REGISTERED,
            reminder_sent_at__isnull=True,
            session__cancelled_at__isnull=True,
            session__half_days__date__gte=now.date(),
            session__half_days__date__lte=horizon.date(),
        )
        .distinct()
        .select_related("session")
        .prefetch_related("session__half_days")
    )
    for registration in candidates:
        first = registration.session.first_half_day
        if first is None or not (now < first.start <= horizon):
            continue
        sent = registration.convocation_sent_at
        if sent and first.start - sent <= datetime.timedelta(hours=settings.SESSIONS_REMINDER_HOURS):
            continue
        due.append(registration.pk)
    return due
