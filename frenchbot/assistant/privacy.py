"""The bot's personal data: the conversations a visitor has with it, their messages and the verdicts left on
answers.

A conversation belongs to an account or, for a visitor who is not signed in, to a browser session: those are
what find it. Its `ip_hash` is the keyed fingerprint of `frenchbot.core.net.ip_fingerprint` (the same one the
comments and the consents keep), so it is reported to tie the person to rows that hold nothing else.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_user,
    empty,
    register,
)

from .models import Conversation, Feedback, Message


def _retention() -> str:
    # Read when shown: the retention job follows RETENTION_CONVERSATIONS_DAYS (0 keeps them).
    days = settings.RETENTION_CONVERSATIONS_DAYS
    if not days:
        return str(_("sans limite de durée, jusqu'à votre demande d'effacement"))
    return ngettext(
        "%(days)d jour après leur dernier message, ou jusqu'à votre demande d'effacement",
        "%(days)d jours après leur dernier message, ou jusqu'à votre demande d'effacement",
        days,
    ) % {"days": days}


BOT = Treatment(
    key="assistant.conversations",
    name=_("Le bot"),
    purpose=_("Répondre à vos questions sur l'IA et nos offres, et améliorer ces réponses."),
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    description=_(
        "Vos questions au bot, ses réponses, les sources citées et votre avis éventuel (utile ou pas, avec "
        "votre commentaire) sont enregistrés avec votre session de navigation ou, si vous utilisez votre "
        "compte, avec celui-ci, ainsi qu'une empreinte chiffrée de votre adresse IP. Nous les relisons pour "
        "améliorer le bot : n'y mettez pas de données personnelles. Base légale : notre intérêt légitime à "
        "répondre à vos questions et à améliorer nos réponses."
    ),
    categories=(
        _("questions posées et réponses du bot"),
        _("avis sur les réponses et commentaire"),
        _("identifiant de session ou compte"),
        _("empreinte chiffrée de l'adresse IP"),
    ),
    people=_("les visiteurs qui posent des questions au bot"),
    retention=_retention,
    ai_processing=True,
    order=30,
)


def _conversations(subject):
    """The person's conversations: those of their account, and those of the browser sessions they asked from."""
    found = by_user(Conversation, "user", subject)
    if subject.session_keys:
        found = found | Conversation.objects.filter(session_key__in=subject.session_keys)
    return found


class ConversationData(PersonalData):
    model = Conversation
    treatment = BOT
    fields = ("title", "user", "session_key", "ip_hash", "created_at")
    label = _("Vos conversations avec le bot")
    # « Assistant », the app's name, is not what visitors call it.
    module_name = _("Le bot")
    erasure = Erasure.DELETE
    erasure_text = _("Vos conversations avec le bot sont supprimées, avec leurs messages et vos avis.")
    # After its messages and their feedback, which are found through it (the cascade would take them anyway).
    erase_order = 100

    def rows(self, subject):
        return _conversations(subject)

    def export_row(self, row):
        return {
            str(_("titre")): row.title,
            str(_("commencée le")): row.created_at.isoformat(),
            str(_("compte")): str(row.user) if row.user_id else None,
            str(_("session")): row.session_key,
            str(_("empreinte chiffrée de votre adresse IP")): row.ip_hash,
        }


class MessageData(PersonalData):
    model = Message
    treatment = BOT
    fields = ("conversation", "role", "content", "created_at")
    label = _("Vos questions au bot et ses réponses")
    erasure = Erasure.DELETE
    erasure_text = _("Vos questions et les réponses du bot sont supprimées.")
    erase_order = 90

    def rows(self, subject):
        if subject.user_id is None and not subject.session_keys:
            return empty(Message)
        return Message.objects.filter(conversation__in=_conversations(subject))

    def export_row(self, row):
        return {
            str(_("conversation")): row.conversation.title or row.conversation.created_at.isoformat(),
            str(_("date")): row.created_at.isoformat(),
            str(_("auteur")): str(row.get_role_display()),
            str(_("texte")): row.content,
            str(_("sources citées")): [source.get("title") or source.get("url") for source in row.sources],
        }


class FeedbackData(PersonalData):
    model = Feedback
    treatment = BOT
    fields = ("message", "rating", "comment", "created_at")
    label = _("Vos avis sur les réponses du bot")
    erasure = Erasure.DELETE
    erasure_text = _("Vos avis sur les réponses du bot et vos commentaires sont supprimés.")
    erase_order = 80

    def rows(self, subject):
        if subject.user_id is None and not subject.session_keys:
            return empty(Feedback)
        return Feedback.objects.filter(message__conversation__in=_conversations(subject))

    def export_row(self, row):
        return {
            str(_("réponse concernée")): row.message.content,
            str(_("date")): row.created_at.isoformat(),
            str(_("avis")): str(row.get_rating_display()),
            str(_("commentaire")): row.comment,
        }


register(ConversationData())
register(MessageData())
register(FeedbackData())
