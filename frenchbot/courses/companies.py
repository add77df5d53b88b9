"""Company accounts: a manager gives the company's seats to colleagues, follows them and frees a seat.

Staff create the `Company` in the admin (its manager, its training, its number of seats). The manager invites an
address (`seat_invite`): the invitation e-mail carries the seat's token; the colleague signs in with that address
and accepts (`seat_accept`), which enrols them. Freeing a seat (`seat_free`) ends the learner's access — their
progress is kept, should they be invited again — and gives the place back.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tasks import task

from frenchbot.core.mail import mail_send_templated

from .models import Company, Enrolment, Seat
from .selectors import enrolment_progress, training_outline


class SeatError(Exception):
    """A refusal to show the person: `message` is French (translated); `code` says which one, for the views.

    Codes: "invalid_email", "full", "duplicate", "not_found", "forbidden", "wrong_account", "taken",
    "other_seat".
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Reads ----------------------------------------------------------------------------------------------


def company_can_manage(*, company: Company, user) -> bool:
    """The company's manager, or a member of staff (who acts for them)."""
    return bool(user and user.is_authenticated and (user.pk == company.manager_id or user.is_staff))


def company_get_managed(*, company_id: int, user) -> Company | None:
    """The company `user` may manage, or None (unknown id, or not theirs: the view answers 404 either way)."""
    company = Company.objects.select_related("training", "manager").filter(pk=company_id).first()
    if company is None or not company_can_manage(company=company, user=user):
        return None
    return company


def company_seats_used(*, company: Company) -> int:
    return Seat.objects.filter(company=company).count()


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


def seat_accept_url(*, seat: Seat) -> str:
    return settings.SITE_URL + reverse("courses:seat_accept", args=[seat.token])


def _verified_emails(user) -> list[str]:
    from allauth.account.models import EmailAddress

    return list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))


# --- Writes ---------------------------------------------------------------------------------------------


def _check_manager(*, company: Company, user) -> None:
    if not company_can_manage(company=company, user=user):
        raise SeatError(
            _("Seul le responsable du compte entreprise peut gérer ses places."), code="forbidden"
        )


def seat_invite(*, company: Company, email: str, invited_by) -> Seat:
    """Give one of `company`'s seats to `email` and send the invitation (task queue, once committed).

    Raises SeatError: invalid address, no seat left, or the address already holds a seat of this company or
    already follows the training (another company's seat, an access code…).
    """
    _check_manager(company=company, user=invited_by)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise SeatError(
            _("Saisissez une adresse e-mail valide, par exemple prenom.nom@entreprise.fr."),
            code="invalid_email",
        ) from None
    with transaction.atomic():
        # One invitation at a time per company: two managers' tabs cannot both take the last seat.
        company = Company.objects.select_for_update().select_related("training").get(pk=company.pk)
        if Seat.objects.filter(company=company, email__iexact=email).exists() or _follows_training(
            email=email, company=company
        ):
            raise SeatError(_("Cette adresse a déjà une place."), code="duplicate")
        if Seat.objects.filter(company=company).count() >= company.seats:
            raise SeatError(_("Toutes les places de votre entreprise sont attribuées."), code="full")
        seat = Seat.objects.create(company=company, email=email)
        transaction.on_commit(lambda: send_seat_invitation.enqueue(seat_id=seat.pk))
    return seat


def _follows_training(*, email: str, company: Company) -> bool:
    """Someone using `email` (account address or any verified one) is already enrolled, actively."""
    from allauth.account.models import EmailAddress

    owners = Q(user__email__iexact=email) | Q(
        user__in=EmailAddress.objects.filter(email__iexact=email, verified=True).values("user")
    )
    return Enrolment.objects.filter(owners, training=company.training, is_active=True).exists()


