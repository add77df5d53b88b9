"""The account's personal data: the user (Django's model), its addresses and its second factors (allauth's)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import Erasure, LegalBasis, PersonalData, Treatment, by_user, empty, register

User = get_user_model()

ACCOUNTS = Treatment(
    key="accounts.account",
    name=_("Comptes"),
    purpose=_("Vous permettre de vous connecter pour suivre vos formations et retrouver vos favoris."),
    legal_basis=LegalBasis.CONTRACT,
    description=_(
        "Votre compte contient votre prénom, votre nom, votre e-mail et votre mot de passe. Le mot de passe n'est "
        "conservé que sous forme d'empreinte (hachage) : personne, pas même l'équipe, ne peut le relire. Les "
        "membres de l'équipe protègent en plus leur compte par un second facteur (application d'authentification "
        "ou clé de sécurité). Base légale : l'exécution du service que vous avez demandé en créant votre compte."
    ),
    categories=(
        _("identité (prénom, nom)"),
        _("e-mail"),
        _("empreinte du mot de passe"),
        _("dates de connexion"),
    ),
    people=_("les personnes qui créent un compte (apprenants, clients, équipe)"),
    retention=_("tant que le compte existe ; il est supprimé à votre demande"),
    order=5,
)


class UserData(PersonalData):
    model = User
    treatment = ACCOUNTS
    fields = ("first_name", "last_name", "email", "username", "date_joined", "last_login")
    label = _("Votre compte")
    erasure = Erasure.DELETE
    erasure_text = _("Votre compte est supprimé, avec vos favoris et vos inscriptions aux formations.")
    # Last: the other apps' rows are found through the account.
    erase_order = 999

    def rows(self, subject):
        if subject.user_id is None:
            return empty(User)
        return User.objects.filter(pk=subject.user_id)

    def rectify(self, rows, *, name, email) -> int:
        # One « name » from the person: the first word is the first name, the rest the last name. The sign-in
        # address is changed from the account's e-mail page, which confirms the new address first.
        if name is None:
            return 0
        first, _space, last = name.strip().partition(" ")
        return rows.update(first_name=first[:150], last_name=last.strip()[:150])


class EmailAddressData(PersonalData):
    model = EmailAddress
    treatment = ACCOUNTS
    fields = ("email", "verified", "primary", "user")
    label = _("Les adresses de votre compte")
    erasure = Erasure.DELETE
    erasure_text = _("Les adresses e-mail de votre compte sont supprimées avec lui.")
    erase_order = 995

    def rows(self, subject):
        return by_user(EmailAddress, "user", subject)

    def export_row(self, row):
        return {
            str(_("e-mail")): row.email,
            str(_("vérifiée")): row.verified,
            str(_("principale")): row.primary,
        }


class AuthenticatorData(PersonalData):
    model = Authenticator
    treatment = ACCOUNTS
    fields = ("type", "created_at", "last_used_at", "user")
    label = _("Vos seconds facteurs de connexion")
    erasure = Erasure.DELETE
    erasure_text = _("Vos seconds facteurs (application, clé de sécurité, codes de secours) sont supprimés.")
    erase_order = 995

    def rows(self, subject):
        return by_user(Authenticator, "user", subject)

    def export_row(self, row):
        # The secrets themselves never leave the server.
        return {str(_("type")): row.get_type_display(), str(_("créé le")): row.created_at.isoformat()}


register(UserData())
register(EmailAddressData())
register(AuthenticatorData())
