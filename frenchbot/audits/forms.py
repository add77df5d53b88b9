from django import forms
from django.utils.translation import gettext_lazy as _

# The exact words next to the consent box; the audit and the lead's consent record keep them as shown.
CONSENT_TEXT = _(
    "J'accepte que The French Bot conserve mon adresse e-mail avec les résultats de cet audit "
    "pour me recontacter à leur sujet. Je peux retirer mon accord à tout moment en écrivant à l'équipe."
)


class ContactForm(forms.Form):
    """The optional e-mail and consent, under the questionnaire or on the result page."""

    email = forms.EmailField(
        label=_("Votre e-mail (facultatif)"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr).")
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(required=False)
