"""Moments written for people: « jeudi 27 novembre 2026 à 14 h 30 (heure de Paris) », in the active language."""

import datetime
import zoneinfo

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


def duration_text(minutes: int) -> str:
    """« 45 minutes », « 1 h », « 1 h 30 », « 2 heures » — a length of time as French speakers write it."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return ngettext("%(n)d minute", "%(n)d minutes", rest) % {"n": rest}
    if not rest:
        return ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
