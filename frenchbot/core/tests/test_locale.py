"""Our French strings are their own msgids: no other package's French catalog may rewrite them.

Django merges the catalogs of every installed app; a package whose English msgid happens to be one of our
French words (allauth's "Note" → « Remarque ») would silently change what a visitor reads.
"""

import gettext
from pathlib import Path

from django.utils import translation

import frenchbot

CATALOG = Path(frenchbot.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def test_no_french_string_of_ours_is_translated_by_another_catalog():
    with CATALOG.open("rb") as handle:
        msgids = [key for key in gettext.GNUTranslations(handle)._catalog if isinstance(key, str) and key]
    assert len(msgids) > 500
    with translation.override("fr"):
        rewritten = {
            msgid: translation.gettext(msgid)
            for msgid in msgids
            if "\x04" not in msgid and translation.gettext(msgid) != msgid
        }
    assert rewritten == {}


def test_french_plurals_take_the_singular_below_two():
    # Without the French catalogue, ngettext falls back to the English rule: « environ 0 heures ».
    with translation.override("fr"):
        assert translation.ngettext("environ %(hours)s heure", "environ %(hours)s heures", 0) == (
            "environ %(hours)s heure"
        )
        assert translation.ngettext("environ %(hours)s heure", "environ %(hours)s heures", 2) == (
            "environ %(hours)s heures"
        )
    with translation.override("en"):
        assert translation.ngettext("environ %(hours)s heure", "environ %(hours)s heures", 0).endswith(
            "hours"
        )
