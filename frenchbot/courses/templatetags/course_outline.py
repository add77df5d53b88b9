"""`{% outline_marked %}`: a training's programme with one learner's marks.

The programme is the same for every learner of a training but for their marks (a step done or to do, each
module's count and bar). Rendering it through the template engine for every page view was most of the cost of
the lesson and progress pages, so its skeleton — the programme with a placeholder where each mark goes — is
rendered once per public-content version, language and way of showing it, and kept in process memory
(`core.pagecache.public_kept`); each page view only puts this learner's marks in the placeholders. The marks
themselves are never kept: they come from the outline the view read for this learner, at every request.

    {% load course_outline %}
    {% outline_marked outline level="2" show_state=progress can_open_all=can_open_all current_key=current_key %}
"""

import re

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from frenchbot.core.pagecache import public_kept, public_version
from frenchbot.core.templatetags.frenchbot import pct_bar

from ..selectors.trainings import ModuleItem

register = template.Library()

# Written by the template around each mark's place: an invisible separator and a name no title would carry.
MARK = "\u2063fbmark:"
_MARK_RE = re.compile(re.escape(MARK) + r"(class|state|module):([a-z]+:\d+|\d+)" + re.escape(MARK))


def _skeleton(context, outline: list[ModuleItem], values: dict) -> str:
    return render_to_string(
        "courses/_outline.html", {**values, "outline": outline, "mark": MARK}, request=context.get("request")
    )


@register.simple_tag(takes_context=True)
def outline_marked(
    context,
    outline: list[ModuleItem],
    *,
    level: str = "3",
    show_state=False,
    can_open_all=False,
    current_key: str = "",
) -> str:
    """The programme `outline` (`courses/_outline.html`), its skeleton kept per content version and the
    learner's marks (the steps' `done`, read for this request) put in at each call."""
    values = {
        "level": str(level),
        "show_state": bool(show_state),
        "can_open_all": bool(can_open_all),
        "current_key": current_key,
    }
    if not outline:
        return _skeleton(context, outline, values)
    request = context.get("request")
    training_id = outline[0].module.training_id
    key = "courses:outline-html:{}:{}:{level}:{show_state:d}:{can_open_all:d}:{current_key}".format(
        training_id, translation.get_language(), **values
    )
    html = public_kept(
        version=public_version(request) if request is not None else None,
        key=key,
        make=lambda: _skeleton(context, outline, values),
    )
    if not values["show_state"]:
        return mark_safe(html)  # noqa: S308 — rendered by the template engine, nothing of the learner's in it
    done = {step.key for module in outline for step in module.steps if step.done}
    modules = {str(item.module.pk): item for item in outline}
    done_label = format_html('<span aria-hidden="true">✓ </span>{}', gettext("Terminée"))
    todo_label = conditional_escape(gettext("À faire"))

    def mark(match: re.Match) -> str:
        kind, name = match.groups()
        if kind == "class":
            return " step--done" if name in done else ""
        if kind == "state":
            return done_label if name in done else todo_label
        item = modules[name]
        total, count = len(item.steps), item.done_count
        sentence = ngettext("%(done)s étape sur %(total)s", "%(done)s étapes sur %(total)s", count) % {
            "done": count,
            "total": total,
        }
        return format_html(
            '<p class="outline__count">{}</p>\n        <span class="bar outline__bar" aria-hidden="true">{}</span>',
            sentence,
            pct_bar(item.percent),
        )

    # Only the marks written by the skeleton are replaced; the values are this learner's, escaped above.
    return mark_safe(_MARK_RE.sub(mark, html))  # noqa: S308


_TO_DO_RE = re.compile(
    re.escape(MARK)
    + r"todo:([a-z]+:\d+)"
    + re.escape(MARK)
    + "(.*?)"
    + re.escape(MARK)
    + "end"
    + re.escape(MARK),
    re.DOTALL,
)


@register.simple_tag(takes_context=True)
def steps_to_do(context, progress) -> str:
    """The items of the list of required steps this learner has still to do (`courses/_steps_to_do.html`): every
    required step of the training rendered once per content version and kept, those done left out at each
    call."""
    outline = progress.modules
    request = context.get("request")
    required = [step for step in progress.steps if step.obj.is_required]
    if not required:
        return ""
    key = f"courses:steps-to-do-html:{outline[0].module.training_id}:{translation.get_language()}"
    html = public_kept(
        version=public_version(request) if request is not None else None,
        key=key,
        make=lambda: render_to_string(
            "courses/_steps_to_do.html", {"steps": required, "mark": MARK}, request=request
        ),
    )
    done = {step.key for step in required if step.done}
    # Only the items written by the skeleton are kept or left out; nothing of the learner's is written.
    return mark_safe(_TO_DO_RE.sub(lambda m: "" if m.group(1) in done else m.group(2), html))  # noqa: S308
