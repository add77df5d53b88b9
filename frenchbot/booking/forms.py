import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import zone_get

# The exact words next to the consent box; the lead's consent record keeps them as shown (translated).
CONSENT_TEXT = _(
    "J'accepte que The French Bot utilise ces informations pour organiser ce rendez-vous et me recontacter "
    "à son sujet. Je peux retirer mon accord à tout moment en écrivant à l'équipe."
)

# Zones offered in the select; the visitor's own zone (detected by the browser) is added when missing.
COMMON_ZONES = [
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/Monaco",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Athens",
    "Africa/Casablanca",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Dakar",
    "Africa/Abidjan",
    "Indian/Reunion",
    "Indian/Mauritius",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "America/Montreal",
    "America/Toronto",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Asia/Dubai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "UTC",
]


def zone_choices(current: str) -> list[str]:
    return COMMON_ZONES if current in COMMON_ZONES else [current, *COMMON_ZONES]


def parse_start(value: str) -> datetime.datetime | None:
    """A slot start from a link (`2026-11-27T13:30Z`) or ISO 8601 with an offset; None unless aware."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if value.endswith("Z") and len(value) == 17:
            return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=datetime.UTC)
        parsed = datetime.datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_start(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")


class BookingForm(forms.Form):
    start = forms.CharField(widget=forms.HiddenInput, required=False)
    tz = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("Votre nom"),
        max_length=120,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_("La confirmation et l'invitation pour votre agenda y seront envoyées."),
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
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    message = forms.CharField(
        label=_("Votre message (facultatif)"),
        help_text=_("Ce que vous aimeriez aborder : vos outils, vos tâches répétitives, vos questions."),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": _("Votre message dépasse %(limit_value)d caractères : raccourcissez-le un peu.")
        },
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre demande."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The server says when a message is too long; a maxlength attribute would cut a paste silently.
        self.fields["message"].widget.attrs.pop("maxlength", None)
        for name in ("name", "email"):
            self.fields[name].widget.attrs["required"] = True

    def clean_start(self):
        raw = self.cleaned_data.get("start", "")
        start = parse_start(raw)
        if start is None:
            raise forms.ValidationError(_("Choisissez un créneau dans le calendrier."))
        return start

    def clean_tz(self):
        tz = self.cleaned_data.get("tz") or "Europe/Paris"
        try:
            zone_get(tz)
        except ValueError:
            raise forms.ValidationError(
                _("Fuseau horaire inconnu : choisissez-en un dans la liste.")
            ) from None
        return tz


class RescheduleForm(forms.Form):
    start = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_start(self):
        start = parse_start(self.cleaned_data.get("start", ""))
        if start is None:
            raise forms.ValidationError(_("Choisissez un créneau dans le calendrier."))
        return start
