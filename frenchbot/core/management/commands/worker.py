"""`frenchbot worker`: the queue of the configured task backend, with the heartbeat and periodic jobs beside it."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from frenchbot.core.tasks_backend import rq_worker_options
from frenchbot.core.worker import Scheduler


def _backend_kind(dotted_path: str) -> str:
    """ "database" or "rq" from the backend's class (a subclass counts), else the empty string."""
    try:
        backend = import_string(dotted_path)
    except ImportError as error:
        raise CommandError(f"TASKS : le backend {dotted_path} est introuvable ({error}).") from None
    for kind, base_path in (
        ("database", "django_tasks_db.DatabaseBackend"),
        ("rq", "django_tasks_rq.RQBackend"),
    ):
        try:
            base = import_string(base_path)
        except ImportError:
            continue
        if isinstance(backend, type) and issubclass(backend, base):
            return kind
    return ""


class Command(BaseCommand):
    help = (
        "Lance le worker des tâches de fond du backend configuré (TASKS), avec le battement de cœur vérifié par "
        "/healthz et les tâches périodiques (rétention des données)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Files à traiter, séparées par des virgules (par défaut : %(default)s).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Sans battement de cœur ni tâches périodiques (un autre worker s'en charge).",
        )

    def handle(self, *args, queue_name: str, no_scheduler: bool, **options):
        dotted_path = settings.TASKS["default"]["BACKEND"]
        kind = _backend_kind(dotted_path)
        if not kind:
            raise CommandError(
                f"TASKS : le backend {dotted_path} n'a pas de worker à lancer (il exécute les tâches lui-même "
                "ou les ignore). Choisissez TASKS_BACKEND=database ou django_tasks_rq.RQBackend."
            )
        scheduler = None if no_scheduler else Scheduler()
        if scheduler is not None:
            scheduler.start()
        verbosity = options["verbosity"]
        try:
            if kind == "database":
                # No autoreload: the scheduler thread would be left behind by the reloader's restart.
                call_command("db_worker", queue_name=queue_name, reload=False, verbosity=verbosity)
            else:
                # django-tasks-rq runs on django-rq's worker with its own job class, and RQ's scheduler so that
                # tasks with run_after (booking reminders) run when due (core/tasks_backend.py).
                queues = [name.strip() for name in queue_name.split(",") if name.strip()]
                call_command("rqworker", *queues, **rq_worker_options(), verbosity=verbosity)
        finally:
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=5)
