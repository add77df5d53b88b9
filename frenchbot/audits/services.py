"""Writes and scoring of the free AI audit. The same answers always give the same report."""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frenchbot.analytics.goals import goal_record
from frenchbot.core.errors import DomainError
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.leads.services import LeadError, lead_touch

from .models import MAX_OPTION_SCORE, Audit, Dimension, Level, Opportunity, Option, Questionnaire

# Upper bounds (exclusive) of each maturity level on the overall 0–100 score.
LEVEL_BOUNDS = [(25, Level.BEGINNER), (50, Level.EXPLORER), (75, Level.PRACTITIONER), (101, Level.ADVANCED)]
MIN_OPPORTUNITIES = 3
MAX_OPPORTUNITIES = 5


def level_explanation(level: str) -> str:
    """The plain-French meaning of a maturity level, shown under it in the report."""
    return {
        Level.BEGINNER: _(
            "Vous découvrez l'IA. Quelques usages simples et encadrés vous feront gagner du temps dès les "
            "premières semaines : commencez par une tâche d'écriture ou de synthèse que vous faites souvent."
        ),
        Level.EXPLORER: _(
            "Vous avez déjà essayé des outils d'IA, sans en faire encore une habitude. L'enjeu est de choisir "
            "deux ou trois usages utiles, de les pratiquer chaque semaine et de fixer des règles simples sur les données."
        ),
        Level.PRACTITIONER: _(
            "L'IA fait partie de votre travail. Vous gagnerez davantage en automatisant les tâches répétitives "
            "entre vos outils et en partageant les bonnes pratiques autour de vous."
        ),
        Level.ADVANCED: _(
            "Vous utilisez l'IA de façon régulière et encadrée. La suite : des automatisations sur mesure, "
            "des assistants reliés à vos propres documents et un suivi des gains obtenus."
        ),
    }[Level(level)]


class AuditError(DomainError):
    """A refusal to show a person: `message` is French; `errors` maps a question id (or a field name) to its
    message; `code` says which ("invalid" answers, "email", "consent", "empty" questionnaire)."""


def audit_rate_limited(*, ip: str) -> bool:
    """Count one audit write (a questionnaire sent, an e-mail given) from `ip`; True when it is over
    AUDIT_SUBMIT_RATE_LIMIT in the hour."""
    return rate_limit_hit(
        scope="audit_submit", key=ip, limit=settings.AUDIT_SUBMIT_RATE_LIMIT, window_seconds=3600
    )


def _level_for(overall: int) -> str:
    for bound, level in LEVEL_BOUNDS:
        if overall < bound:
            return level
    return Level.ADVANCED


def _percent(points: int, maximum: int) -> int:
    # Integer arithmetic rounded half up: no float can make two runs disagree.
    return (points * 200 + maximum) // (maximum * 2) if maximum else 0


def audit_score(*, questionnaire: Questionnaire, answers: Mapping[int, int]) -> dict:
    """Score already validated `answers` (question id → option id) of `questionnaire` and build the report.

    Each question counts `weight × option score / 4`; a dimension's score and the overall score are the
    weighted share of the points obtained, 0–100. The level follows `LEVEL_BOUNDS`. Opportunities of the
    catalogue (active, of this track or of both) are triggered by a chosen option or by their dimension
    scoring under their threshold; they are ranked by trigger (chosen option first), then hours saved per
    unit of difficulty, then id, and 3 to 5 are kept (topped up from the untriggered ones when fewer than 3).
    Returns a JSON-serialisable dict, identical for identical answers.
    """
    questions = list(questionnaire.questions.prefetch_related("options").order_by("order", "id"))
    points: dict[str, int] = {}
    maximum: dict[str, int] = {}
    chosen: set[int] = set()
    for question in questions:
        # A question added in the admin after validation, or left without options, cannot count.
        option = next((o for o in question.options.all() if o.id == answers.get(question.id)), None)
        if option is None:
            continue
        chosen.add(option.id)
        # The validator caps scores in the admin; the cap here keeps a hand-edited row from passing 100.
        score = min(option.score, MAX_OPTION_SCORE)
        points[question.dimension] = points.get(question.dimension, 0) + question.weight * score
        maximum[question.dimension] = maximum.get(question.dimension, 0) + question.weight * MAX_OPTION_SCORE
    scores = {dim: _percent(points[dim], maximum[dim]) for dim in Dimension.values if dim in maximum}
    overall = _percent(sum(points.values()), sum(maximum.values()))
    level = _level_for(overall)

    catalogue = (
        Opportunity.objects.filter(is_active=True)
        .filter(track__in=["", questionnaire.track])
        .prefetch_related("trigger_options")
    )
    ranked = []
    for opportunity in catalogue:
        by_option = any(o.id in chosen for o in opportunity.trigger_options.all())
        dim_score = scores.get(opportunity.dimension)
        by_score = dim_score is not None and dim_score < opportunity.threshold
        triggered = by_option or by_score
        # Hours saved per unit of difficulty, scaled to stay an integer: quick wins come first.
        value = opportunity.hours_saved_per_month * 6 // opportunity.difficulty
        key = (not triggered, not by_option, -value, opportunity.difficulty, opportunity.id)
        ranked.append((key, opportunity, by_option, by_score))
    ranked.sort(key=lambda item: item[0])
    triggered_items = [item for item in ranked if item[2] or item[3]]
    picked = triggered_items[:MAX_OPPORTUNITIES]
    if len(picked) < MIN_OPPORTUNITIES:
        picked += [item for item in ranked if not (item[2] or item[3])][: MIN_OPPORTUNITIES - len(picked)]
    opportunities = [
        {
            "id": opportunity.id,
            "task": opportunity.task,
            "description": opportunity.description,
            "tools": opportunity.tools,
            "hours_saved_per_month": opportunity.hours_saved_per_month,
            "difficulty": opportunity.difficulty,
            "dimension": opportunity.dimension,
            "reason": "option" if by_option else ("score" if by_score else "catalogue"),
        }
        for _key, opportunity, by_option, by_score in picked
    ]
    return {
        "track": questionnaire.track,
        "scores": scores,
        "overall": overall,
        "level": str(level),
        "opportunities": opportunities,
        "hours_saved_per_month": sum(o["hours_saved_per_month"] for o in opportunities),
    }


