"""Writes of the learner's account (allauth handles e-mail addresses and passwords)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser

from frenchbot.core.ratelimit import rate_limit_hit

# Profile edits per account per hour: plenty for a person, a ceiling for a script.
PROFILE_RATE_LIMIT = 20
PROFILE_RATE_WINDOW = 3600


def profile_rate_limited(*, user: AbstractUser) -> bool:
    """Count one profile write by `user`; True when over the limit for the hour."""
    return rate_limit_hit(
        scope="profile", key=str(user.pk), limit=PROFILE_RATE_LIMIT, window_seconds=PROFILE_RATE_WINDOW
    )


def admin_login_rate_limited(*, ip: str) -> bool:
    """Count one sign-in attempt at the admin from `ip`; True when over ADMIN_LOGIN_RATE_LIMIT in the window."""
    return rate_limit_hit(
        scope="admin-login",
        key=ip,
        limit=settings.ADMIN_LOGIN_RATE_LIMIT,
        window_seconds=settings.ADMIN_LOGIN_RATE_WINDOW,
    )


def profile_update(*, user: AbstractUser, first_name: str, last_name: str) -> AbstractUser:
    """Set the learner's names as they will read them on the certificates issued from now on (those already
    issued keep the name they were issued with; the team can correct one in the admin)."""
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    return user


def mfa_reset(*, user: AbstractUser) -> int:
    """Remove the second factor of `user` (authenticator app and recovery codes), for a staff member who lost
    their phone and their codes: they sign in with their password alone, then set it up again (the setting
    MFA_REQUIRED_FOR_* sends them there first). Returns how many authenticators were removed."""
    from allauth.mfa.models import Authenticator

    deleted, _ = Authenticator.objects.filter(user_id=user.pk).delete()
    return deleted


def staff_login(*, request, user: AbstractUser, redirect_url: str):
    """Sign in `user`, whose password the admin's form has checked, through allauth's stages: with an
    authenticator app they are sent to the code page first, and the sign-in is recorded as a password one (so
    that allauth does not ask for the password again to turn the second factor on). The address needs no
    confirmation here: staff accounts are made by an operator. Returns the response to send."""
    from allauth.account.app_settings import EmailVerificationMethod
    from allauth.account.internal.flows.login import perform_password_login
    from allauth.account.models import Login

    login = Login(user=user, email_verification=EmailVerificationMethod.NONE, redirect_url=redirect_url)
    return perform_password_login(request, {"username": user.get_username()}, login)
