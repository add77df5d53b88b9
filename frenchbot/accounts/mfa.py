"""The second factor (allauth's MFA) as this site shows it: French messages with French typography, the code
fields labelled for what they accept.

Kept apart from forms.py for the same reason as allauth_forms.py: allauth imports these while building its own.
"""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as mfa_totp_forms
from django.utils.translation import gettext_lazy as _


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": _(
            "Vous ne pouvez pas ajouter d'adresse e-mail à un compte protégé par la double authentification."
        ),
        "cannot_delete_authenticator": _("Vous ne pouvez pas désactiver la double authentification."),
        "cannot_generate_recovery_codes": _(
            "Activez d'abord une application d'authentification : les codes de secours la complètent."
        ),
        "incorrect_code": _(
            "Ce code n'est pas le bon. Saisissez les 6 chiffres affichés en ce moment par votre application "
            "(ou un code de secours inutilisé)."
        ),
        "unverified_email": _(
            "Confirmez d'abord votre adresse e-mail : la double authentification s'active ensuite."
        ),
    }


def _code_field(form, *, label, help_text=""):
    field = form.fields["code"]
    field.label = label
    field.help_text = help_text
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})


class AuthenticateForm(mfa_base_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self,
            label=_("Code de votre application"),
            help_text=_("Téléphone perdu ? Saisissez l'un de vos codes de secours à la place."),
        )


class ReauthenticateForm(mfa_base_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, label=_("Code de votre application"))


class ActivateTOTPForm(mfa_totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, label=_("Code affiché par l'application"))
