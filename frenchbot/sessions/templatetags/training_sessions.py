"""What a training's page shows of its sessions, so that the courses templates show it without courses importing
this app:

    {% load training_sessions %}
    {% training_sessions_block training %}        the dated result indicators and the next sessions
    {% training_disability_contact training as contact %}
    {% learner_sessions_block user %}              « Mes formations »: the sessions the account registered to

The block changes with registrations, sessions and the daily indicators, and with time (a session that starts
leaves the list): it must not go inside a `{% fragment %}` keyed on the training alone. Every write that changes
it retires the page kept for visitors (`sessions.signals`); a page kept across a session's start shows it for at
most PAGE_CACHE_SECONDS, and the registration refuses a session already started.
"""

from django import template
from django.conf import settings
from django.utils import timezone

from ..selectors import indicators_public, registrations_of_user, sessions_upcoming
from ..selectors import training_disability_contact as disability_contact

register = template.Library()


@register.inclusion_tag("sessions/_training_block.html")
def training_sessions_block(training) -> dict:
    """The training's public result indicators (dated; a short line instead when too few learners are counted)
    and its upcoming inter-company sessions, each with its seats left and a link to register."""
    return {
        "training": training,
        "indicators": indicators_public(training=training),
        "min_learners": settings.SESSIONS_INDICATORS_MIN_LEARNERS,
        "upcoming": sessions_upcoming(training=training),
    }


@register.simple_tag
def training_disability_contact(training) -> str:
    """The e-mail address to write to about a disability for `training`."""
    return disability_contact(training=training)


@register.inclusion_tag("sessions/_learner_sessions.html")
def learner_sessions_block(user) -> dict:
    """The sessions `user` registered to, with the link to each one's page (positioning, signing, documents)."""
    return {"registrations": registrations_of_user(user=user), "today": timezone.localdate()}
