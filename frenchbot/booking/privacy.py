"""Booking's personal data: the bookings a person made (who they are, how to reach them, what they wrote).

The team members who take the calls are staff: their accounts are not what these rights are for (see the
`not_personal` lines at the end).
"""

from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    not_personal,
    register,
)

from .models import Booking
from .services import bookings_erase

BOOKINGS = Treatment(
    key="booking.bookings",
    name=_("Prise de rendez-vous"),
    purpose=_(
        "Organiser les rendez-vous que vous réservez avec l'équipe, vous les confirmer et vous les rappeler."
    ),
    legal_basis=LegalBasis.CONSENT,
    description=_(
        "Pour réserver, vous indiquez votre nom, votre e-mail et, si vous le souhaitez, votre entreprise et "
        "un message ; nous enregistrons aussi votre fuseau horaire et la langue des e-mails, pour vous "
        "donner les bons horaires. Vous recevez une confirmation avec une invitation pour votre agenda, puis "
        "un e-mail de rappel avant le rendez-vous ; leurs liens permettent de l'annuler ou de le déplacer "
        "sans compte. La personne de l'équipe qui vous reçoit est prévenue par e-mail, avec le rapport de "
        "votre audit si vous l'avez joint, et le rendez-vous est ajouté à votre fiche de prospect avec votre "
        "consentement. Base légale : votre consentement, donné en cochant la case du formulaire."
    ),
    categories=(
        _("identité (nom, entreprise)"),
        _("e-mail"),
        _("message laissé à l'équipe"),
        _("fuseau horaire et langue des e-mails"),
        _("date, type et suivi du rendez-vous"),
    ),
    people=_("les personnes qui réservent un rendez-vous"),
    retention=_(
        "le temps du rendez-vous et du suivi qui s'ensuit, ou jusqu'à votre demande d'effacement ; ensuite, "
        "seuls restent sa date, son type et si le rendez-vous a eu lieu, sans rien qui vous désigne"
    ),
    order=25,
)


class BookingData(PersonalData):
    model = Booking
    treatment = BOOKINGS
    fields = ("name", "email", "company", "message", "timezone", "locale")
    label = _("Vos rendez-vous")
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Vos rendez-vous à venir sont annulés (vous recevez l'annulation) ; tous vos rendez-vous sont anonymisés : "
        "seuls restent leur date, leur type et s'ils ont eu lieu, pour nos statistiques."
    )
    name_fields = ("name",)
    email_fields = ("email",)

    def rows(self, subject):
        return by_emails(Booking, "email", subject)

    def export_row(self, row):
        return {
            str(_("rendez-vous")): row.event_type.name,
            str(_("avec")): row.member.display_name,
            str(_("début")): row.start.isoformat(),
            str(_("fin")): row.end.isoformat(),
            str(_("statut")): str(row.get_status_display()),
            str(_("annulé le")): row.cancelled_at.isoformat() if row.cancelled_at else None,
            str(_("présence")): str(row.get_outcome_display()) if row.outcome else None,
            str(_("nom")): row.name,
            str(_("e-mail")): row.email,
            str(_("entreprise")): row.company,
            str(_("message")): row.message,
            str(_("fuseau horaire")): row.timezone,
            str(_("langue des e-mails")): str(row.get_locale_display()),
            str(_("réservé le")): row.created_at.isoformat(),
        }

    def erase(self, rows) -> int:
        return bookings_erase(bookings=rows)


register(BookingData())

not_personal("booking.EventType.name", "the name of a kind of call the team offers")
not_personal(
    "booking.TeamMember.user",
    "a staff member who takes calls; their account cannot be deleted while bookings name them (Booking.member "
    "is PROTECT), their hours and profile go with it (CASCADE)",
)
not_personal(
    "booking.TeamMember.display_name",
    "the name a staff member shows to the people who book them; deleted with their account (CASCADE)",
)
