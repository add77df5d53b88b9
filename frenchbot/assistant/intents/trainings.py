"""The trainings: answered from the catalogue (title, audience, duration, price), never from blog passages."""

from django.utils.translation import gettext as _

from frenchbot.core.text import french_analyze, french_typography
from frenchbot.courses.models import Audience
from frenchbot.courses.selectors.trainings import trainings_published

from ..actions import hours_text, trainings_cards
from .base import Intent, Reply, TurnContext

# Stems (french_analyze) that name who a training is for.
_BUSINESS_STEMS = {
    "pme",
    "entrepris",
    "equip",
    "salari",
    "societ",
    "tpe",
    "collabor",
    "professionnel",
    "boit",
}
_INDIVIDUAL_STEMS = {"particuli", "perso", "personnel", "moi", "individuel", "seul"}


class TrainingsIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        stems = set(french_analyze(message))
        audience = None
        if stems & _BUSINESS_STEMS and not stems & _INDIVIDUAL_STEMS:
            audience = Audience.BUSINESS
        elif stems & _INDIVIDUAL_STEMS and not stems & _BUSINESS_STEMS:
            audience = Audience.INDIVIDUAL
        trainings = list(trainings_published(audience=audience)) or list(trainings_published())
        if not trainings:
            return super().reply(message=message, user=user, context=context)
        # One sentence that answers (titles, audience, length, price); the cards under it carry the rest.
        named = []
        for training in trainings:
            details = [str(training.get_audience_display()).lower(), hours_text(training.duration_hours)]
            if training.price_text:
                details.append(training.price_text)
            named.append(f"[**{training.title}**]({training.get_absolute_url()}) ({', '.join(details)})")
        listed = (
            named[0]
            if len(named) == 1
            else _("%(first)s et %(last)s")
            % {
                "first": ", ".join(named[:-1]),
                "last": named[-1],
            }
        )
        intro = (
            _("Voici notre formation : %(list)s.") % {"list": listed}
            if len(trainings) == 1
            else _("Voici nos %(n)d formations : %(list)s.") % {"n": len(trainings), "list": listed}
        )
        outro = _(
            "Chaque formation se suit en ligne, à votre rythme, avec des quiz, des exercices pratiques et un "
            "certificat. Laquelle vous intéresse ?"
        )
        # The cards name the trainings: the next steps under them are the others (the audit, a call).
        suggestions = [s for s in self.suggestions if s["kind"] != "training"]
        return Reply(
            text=french_typography(f"{intro}\n\n{outro}"),
            suggestions=suggestions,
            actions=[trainings_cards(trainings)],
        )


intent_class = TrainingsIntent
