"""The convention's forms: the one staff fill to write or change it, the one the company signs it with."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The words next to the box the signer ticks; the signed page and PDF repeat them.
ACCEPT_TEXT = _(
    "J'ai lu et j'accepte la présente convention de formation, et je suis habilité(e) à la signer au nom de "
    "l'entreprise."
)


class ConventionSignForm(forms.Form):
    """The company's signature: who signs and in what capacity, and the box « J'ai lu et j'accepte… ».
    `convention_sign` decides (it checks the state of the convention and these fields again)."""

    signer_name = forms.CharField(
        label=_("Vos nom et prénom"),
        max_length=160,
        error_messages={
            "required": _("Indiquez votre nom : il figure sur la convention signée."),
            "max_length": _("Votre nom dépasse %(limit_value)d caractères : abrégez-le."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signer_role = forms.CharField(
        label=_("Votre qualité"),
        help_text=_("Exemple : gérante, directeur des ressources humaines."),
        max_length=160,
        error_messages={
            "required": _("Indiquez votre qualité (exemple : directrice des ressources humaines)."),
            "max_length": _("Votre qualité dépasse %(limit_value)d caractères : abrégez-la."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    accepted = forms.BooleanField(
        label=ACCEPT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case « J'ai lu et j'accepte… » : sans elle, la convention ne peut pas être signée."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("signer_name", "signer_role"):
            self.fields[name].widget.attrs["required"] = True
            # The length is checked with a message, not cut silently by the browser.
            self.fields[name].widget.attrs.pop("maxlength", None)


class ConventionForm(forms.Form):
    """What staff write on a convention; the session, the programme, the dates and the terms are added by
    `convention_create` / `convention_update` from the session and the settings."""

    company_name = forms.CharField(
        label=_("Entreprise"),
        max_length=160,
        error_messages={"required": _("Indiquez le nom de l'entreprise.")},
    )
    company_address = forms.CharField(
        label=_("Adresse de l'entreprise"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez l'adresse de l'entreprise : elle figure sur la convention.")},
    )
    company_siret = forms.CharField(
        label=_("SIRET (facultatif)"),
        max_length=20,
        required=False,
        error_messages={"max_length": _("Un SIRET compte 14 chiffres : vérifiez ce numéro.")},
    )
    contact_name = forms.CharField(
        label=_("Interlocuteur"),
        max_length=160,
        error_messages={"required": _("Indiquez le nom de l'interlocuteur de l'entreprise.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail de l'interlocuteur"),
        help_text=_("Le lien de signature y est envoyé."),
        error_messages={
            "required": _("Indiquez l'e-mail de l'interlocuteur : le lien de signature y sera envoyé."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@entreprise.fr)."),
        },
    )
    seats = forms.IntegerField(
        label=_("Nombre de stagiaires"),
        min_value=1,
        error_messages={
            "required": _("Indiquez le nombre de stagiaires."),
            "invalid": _("Indiquez un nombre entier de stagiaires (exemple : 4)."),
            "min_value": _("Indiquez un nombre de stagiaires d'au moins 1."),
        },
    )
    price_text = forms.CharField(
        label=_("Prix convenu"),
        help_text=_("Tel qu'il figurera sur la convention, exemple : 2 400 € HT pour le groupe."),
        max_length=200,
        error_messages={"required": _("Indiquez le prix convenu (exemple : 2 400 € HT pour le groupe).")},
    )

    def clean_company_siret(self):
        siret = "".join(self.cleaned_data.get("company_siret", "").split())
        if siret and (not siret.isdigit() or len(siret) != 14):
            raise forms.ValidationError(_("Un SIRET compte 14 chiffres : vérifiez ce numéro."))
        return siret
