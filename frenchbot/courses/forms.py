from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AccessCode
from .services.enrolment import access_code_normalize


class AccessCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code d'accès"),
        max_length=64,
        help_text=_(
            "Le code reçu par e-mail ou pendant l'atelier, par exemple ABCD-EF23-GH. "
            "Majuscules, espaces et tirets n'ont pas d'importance."
        ),
        error_messages={"required": _("Saisissez le code d'accès que vous avez reçu.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AccessCodeAdminForm(forms.ModelForm):
    """Codes are stored in the spelling learners' input is compared with, so two codes cannot collide."""

    class Meta:
        model = AccessCode
        fields = ["training", "code", "max_uses", "uses", "expires_at", "note"]

    def clean_code(self) -> str:
        code = access_code_normalize(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Le code ne peut pas être vide."))
        clash = AccessCode.objects.filter(code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Ce code existe déjà."))
        return code

    def clean(self):
        cleaned = super().clean()
        max_uses, uses = cleaned.get("max_uses"), cleaned.get("uses")
        if max_uses is not None and uses is not None and uses > max_uses:
            self.add_error(
                "max_uses",
                _("Le code a déjà servi %(n)d fois : autorisez au moins autant d'utilisations.")
                % {"n": uses},
            )
        return cleaned


class SeatInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de votre collègue"),
        max_length=254,
        error_messages={
            "required": _("Indiquez l'adresse e-mail de la personne à inviter."),
            "invalid": _("Saisissez une adresse e-mail valide, par exemple prenom.nom@entreprise.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
