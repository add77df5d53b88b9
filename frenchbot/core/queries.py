"""Queries read on every request, their SQL written by the ORM once per process instead of once per read.

Building a queryset and compiling it to SQL costs far more CPU than running it on a small indexed read (the
signed-in account, a learner's enrolment), and it is the same SQL every time but for the values. A
`KeptQuery` builds its queryset once per model and database with stand-in values (sentinels), keeps the SQL
and its parameters, and at each read puts the real values in the sentinels' places, runs it and turns the row
into a model instance as `raw()` would (the columns' places and the fields they fill worked out once too; each
column converted by the database's and the field's converters, as the ORM does).

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

from django.db import connections
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
        self._readers: dict[tuple[str, str], _RowReader] = {}

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
        connection = connections[manager.db]
        with connection.cursor() as cursor:
            cursor.execute(sql, [by_sentinel.get(param, param) for param in params])
            row = cursor.fetchone()
            if row is None:
                return None
            key = (manager.model._meta.label, manager.db)
            reader = self._readers.get(key)
            if reader is None:
                reader = self._readers[key] = _RowReader(manager.model, connection, cursor.description)
        return reader.instance(row, connection=connection, db=manager.db)


class _RowReader:
    """Where each column of a query's rows goes in a model instance, worked out once from the first row's
    description as `RawQuerySet` does on every read: the model's fields by column, in their order, the other
    columns (annotations) set as attributes."""

    def __init__(self, model: type[Model], connection, description) -> None:
        to_name = connection.introspection.identifier_converter
        columns = [to_name(column[0]) for column in description]
        fields = {to_name(field.column): field for field in model._meta.concrete_fields}
        if to_name(model._meta.pk.column) not in columns:
            raise ValueError(f"the query of {model._meta.label} must read its primary key")
        init = [field for field in model._meta.fields if to_name(field.column) in columns]
        self.model = model
        self.names = [field.attname for field in init]
        self.positions = [columns.index(to_name(field.column)) for field in init]
        self.annotations = [(column, pos) for pos, column in enumerate(columns) if column not in fields]
        self.columns = [
            fields[column].get_col(model._meta.db_table) if column in fields else None for column in columns
        ]

    def instance(self, row, *, connection, db: str) -> Model:
        # The converters of this thread's connection, as the ORM applies them (dates from SQLite's text…).
        compiler = connection.ops.compiler("SQLCompiler")(None, connection, db)
        converters = compiler.get_converters(self.columns)
        if converters:
            row = next(compiler.apply_converters([row], converters))
        instance = self.model.from_db(db, self.names, [row[pos] for pos in self.positions])
        for column, pos in self.annotations:
            setattr(instance, column, row[pos])
        return instance
