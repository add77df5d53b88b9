"""Who is acting in the current request, as analytics needs it, without any app passing the request down:
the middleware sets it, `goal_record` reads it. Outside a request (the worker, a command) there is none."""

import contextvars
import dataclasses

from django.http import HttpRequest

from frenchbot.core.net import client_ip

from .useragents import is_bot


@dataclasses.dataclass(frozen=True)
class Visit:
    ip: str
    user_agent: str
    # Staff and robots: left out of the goals they reach themselves.
    excluded: bool
    # A visitor asking not to be tracked (DNT / Sec-GPC): their goals are counted without a visitor number, so
    # without attribution to a visit.
    opted_out: bool


# The request itself: who is asking is worked out only when a goal is reached (reading request.user may load
# the session, which most requests never need).
_current: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "analytics_request", default=None
)


def opted_out(meta) -> bool:
    return meta.get("HTTP_DNT") == "1" or meta.get("HTTP_SEC_GPC") == "1"


def visit_from_request(request: HttpRequest) -> Visit:
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.is_staff)
    return Visit(
        ip=client_ip(request),
        user_agent=user_agent,
        excluded=staff or is_bot(user_agent),
        opted_out=opted_out(request.META),
    )


def current_visit() -> Visit | None:
    request = _current.get()
    return None if request is None else visit_from_request(request)


class VisitContextMiddleware:
    """After authentication: remembers who is asking for the length of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
