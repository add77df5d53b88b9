"""The leads' personal data: who wrote to us or left an address, what they agreed to, and their timeline."""

from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Consent,
    ConsentSource,
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    empty,
    not_personal,
    register,
    register_consents,
)

from .models import ConsentRecord, Lead, LeadEvent, Source

LEADS = Treatment(
    key="leads.pipeline",
    name=_("Formulaire de contact et suivi des demandes"),
    purpose=_("Répondre à vos messages et suivre la relation commerciale qui s'ensuit."),
    legal_basis=LegalBasis.CONSENT,
    description=_(
        "Quand vous nous écrivez, nous enregistrons votre nom, votre e-mail, votre entreprise si vous l'indiquez, "
        "l'objet et le texte de votre message, ainsi que la preuve de votre consentement : le texte que vous avez "
        "accepté, sa date et une empreinte chiffrée de votre adresse IP (jamais l'adresse elle-même). Votre message "
        "est transmis à l'équipe par e-mail et une copie vous est envoyée. Votre adresse devient une fiche de "
        "prospect dans notre suivi commercial, qui regroupe vos échanges avec nous. Base légale : votre "
        "consentement, que vous pouvez retirer à tout moment."
    ),
    categories=(
        _("identité (nom, entreprise)"),
        _("e-mail"),
        _("messages et historique des échanges"),
        _("preuve du consentement (texte, date, empreinte de l'adresse IP)"),
    ),
    people=_("les personnes qui nous écrivent, réservent, font l'audit, s'inscrivent ou demandent un guide"),
    retention=_("trois ans après le dernier contact, ou jusqu'à votre demande d'effacement"),
    order=10,
)


class LeadData(PersonalData):
    model = Lead
    treatment = LEADS
    fields = ("email", "name", "company", "source", "status", "created_at")
    label = _("Votre fiche de prospect")
    module_name = _("Contact et échanges avec l'équipe")
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Votre fiche de prospect est anonymisée : nom, e-mail et entreprise sont effacés ; seuls restent sa date et "
        "son étape, pour nos statistiques."
    )
    name_fields = ("name",)
    email_fields = ("email",)
    erase_order = 990  # after its consents and events, which are found through its address

    def rows(self, subject):
        return by_emails(Lead, "email", subject)

    def erase(self, rows) -> int:
        count = 0
        for lead in rows:
            # The address is unique: each anonymised lead gets its own address that reaches nobody.
            Lead.objects.filter(pk=lead.pk).update(
                email=f"efface-{lead.pk}@anonyme.invalid", name="", company="", next_action=""
            )
            count += 1
        return count


class ConsentData(PersonalData):
    model = ConsentRecord
    treatment = LEADS
    fields = ("purpose", "text", "given_at", "ip_fingerprint")
    label = _("Vos consentements")
    erasure = Erasure.DELETE
    erasure_text = _(
        "Vos consentements sont supprimés ; la trace de votre demande (sa date et ce qui a été fait, sans votre "
        "adresse en clair) prouve que vous les avez retirés."
    )
    erase_order = 910

    def rows(self, subject):
        leads = by_emails(Lead, "email", subject)
        return ConsentRecord.objects.filter(lead__in=leads) if subject.emails else empty(ConsentRecord)


class LeadEventData(PersonalData):
    model = LeadEvent
    treatment = LEADS
    fields = ("kind", "summary", "text", "payload", "created_at")
    label = _("L'historique de vos échanges avec nous")
    erasure = Erasure.DELETE
    erasure_text = _("L'historique de vos échanges (messages, rendez-vous, inscriptions) est supprimé.")
    erase_order = 920

    def rows(self, subject):
        leads = by_emails(Lead, "email", subject)
        return LeadEvent.objects.filter(lead__in=leads) if subject.emails else empty(LeadEvent)

    def export_row(self, row):
        data = super().export_row(row)
        data[str(LeadEvent._meta.get_field("kind").verbose_name)] = row.get_kind_display()
        return data


class LeadConsents(ConsentSource):
    """The consents given through the forms (contact, booking, event, guide): withdrawing one deletes its record
    and writes the withdrawal on the lead's timeline, so the team stops using it. The newsletter's and the
    audit's own consents are withdrawn in their apps, where withdrawing has an effect of its own."""

    treatment = LEADS
    _OWN_APPS = (Source.NEWSLETTER, Source.AUDIT)

    def consents(self, subject):
        if not subject.emails:
            return []
        records = ConsentRecord.objects.filter(lead__in=by_emails(Lead, "email", subject)).exclude(
            purpose__in=self._OWN_APPS
        )
        return [
            Consent(
                key=f"leads:{record.pk}",
                label=_("%(purpose)s : être recontacté à ce sujet")
                % {"purpose": record.get_purpose_display()},
                given_at=record.given_at,
                withdraw=lambda record=record: _consent_withdraw(record),
            )
            for record in records
        ]


def _consent_withdraw(record: ConsentRecord) -> None:
    from .services import lead_event_record

    lead_event_record(
        lead_id=record.lead_id,
        kind=LeadEvent.Kind.CONSENT,
        summary=_("Consentement retiré : %(purpose)s") % {"purpose": record.get_purpose_display()},
    )
    record.delete()


register(LeadData())
register(ConsentData())
register(LeadEventData())
register_consents(LeadConsents())
not_personal(
    "leads.LeadEvent.author", "the staff member who wrote the line; set to nothing with their account"
)
