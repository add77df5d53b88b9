"""allauth's forms as this site shows them (ACCOUNT_FORMS): « Adresse e-mail » as the label and in the error
— Django's own French catalogue, which wins over allauth's, says « courriel » — and no placeholder repeating
the label.

Kept apart from forms.py: allauth imports that module (ACCOUNT_SIGNUP_FORM_CLASS) while building its own forms.
"""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


class _SiteLabels:
    email_fields: tuple[str, ...] = ()
    email_label = _("Adresse e-mail")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.email_fields:
                field.label = self.email_label
                field.error_messages["invalid"] = _(
                    "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."
                )


class LoginForm(_SiteLabels, allauth_forms.LoginForm):
    email_fields = ("login",)


class SignupForm(_SiteLabels, allauth_forms.SignupForm):
    email_fields = ("email",)


class ResetPasswordForm(_SiteLabels, allauth_forms.ResetPasswordForm):
    email_fields = ("email",)


class AddEmailForm(_SiteLabels, allauth_forms.AddEmailForm):
    email_fields = ("email",)
    email_label = _("Nouvelle adresse e-mail")


class ChangePasswordForm(_SiteLabels, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(_SiteLabels, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordKeyForm(_SiteLabels, allauth_forms.ResetPasswordKeyForm):
    pass
