"""Writes of company accounts: a manager gives the company's seats to colleagues and frees them.

Staff create the `Company` in the admin (its manager, its training, its number of seats). The manager invites an
address (`seat_invite`): the invitation e-mail carries the seat's token; the colleague signs in with that address
and accepts (`seat_accept`), which enrols them. Freeing a seat (`seat_free`) ends the learner's access — their
progress is kept, should they be invited again — and gives the place back.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import tasks
from ..access import company_can_manage
from ..errors import SeatError
from ..models import Company, Enrolment, Seat
from ..selectors.companies import email_mask, seat_is_for_user
from .enrolment import enrolment_create


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
        transaction.on_commit(lambda: tasks.send_seat_invitation.enqueue(seat_id=seat.pk))
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
            enrolment = enrolment_create(
                user=user, training=training, source=Enrolment.Source.SEAT, seat=seat
            )
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


def seat_free(*, seat: Seat, by) -> None:
    """Give `seat` back to its company: the learner loses access to the training at once (their enrolment is
    deactivated, progress and certificate kept) and the place can be given to someone else.
    Only the company's manager (or staff) may do it; raises SeatError otherwise."""
    _check_manager(company=seat.company, user=by)
    seat_release(seat_id=seat.pk)


def seat_release(*, seat_id: int) -> bool:
    """Free a seat with no check of who asks: what `seat_free` does once the manager is checked, and what the
    erasure of the seat holder's data does (their place goes back to the company). False when it was already
    freed (in another tab, by another request)."""
    with transaction.atomic():
        seat = Seat.objects.select_for_update().filter(pk=seat_id).first()
        if seat is None:  # freed meanwhile: the outcome is the one asked for
            return False
        Enrolment.objects.filter(seat=seat).update(is_active=False, seat=None, updated_at=timezone.now())
        seat.delete()
    return True
