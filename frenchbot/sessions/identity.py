"""Which learner this browser is: the registrations whose personal link (from the convocation) it opened,
kept in its session, and those of the signed-in account. The signing page reads only this, never a learner
chosen in a form, so nobody signs for someone else."""

from django.http import HttpRequest

from .models import Registration, TrainingSession

_SESSION_KEY = "training_registrations"
# A shared computer may open a few learners' links; the list stays short.
_KEEP = 20


def learner_remember(request: HttpRequest, registration: Registration) -> None:
    """This browser opened `registration`'s personal link (or just registered): it signs as that learner."""
    held = [pk for pk in request.session.get(_SESSION_KEY, []) if pk != registration.pk]
    # The last link opened comes first: on a shared browser, it is the learner now in front of it.
    request.session[_SESSION_KEY] = [registration.pk, *held][:_KEEP]


def learner_for_session(request: HttpRequest, session: TrainingSession) -> Registration | None:
    """The registration this browser holds in `session` (the last link opened first, then the account's)."""
    live = session.registrations.filter(status=Registration.Status.REGISTERED)
    for pk in request.session.get(_SESSION_KEY, []):
        registration = live.filter(pk=pk).first()
        if registration is not None:
            return registration
    user = request.user
    # The account's own registrations only (made while signed in): an address typed at sign-up is not proof
    # enough to sign for the learner registered with it.
    return live.filter(user=user).first() if user.is_authenticated else None
