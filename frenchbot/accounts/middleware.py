"""The second factor the settings require of the team (MFA_REQUIRED_FOR_SUPERUSERS, MFA_REQUIRED_FOR_STAFF)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import mfa_setup_required


class StaffMFARequiredMiddleware:
    """A staff member who must have a second factor and has none is sent from the admin and the back-office to
    the page that sets it up. A middleware, not a check in each view: the admin's own views and any back-office
    view added later are covered without anyone remembering it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._guarded: tuple[str, ...] | None = None
        self._open: tuple[str, ...] = ()

    def __call__(self, request):
        if self._guarded is None:
            # Resolved on the first request: the URLconf is not loaded yet when middlewares are built.
            self._guarded = (reverse("admin:index"), reverse("backoffice:board"))
            # Signing in and out of the admin stays possible.
            self._open = (reverse("admin_login"), reverse("admin:logout"))
        # request.path, like reverse(), includes the script prefix when the site is served below one.
        path = request.path
        if (
            path.startswith(self._guarded)
            and path not in self._open
            and mfa_setup_required(user=request.user)
        ):
            messages.warning(
                request,
                _(
                    "Votre compte donne accès à l'administration : activez d'abord la double authentification "
                    "avec une application d'authentification, puis revenez."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
