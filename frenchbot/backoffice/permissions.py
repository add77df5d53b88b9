"""Who may open which back-office page: staff, and among staff the holders of the permission the page needs
(the groups « Commercial », « Modération »… give them; superusers hold every one)."""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied

# The back-office's sections, in the order of its menu, with the permission that opens each.
SECTIONS = [
    ("backoffice:board", "leads.view_lead"),
    ("backoffice:bookings", "booking.view_booking"),
    ("backoffice:unanswered", "assistant.view_message"),
    ("backoffice:newsletter", "newsletter.view_issue"),
    ("backoffice:events", "events.view_registration"),
    ("backoffice:sessions", "training_sessions.view_trainingsession"),
    ("backoffice:complaints", "training_sessions.view_complaint"),
    ("backoffice:statistics", "analytics.view_dailytotals"),
    ("backoffice:privacy_requests", "privacy.view_privacyrequest"),
]


def staff_permission_required(permission: str):
    """Anonymous visitors and non-staff go to the login page (as with staff_member_required); a staff member
    without `permission` gets the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return staff_member_required(wrapped)

    return decorator


def first_section_for(user) -> str | None:
    """The URL name of the first back-office section `user` may open, None when they may open none."""
    for url_name, permission in SECTIONS:
        if user.has_perm(permission):
            return url_name
    return None