def audit_validate_answers(*, questionnaire: Questionnaire, answers: Mapping) -> dict[int, int]:
    """Check raw answers (question id → option id, or a list of them as a form posts) and return clean ints.

    Every question must have exactly one answer whose option belongs to that question; an unknown question,
    a forged option id or two answers to one question raise AuditError with a French message per question.
    """
    options_by_question: dict[int, set[int]] = {}
    for question_id, option_id in Option.objects.filter(question__questionnaire=questionnaire).values_list(
        "question_id", "id"
    ):
        options_by_question.setdefault(question_id, set()).add(option_id)
    if not options_by_question:
        raise AuditError(
            _("Ce questionnaire n'a pas encore de questions : revenez un peu plus tard."), code="empty"
        )
    clean: dict[int, int] = {}
    errors: dict[int | str, str] = {}
    for raw_key, raw_value in answers.items():
        try:
            question_id = int(raw_key)
        except (TypeError, ValueError):
            question_id = None
        if question_id not in options_by_question:
            errors["__all__"] = _(
                "Une réponse porte sur une question qui n'existe pas dans ce questionnaire."
            )
            continue
        values = list(raw_value) if isinstance(raw_value, list | tuple) else [raw_value]
        values = [v for v in values if v not in (None, "")]
        if not values:
            continue
        if len(values) > 1:
            errors[question_id] = _("Choisissez une seule réponse à cette question.")
            continue
        try:
            option_id = int(values[0])
        except (TypeError, ValueError):
            option_id = None
        if option_id not in options_by_question[question_id]:
            errors[question_id] = _(
                "Cette réponse ne correspond pas à la question : choisissez l'une des réponses proposées."
            )
            continue
        clean[question_id] = option_id
    for question_id in options_by_question:
        if question_id not in clean and question_id not in errors:
            errors[question_id] = _("Répondez à cette question.")
    if errors:
        count = len([k for k in errors if k != "__all__"])
        message = (
            ngettext(
                "Votre questionnaire n'est pas encore enregistré : %(count)s question à compléter ou corriger.",
                "Votre questionnaire n'est pas encore enregistré : %(count)s questions à compléter ou corriger.",
                count,
            )
            % {"count": count}
            if count
            else errors["__all__"]
        )
        raise AuditError(message, errors=errors)
    return clean


def _lead_for_audit(*, audit: Audit, email: str, consent_text: str, ip: str) -> None:
    try:
        lead_touch(
            email=email,
            source="audit",
            consent_text=consent_text,
            event="audit_completed",
            summary=_("Audit IA (%(track)s) : %(overall)s/100")
            % {
                "track": audit.get_track_display(),
                "overall": audit.overall,
            },
            payload={"audit_id": str(audit.id), "overall": audit.overall, "level": audit.level},
            ip=ip,
        )
    except LeadError as error:
        raise AuditError(
            error.message, field="email", errors={"email": error.message}, code=error.code
        ) from None


