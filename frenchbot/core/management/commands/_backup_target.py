"""The backup target of this site: its database, its two storages and its secret key file."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import connections

from frenchbot.core.backup import Target


def site_target() -> Target:
    key_in_environment = bool(os.environ.get("SECRET_KEY"))
    not_included = [
        "les fichiers statiques (var/static : `frenchbot collectstatic` les recrée)",
        "le cache (var/cache)",
        "la configuration (.env, variables d'environnement)",
    ]
    if key_in_environment:
        not_included.append("SECRET_KEY, lue dans l'environnement : conservez-la à part")
    return Target(
        database=connections["default"].settings_dict,
        storages={"default": storages["default"], "private": storages["private"]},
        secret_key_path=None if key_in_environment else Path(settings.VAR_DIR) / "secret_key",
        not_included=not_included,
    )
