"""`{% resources_related obj %}`: the « Ressources liées » box of an article or a training (the resources that
name it), so that blog and courses templates show it without either app importing this one."""

from functools import cached_property

from django import template

from ..selectors.guides import resources_related as related_for

register = template.Library()


class RelatedResources:
    """The guides and prompts naming one object, read only when the box is rendered: the box is kept as a
    fragment per object (a write to a guide, a prompt or their links renews it), and a kept one runs no query."""

    def __init__(self, *, label: str, pk):
        self.label = label
        self.pk = pk

    @cached_property
    def _found(self):
        return related_for(label=self.label, pk=self.pk)

    @property
    def guides(self):
        return self._found[0]

    @property
    def prompts(self):
        return self._found[1]


@register.inclusion_tag("resources/_related.html", takes_context=True)
def resources_related(context, obj) -> dict:
    """The published guides and prompts linked to `obj` (a blog article or a courses training, told apart by
    their model's label); the box renders nothing when there are none."""
    meta = getattr(obj, "_meta", None)
    return {
        # The fragment tag keys on the request's public-content version; an inclusion tag's template does not
        # see the page's context processors.
        "request": context.get("request"),
        "related": RelatedResources(label=meta.label_lower if meta else "", pk=getattr(obj, "pk", None)),
    }
