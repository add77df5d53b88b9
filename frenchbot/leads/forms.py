"""The contact form of the site (/contact/): parses what the visitor typed; `contact_submit` decides."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .services import (
    CONTACT_COMPANY_MAX_LENGTH,
    CONTACT_MESSAGE_MAX_LENGTH,
    CONTACT_NAME_MAX_LENGTH,
    ContactSubject,
    contact_clean_message,
)

# The exact words next to the consent box; the lead's consent record keeps them as shown (translated).
CONTACT_CONSENT_TEXT = _(
    "J'accepte que The French Bot utilise ces informations pour répondre à mon message et me recontacter "
    "à son sujet. Je peux retirer mon accord à tout moment en écrivant à l'équipe."
)

HONEYPOT_FIELD = "website"


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Votre nom"),
        max_length=CONTACT_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Indiquez votre nom."),
            "max_length": _("Votre nom dépasse %(limit_value)d caractères : abrégez-le."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_("Notre réponse et la copie de votre message y seront envoyées."),
        error_messages={
            "required": _("Indiquez votre e-mail : notre réponse y sera envoyée."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label=_("Votre entreprise (facultatif)"),
        max_length=CONTACT_COMPANY_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Le nom de l'entreprise dépasse %(limit_value)d caractères : abrégez-le.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    subject = forms.ChoiceField(
        label=_("Votre message concerne"),
        choices=ContactSubject.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez l'objet de votre message."),
            "invalid_choice": _("Choisissez l'objet de votre message dans la liste."),
        },
    )
    # No max_length here: the limit is checked in clean_message on the text as the person sees it.
    message = forms.CharField(
        label=_("Votre message"),
        help_text=_("5 000 caractères au plus."),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Votre message est vide : écrivez quelques mots avant de l'envoyer.")},
    )
    consent = forms.BooleanField(
        label=CONTACT_CONSENT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre message."
            )
        },
    )
    # Honeypot: off-screen and aria-hidden, never focused; only a robot fills it.
    website = forms.CharField(required=False, label=_("Laissez ce champ vide"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "email", "message"):
            self.fields[name].widget.attrs["required"] = True
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_robot(self) -> bool:
        """True when the hidden field was filled: the sender gets the usual thanks and nothing is kept."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip()) if self.is_bound else False

    def clean_message(self):
        message = contact_clean_message(self.cleaned_data.get("message", ""))
        if not message:
            raise forms.ValidationError(self.fields["message"].error_messages["required"])
        if len(message) > CONTACT_MESSAGE_MAX_LENGTH:
            raise forms.ValidationError(
                _(
                    "Votre message dépasse %(limit)s caractères (il en compte %(count)s) : "
                    "raccourcissez-le un peu, il est conservé ci-dessous."
                ),
                params={
                    "limit": number_format(CONTACT_MESSAGE_MAX_LENGTH, force_grouping=True),
                    "count": number_format(len(message), force_grouping=True),
                },
            )
        return message

    def submit_kwargs(self) -> dict:
        """The cleaned fields as `contact_submit` takes them."""
        return {
            name: self.cleaned_data[name]
            for name in ("name", "email", "company", "subject", "message", "consent")
        }
