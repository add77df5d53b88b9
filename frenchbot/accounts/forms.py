"""Forms of the learner's account: the names asked at sign-up (allauth adds e-mail and password) and the profile."""

from django import forms
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 150  # django.contrib.auth's first_name / last_name


def _name_field(*, label, required_message, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": required_message},
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class NamesMixin(forms.Form):
    first_name = _name_field(
        label=_("Prénom"), required_message=_("Indiquez votre prénom."), autocomplete="given-name"
    )
    last_name = _name_field(
        label=_("Nom"), required_message=_("Indiquez votre nom."), autocomplete="family-name"
    )


class SignupForm(NamesMixin):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the certificate bears the name."""

    def signup(self, request, user) -> None:
        """Called by allauth once the user exists; its adapter has already copied the names."""
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class ProfileForm(NamesMixin):
    """The learner's names, as printed on the certificates issued from now on."""
