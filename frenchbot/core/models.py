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
