"""Reads of company accounts: the companies a person manages, their seats and colleagues' progress, invitations."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import pgettext

from ..access import company_can_manage
from ..models import Company, Seat
from .progress import enrolment_progress
from .trainings import training_outline


def company_get_managed(*, company_id: int, user) -> Company | None:
    """The company `user` may manage, or None (unknown id, or not theirs: the view answers 404 either way)."""
    company = Company.objects.select_related("training", "manager").filter(pk=company_id).first()
    if company is None or not company_can_manage(company=company, user=user):
        return None
    return company


@dataclass
class Member:
    """One seat of a company as its manager sees it."""

    seat: Seat
    email: str
    status: str  # "invited" | "active" | "suspended"
    learner_name: str
    percent: int
    has_certificate: bool

    @property
    def status_label(self) -> str:
        # With a context: another package's catalogue translates a bare "active" ("actif").
        return {
            "invited": pgettext("statut d'une place", "invitée"),
            "active": pgettext("statut d'une place", "active"),
            "suspended": pgettext("statut d'une place", "accès suspendu"),
        }[self.status]


def company_members(*, company: Company) -> list[Member]:
    """Every seat of `company`: invited address, status, learner's name, progress (%) and certificate.

    The training's outline is read once; each learner's progress costs three small queries.
    """
    seats = (
        Seat.objects.filter(company=company)
        .select_related("user", "enrolment__certificate")
        .order_by("created_at", "pk")
    )
    outline = None
    members = []
    for seat in seats:
        enrolment = getattr(seat, "enrolment", None)
        percent = 0
        has_certificate = False
        if seat.user_id is None or enrolment is None:
            status = "invited"
        else:
            status = "active" if enrolment.is_active else "suspended"
            if outline is None:
                outline = training_outline(training=company.training)
            # The outline's steps carry the `done` flags of the last call: read the percentage right away.
            percent = enrolment_progress(enrolment=enrolment, outline=outline).percent
            certificate = getattr(enrolment, "certificate", None)
            has_certificate = certificate is not None and certificate.revoked_at is None
        members.append(
            Member(
                seat=seat,
                email=seat.email,
                status=status,
                learner_name=seat.user.get_full_name() if seat.user_id else "",
                percent=percent,
                has_certificate=has_certificate,
            )
        )
    return members


def seat_get_by_token(*, token: str) -> Seat | None:
    if not token:
        return None
    return Seat.objects.select_related("company__training", "company__manager").filter(token=token).first()


def seat_get(*, company: Company, seat_id) -> Seat | None:
    """The seat `seat_id` (as sent by a form: any text) of `company`, or None."""
    try:
        seat_id = int(seat_id)
    except (TypeError, ValueError):
        return None
    return Seat.objects.filter(company=company, pk=seat_id).first()


def seat_pending_for_user(*, user) -> Seat | None:
    """An invitation not yet accepted addressed to one of `user`'s verified e-mail addresses, if any."""
    if user is None or not user.is_authenticated:
        return None
    emails = _verified_emails(user)
    if not emails:
        return None
    match = Q()
    for email in emails:
        match |= Q(email__iexact=email)
    return Seat.objects.filter(match, user__isnull=True).order_by("created_at").first()


def seat_is_for_user(*, seat: Seat, user) -> bool:
    """The invited address is one of `user`'s verified addresses (case ignored)."""
    if user is None or not user.is_authenticated:
        return False
    return seat.email.lower() in {email.lower() for email in _verified_emails(user)}


def email_mask(email: str) -> str:
    """« c***@pme.fr »: enough for its owner to recognise the address, not enough to read it out."""
    local, _at, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _verified_emails(user) -> list[str]:
    from allauth.account.models import EmailAddress

    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
