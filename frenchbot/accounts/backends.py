"""The sign-in backends: Django's (the admin's form) and allauth's (the site's), each reading the signed-in
person on every request with SQL made once per process.

Every page a signed-in person opens reads their account first (``django.contrib.auth.get_user`` →
``backend.get_user``), and Django's backend builds and compiles the same ``User.objects.get(pk=...)`` each
time: 7–8 % of the CPU of a learner's lesson page. These backends read the same row with the same SQL, kept
per database, and apply the same rule (an inactive account is not signed in); signing in itself is Django's
and allauth's, unchanged. Sessions written with the former backends' paths are read as these
(``AUTHENTICATION_BACKENDS_FORMER``, ``frenchbot.core.sessions``): nobody is signed out by the change.
"""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model

from frenchbot.core.queries import KeptQuery

# The same SQL as Django's `UserModel._default_manager.get(pk=user_id)`, written once per process.
_USER = KeptQuery(lambda users, pk: users.filter(pk=pk).order_by()[:1], "pk")


class KeptUserReadMixin:
    def get_user(self, user_id):
        user = _USER.first(get_user_model()._default_manager, pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(KeptUserReadMixin, django_backends.ModelBackend):
    """Django's backend (username and password: the admin's sign-in form)."""


class AuthenticationBackend(KeptUserReadMixin, allauth_backends.AuthenticationBackend):
    """allauth's backend (the site's sign-in by e-mail or username)."""
