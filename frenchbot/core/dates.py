"""Moments written for people: « jeudi 27 novembre 2026 à 14 h 30 (heure de Paris) », in the active language."""

import datetime
import zoneinfo

from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def zone_label(zone_name: str) -> str:
    if zone_name == "Europe/Paris":
        return _("heure de Paris")
    return _("fuseau %(zone)s") % {"zone": zone_name.replace("_", " ")}


def when_text(moment: datetime.datetime, zone_name: str = "Europe/Paris", *, with_zone: bool = True) -> str:
    """« jeudi 27 novembre 2026 à 14 h 30 (heure de Paris) » (without the zone when `with_zone` is False)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_name))
    values = {
        "date": date_format(local, "l j F Y"),
        "time": time_format(local, "TIME_FORMAT"),
        "zone": zone_label(zone_name),
    }
    if not with_zone:
        return _("%(date)s à %(time)s") % values
    return _("%(date)s à %(time)s (%(zone)s)") % values


def day_text(day: datetime.date) -> str:
    """« 28 novembre 2026 »; in French the first of the month is « 1er décembre 2026 »."""
    if day.day == 1 and (translation.get_language() or "").startswith("fr"):
        return "1er " + date_format(day, "F Y")
    return date_format(day, "j F Y")


def date_range_text(first: datetime.date, last: datetime.date) -> str:
    """« le 12 mars 2026 », « du 12 au 13 mars 2026 », « du 30 mars au 2 avril 2026 », « du 28 décembre 2026 au
    2 janvier 2027 »: what the year and the month of both ends share is written once."""
    if first == last:
        return _("le %(date)s") % {"date": day_text(first)}
    if (first.year, first.month) == (last.year, last.month):
        start = day_text(first).split(" ", 1)[0]
    elif first.year == last.year:
        start = day_text(first).rsplit(" ", 1)[0]
    else:
        start = day_text(first)
    return _("du %(start)s au %(end)s") % {"start": start, "end": day_text(last)}


def duration_text(minutes: int) -> str:
    """« 45 minutes », « 1 h », « 1 h 30 », « 2 heures » — a length of time as French speakers write it."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    if not rest:
        return ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
