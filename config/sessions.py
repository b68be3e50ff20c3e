"""The session engine: Django's database sessions, loaded by one SELECT written once.

Every request that looks at ``request.session`` or ``request.user`` loads the session;
see :mod:`config.rows` for why that read is not built by the ORM each time. Everything
else (saving, creating, cycling keys, clearing expired sessions) is Django's own.
"""

from __future__ import annotations

from typing import cast

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from config.rows import Select, Table, prep

# load() reads only the data: the expiry date is tested in SQL, not loaded and parsed.
_LIVE_SESSION = Select(
    Table(Session, "s", frozenset({"session_key", "session_data"})),
    where="s.session_key = %s AND s.expire_date > %s",
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        """The unexpired session of this key, or None (and the key is dropped), as Django's."""
        connection = connections[router.db_for_read(Session)]
        row = _LIVE_SESSION.one(
            connection,
            [
                prep(Session, "session_key", self.session_key, connection),
                prep(Session, "expire_date", timezone.now(), connection),
            ],
        )
        if row is None:
            self._session_key = None
            return None
        return cast("Session", row[0])
