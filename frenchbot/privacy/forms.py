from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm

from .models import PrivacyRequest


class LinkRequestForm(SpamGuardForm):
    submit_label = _("Recevoir le lien")
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        error_messages={
            "required": _("Indiquez l'adresse e-mail à laquelle recevoir le lien."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : marie@exemple.fr)."),
        },
    )

    def clean(self):
        cleaned = super().clean()
        self.spam_errors_add(min_seconds=settings.PRIVACY_REQUEST_MIN_FILL_SECONDS)
        return cleaned


class RectificationForm(forms.Form):
    name = forms.CharField(
        label=_("Nom à utiliser partout"),
        max_length=120,
        required=False,
        help_text=_("Prénom et nom, tels qu'ils doivent apparaître (certificats compris)."),
    )
    email = forms.EmailField(
        label=_("Nouvelle adresse e-mail"),
        max_length=254,
        required=False,
        help_text=_(
            "Remplace l'adresse actuelle dans vos inscriptions, rendez-vous, commentaires et échanges avec nous. "
            "L'adresse de connexion de votre compte et celle de la lettre d'information se changent à part, avec "
            "une confirmation envoyée à la nouvelle adresse."
        ),
        error_messages={
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : marie@exemple.fr).")
        },
    )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("name") or "").strip() and not cleaned.get("email"):
            raise forms.ValidationError(_("Indiquez le nom ou l'e-mail à corriger."))
        return cleaned


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("J'ai lu ce qui sera supprimé, anonymisé ou conservé, et je demande l'effacement."),
        error_messages={"required": _("Cochez la case pour confirmer l'effacement.")},
    )


class ManualRequestForm(forms.Form):
    right = forms.ChoiceField(label=_("Droit exercé"), choices=PrivacyRequest.Right.choices)
    email = forms.EmailField(
        label=_("E-mail de la personne"),
        max_length=254,
        error_messages={"required": _("Indiquez l'adresse e-mail de la personne.")},
    )
    note = forms.CharField(
        label=_("Comment la demande est arrivée"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Par exemple : « courrier reçu le 3 décembre, pièce d'identité vérifiée »."),
    )
