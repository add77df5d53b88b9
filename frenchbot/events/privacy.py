"""The events' personal data: who registered to a webinar or a workshop, and what they thought of it.

An erasure first cancels the registrations still to come, as the person's own link would (the cancellation
e-mail goes, the waiting list moves up), then anonymises every registration: presence and ratings stay for the
statistics, without anything that leads to the person."""

import contextlib

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    empty,
    register,
)

from .errors import EventError
from .models import Registration, SurveyResponse
from .services.registrations import registration_cancel

EVENTS = Treatment(
    key="events.registrations",
    name=_("Événements (webinaires et ateliers)"),
    purpose=_(
        "Organiser les webinaires et ateliers auxquels vous vous inscrivez : confirmation, rappels, liste "
        "d'attente, puis replay et questionnaire de satisfaction."
    ),
    legal_basis=LegalBasis.CONSENT,
    description=_(
        "Pour vous inscrire, vous indiquez votre nom, votre e-mail et, si vous le souhaitez, votre "
        "entreprise. Vous recevez une confirmation avec une invitation pour votre agenda, puis des rappels "
        "avant l'événement ; leurs liens permettent d'annuler sans compte. Si l'événement est complet, vous "
        "êtes placé sur une liste d'attente et prévenu si une place se libère. Après l'événement, nous "
        "notons votre présence, vous envoyons le replay et un court questionnaire de satisfaction (une note "
        "et un commentaire facultatif). Votre inscription est ajoutée à votre fiche de prospect avec votre "
        "consentement. Base légale : votre consentement."
    ),
    categories=(
        _("identité (nom, entreprise)"),
        _("e-mail"),
        _("présence à l'événement"),
        _("avis (note et commentaire)"),
        _("preuve du consentement (texte accepté)"),
    ),
    people=_("les personnes inscrites aux webinaires et ateliers"),
    retention=_(
        "jusqu'à votre demande d'effacement ; votre présence et votre note restent ensuite, sans votre nom ni votre "
        "e-mail, dans nos statistiques"
    ),
    order=65,
)

# Still to come: cancelled first, so that the seat goes to the waiting list and the person is told.
_UPCOMING = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def _registrations(subject):
    return by_emails(Registration, "email", subject)


class RegistrationData(PersonalData):
    model = Registration
    treatment = EVENTS
    fields = (
        "event",
        "name",
        "email",
        "company",
        "status",
        "attended",
        "consent_text",
        "created_at",
        "cancelled_at",
    )
    label = _("Vos inscriptions aux événements")
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Vos inscriptions aux événements à venir sont annulées (vous en recevez la confirmation) et toutes vos "
        "inscriptions sont anonymisées : seules restent votre présence et la date, pour nos statistiques."
    )
    name_fields = ("name",)
    email_fields = ("email",)
    # After the survey answers, which are found through the registrations' address.
    erase_order = 50

    def rows(self, subject):
        return _registrations(subject).select_related("event")

    def export_row(self, row):
        data = super().export_row(row)
        data[str(Registration._meta.get_field("status").verbose_name)] = row.get_status_display()
        return data

    def erase(self, rows) -> int:
        now = timezone.now()
        ids = list(rows.values_list("pk", flat=True))
        for registration in Registration.objects.filter(
            pk__in=ids, status__in=_UPCOMING, event__starts_at__gt=now
        ).select_related("event"):
            # Started in the meantime (EventError): nothing left to cancel, the row is anonymised all the same.
            with contextlib.suppress(EventError):
                # The task of the cancellation e-mail runs once committed, after the anonymisation below: it
                # is given the address and the name itself.
                registration_cancel(registration=registration, now=now, address_in_task=True)
        for pk in ids:
            # The address must stay unique among an event's live registrations: one per row, reaching nobody.
            # The link to the lead goes too (the leads anonymise their own rows).
            Registration.objects.filter(pk=pk).update(
                name="",
                email=f"efface-{pk}@anonyme.invalid",
                company="",
                consent_text="",
                lead=None,
                updated_at=now,
            )
        return len(ids)

    def rectify(self, rows, *, name, email) -> int:
        if email is None:
            return super().rectify(rows, name=name, email=None)
        email = email.strip().lower()
        count = 0
        for registration in rows:
            values = {"email": email}
            if name is not None:
                values["name"] = name[: self._max_length("name")]
            # One live registration per address and event: where the corrected address already holds one,
            # this one keeps its address (the name is still corrected).
            taken = (
                Registration.objects.filter(event_id=registration.event_id, email__iexact=email)
                .exclude(status=Registration.Status.CANCELLED)
                .exclude(pk=registration.pk)
                .exists()
            )
            if taken and registration.status != Registration.Status.CANCELLED:
                values.pop("email")
            if values:
                count += Registration.objects.filter(pk=registration.pk).update(**values)
        return count


class SurveyResponseData(PersonalData):
    model = SurveyResponse
    treatment = EVENTS
    fields = ("rating", "comment", "created_at")
    label = _("Vos avis sur les événements")
    # The rating stays in the event's satisfaction average; the comment, the person's own words, goes.
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Vos commentaires sur les événements sont effacés ; vos notes restent dans la moyenne de satisfaction, "
        "sans lien avec vous."
    )
    # Before the registrations, through whose address the answers are found.
    erase_order = 10

    def rows(self, subject):
        if not subject.emails:
            return empty(SurveyResponse)
        return SurveyResponse.objects.filter(registration__in=_registrations(subject)).select_related(
            "registration__event"
        )

    def export_row(self, row):
        data = {gettext("événement"): str(row.registration.event)}
        data.update(super().export_row(row))
        return data

    def anonymised_values(self):
        return {"comment": ""}


register(RegistrationData())
register(SurveyResponseData())
