"""SELECTs written once as SQL, for the reads every request makes.

Building a query with the ORM costs a few hundred microseconds of CPU each time, most of
it compiling; the query itself takes tens. For the reads on every request (the session,
the signed-in user, the item a question page is about) that compiling was the largest
cost of the app's hottest path, the answer POST. A :class:`Select` writes its SQL once
per database connection and loads rows as the ORM would: every value passes through
the backend's and the field's converters, and instances come from ``Model.from_db``
with the fields it did not load deferred (they still load if something asks).

Only plain SELECTs of columns live here: no expressions and no database-specific SQL, so
one text serves SQLite and PostgreSQL alike. Writes are written out where they are used
(:func:`quiz.play.record_answer`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Field, Model
    from django.db.models.expressions import Col


@dataclass(frozen=True)
class Table:
    """A model in a :class:`Select`: its alias, the fields to load (by attname, ``None``
    for all), and for every table after the first, the condition that joins it."""

    model: type[Model]
    alias: str
    fields: frozenset[str] | None = None
    on: str = ""

    def loaded(self) -> list[Field]:
        """The loaded fields, in the order ``Model.from_db`` expects."""
        concrete = self.model._meta.concrete_fields
        return [field for field in concrete if self.fields is None or field.attname in self.fields]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each table: its model, the attnames loaded, and each value's column (converters
    # may look at it) with its converters.
    tables: tuple[tuple[type[Model], list[str], list[tuple[Col, list[Callable[..., Any]]]]], ...]


class Select:
    """``SELECT <the tables' fields> FROM <first> JOIN <others> WHERE <where>``.

    ``where`` refers to columns through the tables' aliases and takes ``%s`` parameters,
    which the caller prepares for the database (:func:`prep`). :meth:`one` returns one
    instance per table, or ``None`` when no row matches.
    """

    def __init__(self, *tables: Table, where: str) -> None:
        if not tables:
            raise ValueError("A Select needs at least one table.")
        self.tables = tables
        self.where = where
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled]
        self._compiled = weakref.WeakKeyDictionary()

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # Per connection object: the converters are methods of that connection's ops.
        compiled = self._compiled.get(connection)
        if compiled is not None:
            return compiled
        quote = connection.ops.quote_name
        columns: list[str] = []
        sources: list[str] = []
        tables = []
        for table in self.tables:
            fields = table.loaded()
            converters = []
            for field in fields:
                assert field.column is not None  # a concrete field always has its column
                columns.append(f"{table.alias}.{quote(field.column)}")
                col = field.get_col(table.alias)
                convert = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
                converters.append((col, convert))
            name = f"{quote(table.model._meta.db_table)} {table.alias}"
            sources.append(f"JOIN {name} ON {table.on}" if sources else name)
            tables.append((table.model, [field.attname for field in fields], converters))
        sql = f"SELECT {', '.join(columns)} FROM {' '.join(sources)} WHERE {self.where}"
        compiled = _Compiled(sql=sql, tables=tuple(tables))
        self._compiled[connection] = compiled
        return compiled

    def one(self, connection: BaseDatabaseWrapper, params: Sequence[Any]) -> tuple[Model, ...] | None:
        compiled = self._compile(connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = iter(row)
        instances = []
        for model, attnames, converters in compiled.tables:
            converted = []
            for col, convert_all in converters:
                value = next(values)
                for convert in convert_all:
                    value = convert(value, col, connection)
                converted.append(value)
            instances.append(model.from_db(connection.alias, attnames, converted))
        return tuple(instances)


def from_db(model: type[Model], name: str, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """A value the database returned for ``model``'s field ``name``, as the ORM converts it
    (for a value read outside :class:`Select`, e.g. from ``RETURNING``)."""
    field = cast("Field[Any, Any]", model._meta.get_field(name))
    col = field.get_col(model._meta.db_table)
    for convert in connection.ops.get_db_converters(col) + field.get_db_converters(connection):
        value = convert(value, col, connection)
    return value


def prep(model: type[Model], name: str, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """``value`` as the database takes it for ``model``'s field ``name`` (as the ORM sends it)."""
    # A column's name: get_field gives a Field, never the reverse relation it may also give.
    field = cast("Field[Any, Any]", model._meta.get_field(name))
    return field.get_db_prep_value(value, connection)
