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
    )
