from django import forms
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import GuardedForm

# The exact words next to the consent box; the lead's consent record keeps them as shown (translated).
CONSENT_TEXT = _(
    "J'accepte que The French Bot utilise ces informations pour gérer mon inscription à cet événement "
    "(confirmation, rappels, replay) et me recontacter à son sujet. Je peux retirer mon accord à tout moment "
    "en écrivant à l'équipe."
)


class RegistrationForm(GuardedForm):
    """The registration form of an event page; `registration_create` decides (it checks the e-mail and the
    consent again, and everything about the event)."""

    guard_button = _("Je m'inscris")

    name = forms.CharField(
        label=_("Votre nom"),
        max_length=120,
        error_messages={
            "required": _("Indiquez votre nom."),
            "max_length": _("Votre nom dépasse %(limit_value)d caractères : abrégez-le."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_("La confirmation, l'invitation pour votre agenda et les rappels y seront envoyés."),
        error_messages={
            "required": _("Indiquez votre e-mail : la confirmation y sera envoyée."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label=_("Votre entreprise (facultatif)"),
        max_length=160,
        required=False,
        error_messages={
            "max_length": _("Le nom de l'entreprise dépasse %(limit_value)d caractères : abrégez-le.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre inscription."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "email"):
            self.fields[name].widget.attrs["required"] = True
            self.fields[name].widget.attrs.pop("maxlength", None)
