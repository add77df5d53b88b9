from django import template

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
