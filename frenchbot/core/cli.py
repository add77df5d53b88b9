"""The `frenchbot` console script: Django's management commands with the settings preset.

A misconfiguration (a wrong DATABASE_URL, an unreachable database, a wrong bucket or key of the object storage)
is said in one French line naming what to check, with exit status 2, rather than a traceback: an operator reads
it in `make run` or in the journal.
"""

import os
import sys

# Commands that only print help: they need no storage, and must work while it is being set up.
_NO_CHECK_COMMANDS = {"help", "--help", "-h", "version", "--version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import InterfaceError, OperationalError

    try:
        if len(sys.argv) > 1 and sys.argv[1] not in _NO_CHECK_COMMANDS:
            _start_checks()
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"Configuration invalide : {error}\n")
        sys.exit(2)
    except (OperationalError, InterfaceError) as error:
        sys.stderr.write(
            "Base de données injoignable : vérifiez DATABASE_URL (hôte, port, nom, utilisateur, mot de passe) "
            f"et que le serveur tourne. Détail : {str(error).splitlines()[0] if str(error) else type(error).__name__}\n"
        )
        sys.exit(2)


def _start_checks() -> None:
    """Services the site cannot run without, asked once before the command (the database answers for itself)."""
    from frenchbot.core.storage import StorageCheckFailed, storage_check

    try:
        storage_check()
    except StorageCheckFailed as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