def seat_accept(*, token: str, user) -> Enrolment:
    """`user` takes the seat of `token`: they are enrolled (source SEAT) in the company's training.

    The invited address must be one of the user's verified addresses (case ignored). Accepting again is
    harmless. An earlier enrolment in the training is reused: reactivated if a freed seat had ended it (with
    its progress), linked to this seat if it came from elsewhere (an access code…).
    Raises SeatError: unknown token, wrong account, seat already taken by someone else, enrolled through
    another company's seat.
    """
    with transaction.atomic():
        seat = (
            Seat.objects.select_for_update()
            .select_related("company__training")
            .filter(token=token or "")
            .first()
        )
        if seat is None:
            raise SeatError(_("Cette invitation n'existe pas ou n'est plus valable."), code="not_found")
        if seat.user_id is not None and seat.user_id != user.pk:
            raise SeatError(_("Cette invitation a déjà été acceptée avec un autre compte."), code="taken")
        if not seat_is_for_user(seat=seat, user=user):
            raise SeatError(
                _(
                    "Cette invitation a été envoyée à l'adresse %(email)s : connectez-vous avec le compte de "
                    "cette adresse (ou créez-le) pour l'accepter."
                )
                % {"email": email_mask(seat.email)},
                code="wrong_account",
            )
        training = seat.company.training
        enrolment = Enrolment.objects.select_for_update().filter(user=user, training=training).first()
        # An inactive enrolment still tied to another company's seat may take this one: that seat is not
        # theirs any more. An active one may not: one seat per learner and training.
        if enrolment is not None and enrolment.is_active and enrolment.seat_id not in (None, seat.pk):
            raise SeatError(
                _("Vous suivez déjà cette formation grâce à une autre place entreprise."), code="other_seat"
            )
        if enrolment is None:
            enrolment = _enrolment_create(user=user, training=training, seat=seat)
        else:
            fields = ["seat", "is_active", "updated_at"]
            if not enrolment.is_active:
                # Back after a freed seat: the seat is what opens the training now.
                enrolment.source = Enrolment.Source.SEAT
                fields.append("source")
            enrolment.seat = seat
            enrolment.is_active = True
            enrolment.save(update_fields=fields)
        if seat.user_id is None:
            seat.user = user
            seat.accepted_at = timezone.now()
            seat.save(update_fields=["user", "accepted_at", "updated_at"])
    return enrolment


def _enrolment_create(*, user, training, seat: Seat) -> Enrolment:
    """Through the trainings' enrolment service, so that whatever it does on enrolment happens here too."""
    from .services import enrolment_create

    return enrolment_create(user=user, training=training, source=Enrolment.Source.SEAT, seat=seat)


def seat_free(*, seat: Seat, by) -> None:
    """Give `seat` back to its company: the learner loses access to the training at once (their enrolment is
    deactivated, progress and certificate kept) and the place can be given to someone else.
    Only the company's manager (or staff) may do it; raises SeatError otherwise."""
    _check_manager(company=seat.company, user=by)
    with transaction.atomic():
        seat = Seat.objects.select_for_update().filter(pk=seat.pk).first()
        if seat is None:  # freed meanwhile, in another tab: the outcome is the one asked for
            return
        Enrolment.objects.filter(seat=seat).update(is_active=False, seat=None, updated_at=timezone.now())
        seat.delete()


# --- Background work ------------------------------------------------------------------------------------


@task()
def send_seat_invitation(seat_id: int) -> int:
    """The invitation e-mail, in French; 0 when the seat was freed or accepted in the meantime."""
    seat = Seat.objects.select_related("company__training", "company__manager").filter(pk=seat_id).first()
    if seat is None or seat.user_id is not None:
        return 0
    company = seat.company
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(company)s vous offre la formation « %(training)s »") % {
            "company": company.name,
            "training": company.training.title,
        }
    return mail_send_templated(
        to=[seat.email],
        subject=subject,
        template="courses/email/seat_invitation.txt",
        context={
            "seat": seat,
            "company": company,
            "training": company.training,
            "manager_name": company.manager.get_full_name() or company.manager.email,
            "accept_url": seat_accept_url(seat=seat),
            "training_url": settings.SITE_URL + company.training.get_absolute_url(),
        },
    )
