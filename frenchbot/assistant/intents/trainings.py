"""The trainings: answered from the catalogue (title, audience, duration, price), never from blog passages."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frenchbot.core.dates import date_range_text
from frenchbot.core.text import french_analyze, french_typography
from frenchbot.courses.models import Audience
from frenchbot.courses.selectors.trainings import trainings_published
from frenchbot.sessions.selectors import sessions_upcoming

from ..actions import hours_text, trainings_cards
from .base import Intent, Reply, TurnContext, list_position

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


# Stems that ask when a training takes place with a trainer (a session's dates).
_WHEN_STEMS = {"quand", "dat", "session", "prochain", "presentiel", "formateur", "sall"}
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
    if stems & _WHEN_STEMS:
        return "when"
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
        if len(titled) == 1 and not audience:
            trainings = titled
        # « Combien coûte la première ? » after the list: the list is the same, in the same order.
        position = list_position(message) if len(trainings) > 1 else None
        if position is not None and -len(trainings) <= position < len(trainings):
            trainings = [trainings[position]]
        if len(trainings) == 1:
            return self._one(trainings[0], _ask(stems) or _ask(subject))
        # One sentence that answers (titles, audience, length, price); the cards under it carry the rest.
        named = [f"{_link(training)} ({_details(training)})" for training in trainings]
        intro = _("Voici nos %(n)d formations : %(list)s.") % {
            "n": len(trainings),
            "list": _("%(first)s et %(last)s") % {"first": ", ".join(named[:-1]), "last": named[-1]},
        }
        outro = _(
            "Chaque formation se suit en ligne, à votre rythme, avec des quiz, des exercices pratiques et un "
            "certificat. Laquelle vous intéresse ?"
        )
        return self._reply(f"{intro}\n\n{outro}", trainings)

    def _one(self, training, ask: str) -> Reply:
        """One training: what was asked of it (its price or its length), else what it is, with the rest in a few
        words after; the question that follows asks about this one, not « which one »."""
        values = {
            "link": _link(training),
            "details": _details(training),
            "hours": hours_text(training.duration_hours),
            "audience": _("pour les entreprises")
            if training.audience == Audience.BUSINESS
            else _("pour les particuliers"),
            "price": _price(training),
        }
        upcoming = [item for item in sessions_upcoming(training=training) if not item.is_full]
        if ask == "when":
            if upcoming:
                text = _("La prochaine session de la formation %(link)s avec un formateur : %(when)s.") % {
                    **values,
                    "when": _session_text(upcoming[0]),
                }
            else:
                text = (
                    _(
                        "Aucune session de la formation %(link)s avec un formateur n'est ouverte pour le moment ; "
                        "elle se suit aussi en ligne, à votre rythme."
                    )
                    % values
                )
            question = _("Voulez-vous voir son programme ou en parler avec nous ?")
            return self._reply(f"{text}\n\n{question}", [training])
        if ask == "price" and training.price_text[:1].isdigit():
            text = _("La formation %(link)s (%(audience)s, %(hours)s) coûte %(price)s.") % values
        elif ask == "price" and training.price_text:
            # « sur devis, à partir de… »: a price that is not a sum does not « cost ».
            text = _("La formation %(link)s (%(audience)s, %(hours)s) : %(price)s.") % values
        elif ask:
            text = _("La formation %(link)s dure %(hours)s (%(audience)s).") % values
            if training.price_text:
                text += " " + _("Son prix : %(price)s.") % values
        else:
            text = _("Nous proposons la formation %(link)s (%(details)s).") % values
        outro = _(
            "Elle se suit en ligne, à votre rythme, avec des quiz, des exercices pratiques et un certificat. "
            "Voulez-vous voir son programme ou en parler avec nous ?"
        )
        if upcoming:
            text += " " + _("Prochaine session avec un formateur : %(when)s.") % {
                "when": _session_text(upcoming[0])
            }
        return self._reply(f"{text}\n\n{outro}", [training])

    def _reply(self, text: str, trainings: list) -> Reply:
        # The cards name the trainings: the next steps under them are the others (the audit, a call).
        return Reply(
            text=french_typography(text),
            suggestions=[s for s in self.suggestions if s["kind"] != "training"],
            actions=[trainings_cards(trainings)],
        )


def _link(training) -> str:
    return f"[**{training.title}**]({training.get_absolute_url()})"


def _details(training) -> str:
    details = [str(training.get_audience_display()).lower(), hours_text(training.duration_hours)]
    if training.price_text:
        details.append(_price(training))
    return ", ".join(details)


def _price(training) -> str:
    """The price as it reads inside a sentence: « sur devis, à partir de… », not « Sur devis… »."""
    price = training.price_text
    return price[:1].lower() + price[1:] if price[:1].isalpha() else price


intent_class = TrainingsIntent


def _session_text(item) -> str:
    """« du 28 au 29 décembre 2026, à distance, 5 places restantes »: the next session, in a sentence."""
    first, last = item.first_date, item.last_date
    if first == last:
        when = _("le %(date)s") % {"date": date_format(first, "l j F Y")}
    else:
        when = date_range_text(first, last)
    where = _("à distance") if item.is_remote else (item.session.place or _("en présentiel"))
    seats = ngettext("%(n)d place restante", "%(n)d places restantes", item.seats_left) % {
        "n": item.seats_left
    }
    return f"{when}, {where}, {seats}"
