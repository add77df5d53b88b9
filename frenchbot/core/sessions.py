"""The session engine: Django's database sessions, read with SQL written once per process.

Every page a signed-in person opens reads their session first. Django's store reads it through the ORM
(``Session.objects.get(session_key=..., expire_date__gt=now)``), building and compiling the same query on every
request: on a learner's lesson page that was a tenth of the CPU the whole page cost. This store reads the same
row with the same conditions through SQL made once per process and database; everything else — saving,
cycling the key, expiry, the table — is Django's, so sessions made before it stay valid and the switch back is
free. Selected by ``SESSION_ENGINE = "frenchbot.core.sessions"``. A session that names a sign-in backend since
replaced (``AUTHENTICATION_BACKENDS_FORMER``) is read as naming its successor.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections
from django.utils import timezone


@functools.cache
def _read_sql(alias: str) -> str:
    from django.contrib.sessions.models import Session

    quote = connections[alias].ops.quote_name
    field = Session._meta.get_field
    # Only the model's own names, quoted by the database's rules; the key and the time are parameters.
    data, table = quote(field("session_data").column), quote(Session._meta.db_table)
    key, expiry = quote(field("session_key").column), quote(field("expire_date").column)
    return f"SELECT {data} FROM {table} WHERE {key} = %s AND {expiry} > %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def load(self):
        data = super().load()
        # A session signed in through a backend that was since replaced names the one that replaced it
        # (AUTHENTICATION_BACKENDS_FORMER): Django would otherwise sign the person out.
        former = data.get(BACKEND_SESSION_KEY)
        if former in settings.AUTHENTICATION_BACKENDS_FORMER:
            data[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS_FORMER[former]
        return data

    def _get_session_from_db(self):
        alias = self.model.objects.db
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key is forgotten, and a new one is made when saved.
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
