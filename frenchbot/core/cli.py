"""The `frenchbot` console script: Django's management commands with the settings preset.

A misconfiguration (a wrong DATABASE_URL, an unreachable database or Redis, a wrong bucket or key of the object
storage) is said in one French line naming what to check, with exit status 2, rather than a traceback: an
operator reads it in `make run` or in the journal.
"""

import os
import sys

# Commands that only print help: they need no storage, and must work while it is being set up.
_NO_CHECK_COMMANDS = {"help", "--help", "-h", "version", "--version"}
# Commands that run where the site is built (an image, CI), not where it is served: no Redis there.
_NO_REDIS_COMMANDS = {"collectstatic", "compilemessages", "makemessages"}


def redis_check() -> str | None:
    """One French line naming the variable when a Redis the settings use (CACHE_URL, TASKS_REDIS_URL) does
    not answer; None when they all answer, or when none is used."""
    from django.conf import settings
    from redis import Redis
    from redis.exceptions import RedisError

    targets = []
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        targets.append(("CACHE_URL", cache["LOCATION"]))
    targets += [("TASKS_REDIS_URL", queue["URL"]) for queue in getattr(settings, "RQ_QUEUES", {}).values()]
    for name, url in targets:
        try:
            Redis.from_url(url.split(",")[0], socket_connect_timeout=3, socket_timeout=3).ping()
        except (RedisError, ValueError) as error:
            detail = str(error).splitlines()[0] if str(error) else type(error).__name__
            return (
                f"Redis injoignable : vérifiez {name} (hôte, port, numéro de base, mot de passe) et que le "
                f"serveur tourne. Détail : {detail}"
            )
    return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import InterfaceError, OperationalError

    try:
        if len(sys.argv) > 1 and sys.argv[1] not in _NO_CHECK_COMMANDS:
            _start_checks(sys.argv[1])
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


def _start_checks(command: str) -> None:
    """Services the site cannot run without, asked once before the command (the database answers for itself)."""
    from frenchbot.core.storage import StorageCheckFailed, storage_check

    try:
        storage_check()
    except StorageCheckFailed as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(2)
    if command not in _NO_REDIS_COMMANDS:
        problem = redis_check()
        if problem:
            sys.stderr.write(problem + "\n")
            sys.exit(2)


if __name__ == "__main__":
    main()
