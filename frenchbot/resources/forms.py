from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm

# The exact words next to the consent box of a gated guide; the request and the lead keep them as shown.
GUIDE_CONSENT_TEXT = _(
    "J'accepte que The French Bot m'envoie ce guide par e-mail et conserve ma demande pour me recontacter à "
    "son sujet. Je peux retirer mon accord à tout moment en écrivant à l'équipe."
)


class GuideRequestForm(SpamGuardForm):
    """The form of a gated guide, with the spam defences of every public form; `guide_request_create` decides
    (address, consent, rate limit per IP)."""

    submit_label = _("Recevoir le guide")
    reread_hint = _("Relisez votre adresse")

    name = forms.CharField(
        label=_("Votre prénom (facultatif)"),
        max_length=120,
        required=False,
        error_messages={"max_length": _("Votre prénom dépasse %(limit_value)d caractères : abrégez-le.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        max_length=254,
        help_text=_("Le lien de téléchargement y sera envoyé."),
        error_messages={
            "required": _("Indiquez votre adresse e-mail : le lien du guide y sera envoyé."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
            "max_length": _("Cette adresse e-mail est trop longue."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=GUIDE_CONSENT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans elle, nous ne pouvons pas vous envoyer le guide."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["required"] = True
        for name in ("name", "email"):
            self.fields[name].widget.attrs.pop("maxlength", None)

    def clean(self):
        cleaned = super().clean()
        self.spam_errors_add(min_seconds=settings.RESOURCES_REQUEST_MIN_FILL_SECONDS)
        return cleaned
