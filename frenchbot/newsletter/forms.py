from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm, form_timestamp

from .selectors import lists_default_slugs, lists_public

# The exact words next to the consent box; the subscriber's row and the lead's consent record keep them.
CONSENT_TEXT = _(
    "J'accepte de recevoir la lettre de The French Bot sur les listes choisies. Je peux me désinscrire à tout "
    "moment, en un clic, depuis chaque lettre."
)

# Where a form may say it was: the subscriber's `origin`.
ORIGINS = ("article", "home", "page", "assistant", "profile", "event", "preferences")


class SignupForm(SpamGuardForm):
    """The sign-up form of /lettre/, of the footer of articles, of the home page and of the profile."""

    submit_label = _("Je m'inscris")
    reread_hint = _("Vérifiez votre adresse")

    email = forms.EmailField(
        label=_("E-mail où recevoir la lettre"),
        max_length=254,
        error_messages={
            "required": _("Indiquez votre adresse e-mail."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
            "max_length": _("Cette adresse e-mail est trop longue."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}),
    )
    lists = forms.MultipleChoiceField(
        label=_("Les listes qui vous intéressent"),
        required=True,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choisissez au moins une liste pour recevoir la lettre."),
            "invalid_choice": _(
                "Une des listes choisies n'est plus proposée : rechargez la page puis choisissez à nouveau."
            ),
        },
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans votre accord, nous ne pouvons pas vous écrire."
            )
        },
    )
    origin = forms.CharField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "newsletter-%s")
        super().__init__(*args, **kwargs)
        self.public_lists = list(lists_public())
        self.fields["lists"].choices = [(m.slug, m.name) for m in self.public_lists]
        self.fields["email"].widget.attrs.pop("maxlength", None)

    def clean_origin(self) -> str:
        origin = self.cleaned_data.get("origin") or "page"
        return origin if origin in ORIGINS else "page"

    def clean(self):
        cleaned = super().clean()
        self.spam_errors_add(min_seconds=settings.NEWSLETTER_SIGNUP_MIN_FILL_SECONDS)
        return cleaned


class PreferencesForm(forms.Form):
    lists = forms.MultipleChoiceField(
        label=_("Les listes que vous recevez"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Une des listes choisies n'est plus proposée : rechargez la page puis choisissez à nouveau."
            ),
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "preferences-%s")
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = [(m.slug, m.name) for m in lists_public()]


def signup_form_fresh(
    *, origin: str = "page", next_url: str = "", email: str = "", ts: str = "", prefix: str = "newsletter"
) -> SignupForm:
    """An empty sign-up form with the default lists ticked; `prefix` starts its ids."""
    return SignupForm(
        auto_id=f"{prefix}-%s",
        initial={
            "email": email,
            "lists": lists_default_slugs(),
            "origin": origin,
            "next": next_url,
            "ts": ts or form_timestamp(),
        },
    )
