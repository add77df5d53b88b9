import datetime
import json
import re

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from frenchbot.core.dates import when_text

from .. import registry
from ..processors import ai_processors

register = template.Library()


@register.simple_tag
def privacy_treatments():
    """Every declared treatment, in the policy's order."""
    return registry.treatments()


@register.simple_tag
def privacy_processors():
    return ai_processors()


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@register.filter
def privacy_value(value) -> str:
    """One exported value as a person reads it: dates in words, « Oui »/« Non », « — » for nothing. The JSON of
    the archive keeps the values as they are (ISO 8601) for machines."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    elif isinstance(value, str) and _ISO_DAY.match(value):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        return when_text(value, with_zone=False) if value.tzinfo else date_format(value, "j F Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
