from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every model of the project: when a row was created and last changed."""

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class RateCounter(models.Model):
    """One fixed-window counter of a rate limit (``core.ratelimit``), when the counters live in the database:
    an atomic increment that no cache eviction, and no visitor filling the cache, can reset."""

    # "rl:<scope>:<keyed fingerprint>:<window number>": never an address or an e-mail in clear.
    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("compteur de limite")
        verbose_name_plural = _("compteurs de limite")

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"


class WorkerHeartbeat(models.Model):
    """One running task worker (``frenchbot worker``): its scheduler thread touches ``last_seen`` every few
    seconds, so that ``/healthz`` can tell that some worker, on some machine, is alive."""

    host = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("processus"))
    started_at = models.DateTimeField(_("démarré le"))
    last_seen = models.DateTimeField(_("vu pour la dernière fois le"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [models.UniqueConstraint(fields=["host", "pid"], name="core_workerheartbeat_host_pid")]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class PeriodicJob(models.Model):
    """The last run of one periodic job (``WORKER_PERIODIC_JOBS``): the row every worker's scheduler claims
    with a conditional UPDATE, so that a job runs once per period however many workers are running."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("dernier lancement"), null=True, blank=True)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return self.name


class SharedVersion(models.Model):
    """A version number every process of every node reads from the database (``core.versions``): what a
    process keeps in memory (the search vectors) is reloaded when it moves, with or without a shared cache."""

    name = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("version partagée")
        verbose_name_plural = _("versions partagées")

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"
