"""`{% resources_related obj %}`: the « Ressources liées » box of an article or a training (the resources that
name it), so that blog and courses templates show it without either app importing this one."""

from django import template

from ..selectors.guides import resources_related as related_for

register = template.Library()


@register.inclusion_tag("resources/_related.html")
def resources_related(obj) -> dict:
    """The published guides and prompts linked to `obj` (a blog article or a courses training, told apart by
    their model's label); the box renders nothing when there are none."""
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return {"guides": [], "prompts": []}
    guides, prompts = related_for(label=meta.label_lower, pk=obj.pk)
    return {"guides": guides, "prompts": prompts}
