"""Build the French catalogue from `makemessages -l fr`: our msgids are already French, so the catalogue holds
only what French needs that English does not — the plural rule (« 0 étape », « 1,5 heure »: singular below 2).

Without a French entry, ngettext falls back to the English rule and writes « 0 étapes ». Each plural entry is
kept with its own words as translation; every other entry is dropped (an untranslated msgid shows as itself).

    python -m frenchbot.core.french_catalog frenchbot/locale/fr/LC_MESSAGES/django.po
"""

import sys

PLURAL_FORMS = "nplurals=2; plural=(n > 1);"


def french_catalog(path: str) -> int:
    import polib

    catalog = polib.pofile(path)
    catalog.metadata["Plural-Forms"] = PLURAL_FORMS
    catalog.metadata["Language"] = "fr"
    kept = []
    for entry in catalog:
        if entry.obsolete or not entry.msgid_plural:
            continue
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        kept.append(entry)
    catalog[:] = kept
    catalog.save(path)
    return len(kept)


if __name__ == "__main__":
    count = french_catalog(sys.argv[1])
    print(f"{count} plural entries in {sys.argv[1]}")
