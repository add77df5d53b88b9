"""The spam defences every public form shares: a honeypot field that people never see and naive robots fill,
and a signed time stamp of when the form was shown, which catches robots that post at once (a form posted
sooner than a minimum fill time) and forms kept open for too long (a stale token).

A form class mixes in `SpamGuardForm` and calls `spam_problems()` from its `clean()`; the page puts `ts` (hidden)
and `website` (inside an `aria-hidden` box hidden by CSS) in the form. The rate limit per IP is the service's
job (`core.ratelimit.rate_limit_hit`), since it counts actions, not forms.

Pages kept in the shared page cache (`core.pagecache`) cannot carry a time stamp of their own: they hold
`FORM_TS_PLACEHOLDER`, which the cache fills with a fresh `form_timestamp()` for each visitor.
"""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

_DEFAULT_SALT = "frenchbot.core.form-ts"  # noqa: S105 - a signing namespace, not a secret
# A page left open for a week still lets its reader send the form.
FORM_TS_MAX_AGE = 7 * 24 * 3600
# Stands for the time stamp in the shared copy of a cached page (registered by CoreConfig.ready).
FORM_TS_PLACEHOLDER = "fbformtsplaceholder"


# The last signed stamp per salt. The stamp says when the form was shown to a tenth of a second (the minimum
# fill times are whole seconds): the visitors of one tenth get the same value, which tells nothing about any
# of them, and a busy cached page signs ten times a second instead of once per visitor.
_last_stamps: dict[str, tuple[tuple[int, str], str]] = {}


def form_timestamp(*, salt: str = _DEFAULT_SALT) -> str:
    """A signed time stamp of when the form is shown, to a tenth of a second."""
    made_for = (int(time.time() * 10), settings.SECRET_KEY)
    last = _last_stamps.get(salt)
    if last is not None and last[0] == made_for:
        return last[1]
    stamp = signing.dumps(made_for[0] / 10, salt=salt)
    _last_stamps[salt] = (made_for, stamp)
    return stamp


def form_timestamp_problem(*, value: str, min_seconds: float, salt: str = _DEFAULT_SALT) -> str | None:
    """What is wrong with a posted time stamp: "expired" (missing, altered or older than a week), "too_fast"
    (posted sooner than `min_seconds` after the form was shown), or None when it is fine."""
    try:
        shown_at = signing.loads(value or "", salt=salt, max_age=FORM_TS_MAX_AGE)
    except signing.BadSignature:
        return "expired"
    try:
        shown_at = float(shown_at)
    except (TypeError, ValueError):
        return "expired"
    if time.time() - shown_at < min_seconds:
        return "too_fast"
    return None


class SpamGuardForm(forms.Form):
    """A form with the honeypot `website` and the signed time stamp `ts`; `spam_problems()` tells what is wrong."""

    # Honeypot: hidden from people by CSS and aria-hidden, filled by naive robots.
    website = forms.CharField(required=False, label=_("Laissez ce champ vide"))
    ts = forms.CharField(required=False, widget=forms.HiddenInput)
    # Subclasses that already signed time stamps with another salt keep it (their pages in cache stay valid).
    ts_salt = _DEFAULT_SALT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    # The button the person presses again, named in the refusals; the field the refusals show next to (None: the
    # top of the form), and what to re-read before sending again.
    submit_label = _("Envoyer")
    spam_error_field: str | None = None
    reread_hint = _("Relisez ce que vous avez saisi")

    def spam_errors_add(self, *, min_seconds: float) -> None:
        """Call from `clean()`: adds to the form the refusal of each problem `spam_problems` finds, in French, each
        saying that what the person typed is kept and what to do next."""
        button = self.submit_label
        messages = {
            "honeypot": _(
                "Votre envoi a été pris pour un envoi automatique. Videz le champ « Laissez ce champ vide » puis "
                "cliquez à nouveau sur « %(button)s » : ce que vous avez saisi est conservé."
            ),
            "expired": _(
                "Ce formulaire a expiré. Ce que vous avez saisi est conservé : cliquez à nouveau sur « %(button)s »."
            ),
            "too_fast": _("Vous avez été très rapide ! %(hint)s puis cliquez à nouveau sur « %(button)s »."),
        }
        for problem in self.spam_problems(min_seconds=min_seconds):
            self.add_error(
                self.spam_error_field, messages[problem] % {"button": button, "hint": self.reread_hint}
            )

    def spam_problems(self, *, min_seconds: float) -> list[str]:
        """What gives the post away as automatic, among "honeypot", "expired" and "too_fast" (empty when
        nothing does); call it from `clean()` and word each error for the form."""
        problems = ["honeypot"] if self.cleaned_data.get("website") else []
        problem = form_timestamp_problem(
            value=self.cleaned_data.get("ts") or "", min_seconds=min_seconds, salt=self.ts_salt
        )
        return problems + ([problem] if problem else [])
