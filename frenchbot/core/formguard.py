"""The spam defences of every public form: a honeypot field and a signed time stamp of when the form was
shown (a robot fills the first and posts faster than a person can type). The rate limit per IP stays with
each form's service (`frenchbot.core.ratelimit`)."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The comment form's namespace, kept so that article pages already open still post after the move here.
_TOKEN_SALT = "frenchbot.blog.comment-form"  # noqa: S105 - a signing namespace, not a secret
# A page left open for a week still lets its reader send the form.
_TOKEN_MAX_AGE = 7 * 24 * 3600


def form_guard_token() -> str:
    """A signed time stamp of when the form was shown, to catch robots that post instantly."""
    return signing.dumps(time.time(), salt=_TOKEN_SALT)


class GuardedForm(forms.Form):
    """A form with the honeypot `website` (hidden by CSS and aria-hidden; render it in a `.hp` block) and the
    hidden time stamp `ts` (give it `form_guard_token()` as initial value, and a fresh one on re-display).

    Subclasses name the field their refusals are shown next to (`guard_field`, None for the whole form) and
    the button the person presses again (`guard_button`). The minimum fill time is COMMENT_MIN_FILL_SECONDS.
    """

    guard_field: str | None = None
    guard_button = gettext_lazy("Envoyer")

    website = forms.CharField(required=False, label=gettext_lazy("Laissez ce champ vide"))
    ts = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def guard_refusal(self) -> str | None:
        """Why the sending looks automatic, in French, or None."""
        if self.cleaned_data.get("website"):
            return _(
                "Votre envoi a été pris pour un envoi automatique. Videz le champ « Laissez ce champ vide » "
                "puis cliquez à nouveau sur « %(button)s » : ce que vous avez saisi est conservé."
            ) % {"button": self.guard_button}
        try:
            shown_at = signing.loads(
                self.cleaned_data.get("ts") or "", salt=_TOKEN_SALT, max_age=_TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            return _(
                "Ce formulaire a expiré. Ce que vous avez saisi est conservé : cliquez à nouveau sur « %(button)s »."
            ) % {"button": self.guard_button}
        if time.time() - float(shown_at) < settings.COMMENT_MIN_FILL_SECONDS:
            return _(
                "Vous avez été très rapide ! Relisez ce que vous avez saisi puis cliquez à nouveau sur « %(button)s »."
            ) % {"button": self.guard_button}
        return None

    def clean(self):
        cleaned = super().clean()
        refusal = self.guard_refusal()
        if refusal:
            self.add_error(self.guard_field, refusal)
        return cleaned

    def refresh_token(self) -> None:
        """Before re-displaying a bound form: a fresh time stamp, everything else as typed."""
        self.data = self.data.copy()
        self.data["ts"] = form_guard_token()
