"""Reads of the learner's account page: what they follow, what they earned, what they manage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from frenchbot.courses.selectors.certificates import certificates_valid_for_user
from frenchbot.courses.selectors.progress import DashboardItem, learner_dashboard

if TYPE_CHECKING:
    from frenchbot.courses.models import Certificate, Company


@dataclass
class ProfileOverview:
    email: str
    email_verified: bool
    trainings: list[DashboardItem] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    mfa_enabled: bool = False


def profile_overview(*, user) -> ProfileOverview:
    """The account page's data: the trainings `user` follows (with progress), every certificate still valid
    (kept even when access to the training ended), and the company accounts they manage."""
    from allauth.account.models import EmailAddress

    trainings, companies = learner_dashboard(user=user)
    certificates = certificates_valid_for_user(user=user)
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    return ProfileOverview(
        email=user.email,
        email_verified=verified,
        trainings=trainings,
        certificates=certificates,
        companies=companies,
        mfa_enabled=mfa_enabled(user=user),
    )


def mfa_enabled(*, user) -> bool:
    """True when `user` signs in with an authenticator app (TOTP) as a second factor."""
    from allauth.mfa.models import Authenticator

    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_setup_required(*, user) -> bool:
    """True when the settings require a second factor of `user` (MFA_REQUIRED_FOR_SUPERUSERS,
    MFA_REQUIRED_FOR_STAFF) and they have not set up an authenticator app yet."""
    from django.conf import settings

    if not user.is_authenticated or not (user.is_staff or user.is_superuser):
        return False
    required = settings.MFA_REQUIRED_FOR_STAFF or (settings.MFA_REQUIRED_FOR_SUPERUSERS and user.is_superuser)
    return required and not mfa_enabled(user=user)
