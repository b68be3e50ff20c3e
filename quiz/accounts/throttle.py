"""Rate limits on password-reset requests and sign-ups: fixed-window counters in the database.

django-axes throttles log-ins. The two other forms anyone can post are limited here: a
reset request sends mail to an address the sender need not own, and a sign-up creates an
account. The limits (per hour) are :data:`RESET_PER_IP`, :data:`RESET_PER_EMAIL` and
:data:`SIGNUP_PER_IP`; a request over any of them gets the 429 page of :func:`refused`,
and nothing is sent or created.

Decisions written down here:

- The counters live in the database (:class:`quiz.models.Throttle`), like sessions and
  django-axes' records: app servers share nothing but the database, there is no shared
  cache, and nothing is kept on the local disk.
- A fixed window that starts with the first request counted and lasts ``window``: one row
  per key, one number to compare. Its known weakness (up to twice the limit across the end
  of one window and the start of the next) does not matter for mail-bombing or bulk
  sign-ups, where the point is a small bound per hour.
- Each request is counted by one statement, ``INSERT … ON CONFLICT (key) DO UPDATE …
  RETURNING``: it creates the row, adds one, or starts an ended window over, and returns
  the new count. Nothing is read and then written back, so two app servers counting the
  same key at once get consecutive counts, never the same one. SQLite runs the statement
  under its write lock (the busy timeout queues the others); PostgreSQL locks the row.
  Both have had upserts with RETURNING since SQLite 3.35 and PostgreSQL 9.5. The SET
  expressions see the row as it was, so every CASE tests the old ``window_end``.
- Every counted request adds one, refused or not. The window never moves, so hammering
  does not lengthen the wait, and a refusal costs the same one statement as a pass.
- Only valid submissions count: the views call :func:`check` after ``form.is_valid()``
  and before they send or create anything. Showing a form, or a form sent back with
  errors, costs nothing.
- A password reset is counted per email address whether or not an account has it, so
  the answer (the "sent" page, or this 429) says nothing about which addresses exist.
  The flip side, inherent to any per-address limit: anyone can use up an address's
  resets for an hour. The limit is small but above one, so a user can still ask again.
- The table cannot grow without bound: a key keeps its one row (an ended window is
  overwritten), and each request that opens a new window also deletes every row whose
  window has ended (``window_end`` is indexed). That is at most one small DELETE per
  key per window, and none on the requests that only add one; so the table holds about
  the keys seen in the last window, not every address ever seen. (Deleting at those
  moments, rather than at random, keeps it deterministic and testable.)
- Keys are the scope and an HMAC (keyed with SECRET_KEY) of the client address or the
  email address: both are personal data, and the table does not need them in clear.
  Rotating SECRET_KEY restarts every count, which is harmless.
- The client address comes from django-axes' own helper, so ``AXES_CLIENT_IP_CALLABLE``
  or django-ipware, when configured for a proxy, apply here too. With neither, it is
  ``REMOTE_ADDR``: behind a proxy that is the proxy's address, and every client shares
  one count per limit, exactly as they share axes' per-address lockout.
- Time is the app server's clock (``timezone.now``), like every other timestamp the app
  writes; a few seconds of skew between servers moves a window's end by as much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from axes.helpers import get_client_ip_address
from django.db import connections, router
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from quiz.models import Throttle

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` valid requests per ``window`` for one value (an address) of ``scope``."""

    scope: str
    requests: int
    window: timedelta


HOUR = timedelta(hours=1)

#: Password-reset requests from one client address: a school shares one address, so a
#: class whose students forget passwords together still gets its links; still far too
#: few to mail-bomb a list of addresses.
RESET_PER_IP = Limit("reset-ip", 20, HOUR)
#: Password-reset requests for one email address (stripped, case-folded), from anywhere:
#: a user who lost the first mail can ask twice more; nobody can fill the inbox.
RESET_PER_EMAIL = Limit("reset-email", 3, HOUR)
#: Sign-ups from one client address: a whole class signing up at once from a school's one
#: address fits (with retries); accounts by the thousand do not.
SIGNUP_PER_IP = Limit("signup-ip", 60, HOUR)


def normalise_email(email: str) -> str:
    """The form of an address that is counted: ``" Ada@Example.COM "`` counts as ``ada@example.com``.

    Case-folded as a whole (not only the domain): the reset form finds accounts with a
    case-insensitive match, so every spelling reaches the same inbox.
    """
    return email.strip().casefold()


def client_ip(request: HttpRequest) -> str:
    """The client's address as django-axes sees it ("unknown" if there is none)."""
    return get_client_ip_address(request) or "unknown"


def key_for(limit: Limit, value: str) -> str:
    """The row key for ``value`` under ``limit``: its scope and an HMAC of the value."""
    digest = salted_hmac("quiz.throttle", value, algorithm="sha256").hexdigest()
    return f"{limit.scope}:{digest}"


def hit(key: str, window: timedelta) -> tuple[int, datetime]:
    """Count one request against ``key``: the count in its window (this one included) and
    when that window ends. A new key, or one whose window has ended, starts at 1 with a
    window that ends ``window`` from now; starting one also deletes the ended rows.
    """
    connection = connections[router.db_for_write(Throttle)]
    quote = connection.ops.quote_name
    table = quote(Throttle._meta.db_table)
    key_col, count, start, end = (quote(name) for name in ("key", "count", "window_start", "window_end"))
    sql = (
        f"INSERT INTO {table} ({key_col}, {count}, {start}, {end}) VALUES (%s, 1, %s, %s) "
        f"ON CONFLICT ({key_col}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{end} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{start} = CASE WHEN {table}.{end} <= %s THEN excluded.{start} ELSE {table}.{start} END, "
        f"{end} = CASE WHEN {table}.{end} <= %s THEN excluded.{end} ELSE {table}.{end} END "
        f"RETURNING {count}, {end}"
    )
    now = timezone.now()
    field = Throttle._meta.get_field("window_end")
    at = field.get_db_prep_value(now, connection)
    ends = field.get_db_prep_value(now + window, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, at, ends, at, at, at])
        new_count, window_end = cursor.fetchone()
        if new_count == 1:
            cursor.execute(f"DELETE FROM {table} WHERE {end} <= %s", [at])
    # RETURNING gives the column as the driver reads it; convert it as the ORM would.
    col = field.get_col(Throttle._meta.db_table)
    for convert in connection.ops.get_db_converters(col) + field.get_db_converters(connection):
        window_end = convert(window_end, col, connection)
    return new_count, window_end


def check(*counted: tuple[Limit, str]) -> datetime | None:
    """Count one request against each ``(limit, value)``. None if it is within every limit;
    otherwise when the last of the exceeded windows ends (when to try again).

    Call it for a valid submission only, before anything is sent or created.
    """
    retry_at = None
    for limit, value in counted:
        requests, window_end = hit(key_for(limit, value), limit.window)
        if requests > limit.requests and (retry_at is None or window_end > retry_at):
            retry_at = window_end
    return retry_at


def refused(request: HttpRequest, retry_at: datetime, action: str) -> HttpResponse:
    """The 429 page for ``action`` ("password_reset" or "signup"), with ``Retry-After``."""
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    context = {"action": action, "minutes": math.ceil(seconds / 60)}
    response = render(request, "registration/throttled.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
