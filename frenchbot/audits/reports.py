"""The audit report in every form it takes: the page, the PDF, the e-mail, the team's copy.

One context feeds them all, so the PDF and the e-mail say exactly what the result page says. The optional
section written by a language model lives here too: it is asked for only when a generative provider is
configured, grounded in the person's answers and the opportunities the scoring chose, and always shown as
written by AI.
"""

import logging

from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frenchbot.core.pdf import pdf_kept, pdf_render
from frenchbot.llm.base import ChatOptions, LLMError, Message
from frenchbot.llm.registry import generative_provider

from .models import Audit, Difficulty, Dimension, Level, Option, Question

logger = logging.getLogger(__name__)

# The model's section is short: a page of the PDF at most.
AI_MAX_TOKENS = 500
AI_MAX_CHARS = 3000


def audit_report_context(*, audit: Audit) -> dict:
    """What every form of the report shows: scores per dimension, level and its meaning, opportunities."""
    from .services import level_explanation

    report = audit.report
    scores = report.get("scores", {})
    dimensions = [
        {"code": code, "label": label, "score": scores[code]}
        for code, label in Dimension.choices
        if code in scores
    ]
    opportunities = [
        {
            **o,
            "difficulty_label": Difficulty(o["difficulty"]).label,
            "dimension_label": Dimension(o["dimension"]).label,
        }
        for o in report.get("opportunities", [])
    ]
    return {
        "audit": audit,
        "dimensions": dimensions,
        "overall": report.get("overall", audit.overall),
        "level_label": Level(audit.level).label,
        "explanation": level_explanation(audit.level),
        "opportunities": opportunities,
        "hours_total": report.get("hours_saved_per_month", 0),
        "ai_text": audit.ai_text,
        "ai_disclosure": ai_disclosure(audit.ai_model) if audit.ai_text else "",
    }


def audit_report_pdf(*, audit: Audit) -> bytes:
    """The report as a PDF (A4), in French. Raises frenchbot.core.pdf.PdfError when rendering fails."""
    with translation.override("fr"):
        context = audit_report_context(audit=audit)
        context["site_url"] = settings.SITE_URL
        return pdf_render(template_name="audits/report_pdf.html", context=context)


def audit_report_pdf_kept(*, audit: Audit, ip: str = "") -> bytes:
    """The report's PDF rendered once per version of the audit (its `updated_at` moves with every change, the
    model's section included) and kept; `ip` (a download) counts a render towards the visitor's limit. Raises
    PdfError, or PdfRenderLimited for a visitor who caused too many renders."""
    return pdf_kept(
        kind="audit",
        parts=(str(audit.pk), audit.updated_at.isoformat()),
        render=lambda: audit_report_pdf(audit=audit),
        ip=ip,
    )


def audit_report_filename(*, audit: Audit) -> str:
    return f"rapport-audit-ia-{audit.created_at:%Y-%m-%d}.pdf"


# ---------------------------------------------------------------------------------------------------------------
# The section written by a language model


def ai_section_available() -> bool:
    """True when a generative model is configured (not the extractive default, which only quotes)."""
    return generative_provider() is not None


def _ai_messages(*, audit: Audit) -> list[Message]:
    answers = {int(q): int(o) for q, o in audit.answers.items()}
    questions = {q.id: q for q in Question.objects.filter(id__in=answers)}
    options = {o.id: o for o in Option.objects.filter(id__in=answers.values())}
    lines = []
    for question_id, option_id in answers.items():
        if question_id in questions and option_id in options:
            lines.append(f"- {questions[question_id].text} → {options[option_id].text}")
    context = audit_report_context(audit=audit)
    scores = "\n".join(f"- {d['label']} : {d['score']}/100" for d in context["dimensions"])
    opportunities = "\n".join(
        f"- {o['task']} (outils : {o['tools']} ; environ {o['hours_saved_per_month']} h/mois ; "
        f"difficulté : {o['difficulty_label']})"
        for o in context["opportunities"]
    )
    system = (
        "Tu es consultant en intelligence artificielle chez The French Bot, une entreprise française qui forme "
        "les particuliers et les PME à ChatGPT et aux outils d'IA. Tu écris en français, en vouvoyant le "
        "lecteur, des phrases courtes et concrètes, sans exagération. Tu t'appuies uniquement sur les réponses, "
        "les scores et les opportunités fournis : n'invente ni chiffre, ni outil, ni fait sur la personne. "
        "Écris trois courts paragraphes, 150 à 220 mots en tout, sans titre ni liste : ce que les réponses "
        "montrent, par quoi commencer parmi les opportunités, et une précaution à prendre sur les données."
    )
    user = (
        f"Parcours : {audit.get_track_display()}\n"
        f"Score global : {context['overall']}/100 (niveau : {context['level_label']})\n"
        f"Scores par dimension :\n{scores}\n\n"
        f"Réponses au questionnaire :\n" + "\n".join(lines) + "\n\n"
        f"Opportunités retenues :\n{opportunities}"
    )
    return [Message("system", system), Message("user", user)]


def audit_ai_section_write(*, audit: Audit, force: bool = False) -> bool:
    """Ask the configured model for the report's AI-written section and save it on the audit.

    Does nothing (False) with the extractive default, when the section exists (unless `force`), or when the
    model fails: the report is complete without it. Runs in the task queue, never in a request.
    """
    if audit.ai_text and not force:
        return False
    provider = generative_provider()
    if provider is None:
        return False
    with translation.override("fr"):
        messages = _ai_messages(audit=audit)
    try:
        completion = async_to_sync(provider.complete)(
            messages, options=ChatOptions(temperature=0.3, max_tokens=AI_MAX_TOKENS)
        )
    except LLMError:
        logger.warning("The AI section of audit %s could not be written", audit.pk, exc_info=True)
        return False
    text = completion.text.strip()[:AI_MAX_CHARS]
    if not text:
        return False
    audit.ai_text = text
    audit.ai_model = str(provider.display_name or provider.model_id)[:120]
    audit.ai_written_at = timezone.now()
    audit.save(update_fields=["ai_text", "ai_model", "ai_written_at", "updated_at"])
    return True


def ai_pending(*, audit: Audit) -> bool:
    """The model's section is on its way (a generative provider is set and it is not written yet)."""
    return not audit.ai_text and ai_section_available()


def ai_disclosure(model: str) -> str:
    return _("Section rédigée par une IA (%(model)s) à partir de vos réponses : à relire avec recul.") % {
        "model": model
    }
