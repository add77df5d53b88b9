"""Queries read on every request, their SQL written by the ORM once per process instead of once per read.

Building a queryset and compiling it to SQL costs far more CPU than running it on a small indexed read (the
signed-in account, a learner's enrolment), and it is the same SQL every time but for the values. A
`KeptQuery` builds its queryset once per model and database with stand-in values (sentinels), keeps the SQL
and its parameters, and at each read puts the real values in the sentinels' places and runs it through
`raw()`, which turns the columns into model instances as the ORM would.

    _ENROLMENT = KeptQuery(
        lambda enrolments, user, training: enrolments.filter(user_id=user, training_id=training)[:1],
        "user", "training",
    )
    enrolment = _ENROLMENT.first(Enrolment.objects, user=user.pk, training=training.pk)

Only for integer values compared as such (ids): a sentinel must survive the field's conversion unchanged.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from django.db.models import Manager, Model, QuerySet

# Far outside any id a table hands out, and each KeptQuery's its own.
_sentinels = itertools.count(-7_000_001, -1)
_sentinels_lock = threading.Lock()


class KeptQuery:
    """The queryset ``build(manager, **sentinels)`` compiled once per model and database (see the module)."""

    def __init__(self, build: Callable[..., QuerySet], *names: str) -> None:
        self._build = build
        with _sentinels_lock:
            self._sentinels = {name: next(_sentinels) for name in names}
        self._compiled: dict[tuple[str, str], tuple[str, tuple]] = {}

    def sql(self, manager: Manager) -> tuple[str, tuple]:
        """The SQL and parameters for `manager`'s model and database, the sentinels among the parameters."""
        key = (manager.model._meta.label, manager.db)
        compiled = self._compiled.get(key)
        if compiled is None:
            queryset = self._build(manager.db_manager(manager.db), **self._sentinels)
            compiled = self._compiled[key] = queryset.query.sql_with_params()
        return compiled

    def first(self, manager: Manager, **values: int) -> Model | None:
        """The first row read with `values` in the sentinels' places, as a model instance; None without."""
        if values.keys() != self._sentinels.keys():
            raise TypeError(f"values for {sorted(self._sentinels)} expected, got {sorted(values)}")
        sql, params = self.sql(manager)
        by_sentinel = {self._sentinels[name]: value for name, value in values.items()}
        rows = manager.raw(sql, [by_sentinel.get(param, param) for param in params])
        return next(iter(rows), None)