def _check_contact(*, email: str, consent: bool, consent_text: str) -> str:
    email = (email or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        message = _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr).")
        raise AuditError(message, field="email", errors={"email": message}, code="email") from None
    if not consent or not consent_text:
        message = _(
            "Cochez la case de consentement pour que nous puissions vous écrire, ou laissez l'e-mail vide."
        )
        raise AuditError(message, field="consent", errors={"consent": message}, code="consent")
    return email


def audit_submit(
    *,
    questionnaire: Questionnaire,
    answers: Mapping,
    email: str = "",
    consent: bool = False,
    consent_text: str = "",
    ip: str = "",
) -> Audit:
    """Validate `answers`, score them and save the audit in one transaction.

    `email` is optional; when given, `consent` must be True and `consent_text` the words the person agreed
    to, and the lead of that address records the audit (`lead_touch`, source "audit") and the report is
    e-mailed there (PDF attached) once committed, through the task queue. Raises AuditError,
    with nothing written, for missing, duplicated or forged answers, an invalid address or missing consent.
    """
    clean = audit_validate_answers(questionnaire=questionnaire, answers=answers)
    email = _check_contact(email=email, consent=consent, consent_text=consent_text)
    report = audit_score(questionnaire=questionnaire, answers=clean)
    with transaction.atomic():
        audit = Audit.objects.create(
            questionnaire=questionnaire,
            track=questionnaire.track,
            answers={str(q): o for q, o in clean.items()},
            scores=report["scores"],
            overall=report["overall"],
            level=report["level"],
            report=report,
            email=email,
            consent_text=consent_text if email else "",
            consent_at=timezone.now() if email else None,
        )
        if email:
            _lead_for_audit(audit=audit, email=email, consent_text=consent_text, ip=ip)
        _finish_after_commit(audit=audit, send_email=bool(email))
        goal_record(name="audit_completed", subject=audit)
    return audit


def _finish_after_commit(*, audit: Audit, send_email: bool) -> None:
    """Queue what is slow (the model's section, the PDF by e-mail) for when the audit is committed."""
    from .reports import ai_section_available

    if not send_email and not ai_section_available():
        return
    from . import tasks

    audit_id = str(audit.pk)
    transaction.on_commit(lambda: tasks.audit_finish.enqueue(audit_id=audit_id, send_email=send_email))


def audit_attach_email(*, audit: Audit, email: str, consent: bool, consent_text: str, ip: str = "") -> Audit:
    """Give an e-mail (with explicit consent) after seeing the result; records the audit on that lead and
    sends the report there (PDF attached) through the task queue.

    The report goes to one address only: the first one given, with the answers or here. Anyone holding the
    result link can post this form, so another address is refused (code "email_taken") rather than letting the
    site mail the report to whoever is named, again and again; the same address again sends nothing more (the
    task sends once). Whoever needs it elsewhere downloads the PDF from the page. Raises AuditError for an
    empty or invalid address, missing consent or another address; nothing is written then.
    """
    if not (email or "").strip():
        message = _("Indiquez votre adresse e-mail.")
        raise AuditError(message, field="email", errors={"email": message}, code="email")
    email = _check_contact(email=email, consent=consent, consent_text=consent_text)
    with transaction.atomic():
        # Locked: two forms posted at once cannot both find the audit without an address.
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        if locked.email == email:
            return locked
        if locked.email:
            message = _(
                "Ce rapport a déjà été envoyé à l'adresse indiquée la première fois : il ne part pas vers une "
                "autre. Téléchargez-le en PDF ci-dessus, ou refaites le questionnaire avec la bonne adresse."
            )
            raise AuditError(message, field="email", errors={"email": message}, code="email_taken")
        locked.email = email
        locked.consent_text = consent_text
        locked.consent_at = timezone.now()
        locked.report_sent_at = None
        locked.save(update_fields=["email", "consent_text", "consent_at", "report_sent_at", "updated_at"])
        _lead_for_audit(audit=locked, email=email, consent_text=consent_text, ip=ip)
        _finish_after_commit(audit=locked, send_email=True)
    for field in ("email", "consent_text", "consent_at", "report_sent_at", "updated_at"):
        setattr(audit, field, getattr(locked, field))
    return audit


def audit_consent_withdraw(*, audit: Audit) -> Audit:
    """Withdraw the consent given with an audit's e-mail (from « Mes données »): the address, the words agreed
    to and their date leave the audit, which stays as an anonymous result reachable by its link only. A report
    not sent yet is then not sent (the task finds no address); the lead's own consents and timeline are the
    leads app's to withdraw."""
    Audit.objects.filter(pk=audit.pk).update(
        email="", consent_text="", consent_at=None, updated_at=timezone.now()
    )
    audit.refresh_from_db()
    return audit
