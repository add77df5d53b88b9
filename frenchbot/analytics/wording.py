"""The audience figures as the team reads them, in French: « 1 min 35 s », « 42,5 % », « en hausse de 12 % »,
« a amené 4 audits et 1 rendez-vous ». Shared by the dashboard and the weekly e-mail, so both say the same."""

import dataclasses

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from .models import GoalName

# A change smaller than this (in percent, or in points for rates) reads « stable ».
_STABLE = 0.5


def number_text(value: float | None, *, decimals: int = 0) -> str:
    """« 12 345 », « 2,4 »; « — » when there is nothing to divide."""
    if value is None:
        return "—"
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def percent_text(value: float | None, *, decimals: int = 1) -> str:
    """`value` is a share from 0 to 1: « 42,5 % » (a non-breaking space before the sign)."""
    if value is None:
        return "—"
    return f"{number_text(100 * value, decimals=decimals)}\u00a0%"


def seconds_text(seconds: float | None) -> str:
    """« 45 s », « 1 min 35 s », « 1 h 02 min »."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)d s") % {"seconds": seconds}


@dataclasses.dataclass(frozen=True)
class Change:
    """How a figure moved against the previous period: `direction` is "up", "down", "same" or "new" (nothing
    to compare with); `text` says it in words, `arrow` draws it (never the only way it is said)."""

    direction: str
    text: str

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "same": "→"}.get(self.direction, "")


def change_of(current: float | None, previous: float | None, *, points: bool = False) -> Change:
    """The change from `previous` to `current`: relative (« en hausse de 12 % ») or, for rates given from 0 to 1
    with `points`, in percentage points (« en baisse de 3,5 points »)."""
    if current is None or previous is None:
        return Change("new", _("pas de comparaison possible"))
    if points:
        delta = 100 * (current - previous)
        amount = ngettext("%(n)s point", "%(n)s points", int(abs(delta))) % {
            "n": number_text(abs(delta), decimals=1)
        }
    else:
        if not previous:
            if not current:
                return Change("same", _("stable (aucun sur la période précédente)"))
            return Change("new", _("aucun sur la période précédente"))
        delta = 100 * (current - previous) / previous
        amount = f"{number_text(abs(delta))}\u00a0%"
    if abs(delta) < _STABLE:
        return Change("same", _("stable"))
    if delta > 0:
        return Change("up", _("en hausse de %(amount)s") % {"amount": amount})
    return Change("down", _("en baisse de %(amount)s") % {"amount": amount})


def goals_sentence(goals: dict[str, int]) -> str:
    """What the visits entering a page brought: « a amené 4 audits et 1 rendez-vous »; « » when nothing."""
    audits = goals.get(GoalName.AUDIT_COMPLETED, 0)
    calls = goals.get(GoalName.CALL_BOOKED, 0)
    enrolments = goals.get(GoalName.ENROLLED, 0)
    # Each wording written out whole, so that the translators' tools find them.
    parts = []
    if audits:
        parts.append(ngettext("%(n)s audit", "%(n)s audits", audits) % {"n": number_text(audits)})
    if calls:
        parts.append(ngettext("%(n)s rendez-vous", "%(n)s rendez-vous", calls) % {"n": number_text(calls)})
    if enrolments:
        parts.append(
            ngettext("%(n)s inscription", "%(n)s inscriptions", enrolments) % {"n": number_text(enrolments)}
        )
    if not parts:
        return ""
    listed = (
        parts[0]
        if len(parts) == 1
        else _("%(first)s et %(last)s")
        % {
            "first": ", ".join(parts[:-1]),
            "last": parts[-1],
        }
    )
    return _("a amené %(goals)s") % {"goals": listed}


# The countries a French site's visitors come from most, by ISO 3166-1 alpha-2 code; others are shown as codes.
COUNTRY_NAMES = {
    "FR": _lazy("France"),
    "BE": _lazy("Belgique"),
    "CH": _lazy("Suisse"),
    "LU": _lazy("Luxembourg"),
    "MC": _lazy("Monaco"),
    "CA": _lazy("Canada"),
    "US": _lazy("États-Unis"),
    "GB": _lazy("Royaume-Uni"),
    "IE": _lazy("Irlande"),
    "DE": _lazy("Allemagne"),
    "AT": _lazy("Autriche"),
    "NL": _lazy("Pays-Bas"),
    "ES": _lazy("Espagne"),
    "PT": _lazy("Portugal"),
    "IT": _lazy("Italie"),
    "PL": _lazy("Pologne"),
    "SE": _lazy("Suède"),
    "NO": _lazy("Norvège"),
    "DK": _lazy("Danemark"),
    "FI": _lazy("Finlande"),
    "CZ": _lazy("Tchéquie"),
    "RO": _lazy("Roumanie"),
    "GR": _lazy("Grèce"),
    "MA": _lazy("Maroc"),
    "DZ": _lazy("Algérie"),
    "TN": _lazy("Tunisie"),
    "SN": _lazy("Sénégal"),
    "CI": _lazy("Côte d'Ivoire"),
    "CM": _lazy("Cameroun"),
    "MG": _lazy("Madagascar"),
    "RE": _lazy("La Réunion"),
    "GP": _lazy("Guadeloupe"),
    "MQ": _lazy("Martinique"),
    "NC": _lazy("Nouvelle-Calédonie"),
    "PF": _lazy("Polynésie française"),
    "HT": _lazy("Haïti"),
    "BR": _lazy("Brésil"),
    "MX": _lazy("Mexique"),
    "IN": _lazy("Inde"),
    "CN": _lazy("Chine"),
    "JP": _lazy("Japon"),
    "AU": _lazy("Australie"),
    "IL": _lazy("Israël"),
    "AE": _lazy("Émirats arabes unis"),
}


def country_name(code: str) -> str:
    """« France » for "FR"; the code itself when it is not among the common ones; « Inconnu » when blank."""
    if not code:
        return _("Inconnu")
    return str(COUNTRY_NAMES.get(code.upper(), code.upper()))
