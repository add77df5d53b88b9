"""The resources' personal data: the requests for guides sent by e-mail, and the prompts a person keeps as
favourites with their account."""

from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    by_user,
    not_personal,
    register,
)

from .models import GuideRequest, PromptFavourite


def _guides_retention() -> str:
    # Read when shown: it follows RESOURCES_REQUEST_RETENTION_DAYS (0: requests are not pruned).
    days = settings.RESOURCES_REQUEST_RETENTION_DAYS
    if days <= 0:
        return gettext("jusqu'à votre demande d'effacement")
    return ngettext(
        "%(days)d jour après la demande, ou jusqu'à votre demande d'effacement",
        "%(days)d jours après la demande, ou jusqu'à votre demande d'effacement",
        days,
    ) % {"days": days}


GUIDES = Treatment(
    key="resources.guides",
    name=_("Guides à recevoir par e-mail"),
    purpose=_("Vous envoyer par e-mail le lien du guide que vous demandez."),
    legal_basis=LegalBasis.CONSENT,
    description=_(
        "Certains guides sont envoyés par e-mail : vous indiquez votre adresse (et, si vous le souhaitez, "
        "votre nom), nous enregistrons votre demande, le guide demandé, le texte du consentement que vous "
        "avez accepté et la date du premier téléchargement. Le lien reçu expire au bout de quelques jours. "
        "Votre demande est ajoutée à votre fiche de prospect ; elle est effacée au bout d'un an. Base "
        "légale : votre consentement."
    ),
    categories=(
        _("e-mail"),
        _("nom, si vous l'indiquez"),
        _("guide demandé, date d'envoi du lien et du premier téléchargement"),
        _("texte du consentement accepté"),
    ),
    people=_("les personnes qui demandent un guide par e-mail"),
    retention=_guides_retention,
    order=70,
)

# The favourites are kept with the account: their own short section of the policy, beside the trainings'.
FAVOURITES = Treatment(
    key="resources.favourites",
    name=_("Prompts favoris"),
    purpose=_("Garder avec votre compte les prompts que vous marquez comme favoris."),
    legal_basis=LegalBasis.CONTRACT,
    description=_(
        "Si vous marquez des prompts comme favoris, nous gardons cette liste avec votre compte ; vous la "
        "retrouvez sur la bibliothèque de prompts, et elle est supprimée avec votre compte. Base légale : "
        "l'exécution du service que vous avez demandé en créant votre compte."
    ),
    categories=(_("prompts favoris"),),
    people=_("les personnes qui ont un compte et marquent des prompts comme favoris"),
    retention=_("tant que votre compte existe, ou jusqu'à ce que vous les retiriez"),
    order=50,
)


class GuideRequestData(PersonalData):
    model = GuideRequest
    treatment = GUIDES
    fields = ("guide", "email", "name", "consent_text", "sent_at", "downloaded_at", "created_at")
    label = _("Vos demandes de guides")
    erasure = Erasure.DELETE
    erasure_text = _(
        "Vos demandes de guides sont supprimées ; les liens de téléchargement reçus ne marchent plus."
    )
    name_fields = ("name",)
    email_fields = ("email",)

    def rows(self, subject):
        return by_emails(GuideRequest, "email", subject).select_related("guide")


class PromptFavouriteData(PersonalData):
    model = PromptFavourite
    treatment = FAVOURITES
    fields = ("user", "prompt", "created_at")
    label = _("Vos prompts favoris")
    erasure = Erasure.DELETE
    erasure_text = _("Votre liste de prompts favoris est supprimée.")

    def rows(self, subject):
        return by_user(PromptFavourite, "user", subject).select_related("prompt", "user")

    def export_row(self, row):
        return {
            gettext("prompt"): str(row.prompt),
            gettext("ajouté aux favoris le"): row.created_at.isoformat(),
        }


register(GuideRequestData())
register(PromptFavouriteData())
not_personal("resources.UseCase.name", "a family of prompts (« E-mails », « RH »), written by staff")
not_personal("resources.AiTool.name", "an AI assistant's name (ChatGPT, Le Chat), written by staff")
