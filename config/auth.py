"""The authentication backend: Django's ``ModelBackend``, with the per-request user read
written once as SQL (see :mod:`config.rows`).

Logging in, passwords and permissions are Django's own; only :meth:`get_user`, which the
authentication middleware calls on every request that looks at ``request.user``, differs.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, cast

from django.contrib.auth import backends, get_user_model
from django.db import connections, router

from config.rows import Select, Table, prep

if TYPE_CHECKING:
    from django.contrib.auth import models as auth_models


@cache
def _user_by_id() -> Select:
    User = get_user_model()
    return Select(Table(User, "u"), where=f"u.{User._meta.pk.column} = %s")


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: object) -> auth_models.User | None:
        """The user with this id, if they may log in (``is_active``), as Django's."""
        User = get_user_model()
        connection = connections[router.db_for_read(User)]
        row = _user_by_id().one(connection, [prep(User, User._meta.pk.attname, user_id, connection)])
        if row is None:
            return None
        user = cast("auth_models.User", row[0])
        return user if self.user_can_authenticate(user) else None
