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


# Stems that ask what a training costs, and how long it lasts (« combien » alone asks the price).
_PRICE_STEMS = {"prix", "tarif", "cout", "pai", "pay", "euro", "euros", "combien"}
_DURATION_STEMS = {"dur", "dure", "temp", "heur", "long"}
# Words of a title that name no training in particular.
_GENERIC_TITLE_STEMS = {"format"}


def _audience(stems: set[str]) -> str | None:
    if stems & _BUSINESS_STEMS and not stems & _INDIVIDUAL_STEMS:
        return Audience.BUSINESS
    if stems & _INDIVIDUAL_STEMS and not stems & _BUSINESS_STEMS:
        return Audience.INDIVIDUAL
    return None


def _named(trainings: list, stems: set[str]) -> list:
    """The trainings the message names by their title: the words of a title that no other title has, two of
    them (or the only one) — « ChatGPT au quotidien », not « ChatGPT » alone, which many trainings may teach."""
    titles = {
        training.pk: set(french_analyze(training.title)) - _GENERIC_TITLE_STEMS for training in trainings
    }
    named = []
    for training in trainings:
        own = titles[training.pk] - set().union(*(t for pk, t in titles.items() if pk != training.pk))
        if own and len(own & stems) >= min(2, len(own)):
            named.append(training)
    return named


def _ask(stems: set[str]) -> str:
    if stems & _DURATION_STEMS:
        return "duration"
    if stems & _PRICE_STEMS:
        return "price"
    return ""


class TrainingsIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        stems = set(french_analyze(message))
        # A short follow-up keeps the subject of the message before it (which training, for whom, what).
        subject = set(french_analyze(context.subject)) if context and context.subject else stems
        audience = _audience(stems) or _audience(subject)
        trainings = list(trainings_published(audience=audience)) or list(trainings_published())
        if not trainings:
            return super().reply(message=message, user=user, context=context)
        titled = _named(trainings, stems) or _named(trainings, subject)
        ask = _ask(stems) or _ask(subject)
        if len(titled) == 1 and not audience:
            trainings = titled
        if len(trainings) == 1 and ask:
            return self._one(trainings[0], ask)
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

    def _one(self, training, ask: str) -> Reply:
        """What was asked of one training (its price or its length), with the rest in a few words after."""
        values = {
            "link": f"[**{training.title}**]({training.get_absolute_url()})",
            "hours": hours_text(training.duration_hours),
            "audience": _("pour les entreprises")
            if training.audience == Audience.BUSINESS
            else _("pour les particuliers"),
            "price": training.price_text,
        }
        if ask == "price" and training.price_text:
            text = _("La formation %(link)s (%(audience)s, %(hours)s) coûte %(price)s.") % values
        else:
            text = _("La formation %(link)s dure %(hours)s (%(audience)s).") % values
            if training.price_text:
                text += " " + _("Son prix : %(price)s.") % values
        outro = _(
            "Elle se suit en ligne, à votre rythme, avec des quiz, des exercices pratiques et un certificat. "
            "Voulez-vous voir son programme ou en parler avec nous ?"
        )
        suggestions = [s for s in self.suggestions if s["kind"] != "training"]
        return Reply(
            text=french_typography(f"{text}\n\n{outro}"),
            suggestions=suggestions,
            actions=[trainings_cards([training])],
        )


intent_class = TrainingsIntent
