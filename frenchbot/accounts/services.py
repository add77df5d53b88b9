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
