from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm

# The exact words next to the consent box; the lead's consent record keeps them as shown (translated).
CONSENT_TEXT = _(
    "J'accepte que The French Bot utilise ces informations pour gérer mon inscription à cet événement "
    "(confirmation, rappels, replay) et me recontacter à son sujet. Je peux retirer mon accord à tout moment "
    "en écrivant à l'équipe."
)


class RegistrationForm(SpamGuardForm):
    """The registration form of an event page, with the spam defences of every public form (honeypot and
    signed time stamp); `registration_create` decides (it checks the e-mail and the consent again, the event,
    the duplicate and the rate limit per IP)."""

    submit_label = _("Je m'inscris")
    reread_hint = _("Relisez vos informations")

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

    def clean(self):
        cleaned = super().clean()
        self.spam_errors_add(min_seconds=settings.EVENTS_REGISTRATION_MIN_FILL_SECONDS)
        return cleaned


RATING_CHOICES = [
    ("1", _("1 — décevant")),
    ("2", _("2 — moyen")),
    ("3", _("3 — correct")),
    ("4", _("4 — bien")),
    ("5", _("5 — excellent")),
]


class SurveyForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Votre note"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez une note de 1 (décevant) à 5 (excellent)."),
            "invalid_choice": _("Choisissez une note de 1 (décevant) à 5 (excellent)."),
        },
    )
    comment = forms.CharField(
        label=_("Votre commentaire (facultatif)"),
        help_text=_("Ce qui vous a servi, ce qui a manqué, le sujet que vous aimeriez voir ensuite."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
