"""``any_icontains``: a JSON list of strings has an element that contains the text, case aside.

Search matches a fact by its aliases (a JSON list). ``icontains`` on a JSONField compares
the list's JSON text, where the quotes, commas and backslashes between and inside the
aliases match too: a search for ``\\`` or ``", "`` found facts that no alias contains. This
lookup looks inside each element instead, with the same matching rules as ``icontains``
on each database (LIKE with the wildcards escaped; on SQLite, case is ignored for ASCII
letters only, as Django's ``icontains`` does there). Anything but a list has no element.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import JSONField, Lookup

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType


@JSONField.register_lookup
class AnyElementIContains(Lookup):
    lookup_name = "any_icontains"
    prepare_rhs = False  # the text to find, not a JSON value

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> tuple[str, tuple[str]]:
        return "%s", (f"%{connection.ops.prep_for_like_query(str(value))}%",)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = (
            f"EXISTS (SELECT 1 FROM json_each(CASE WHEN json_type({lhs}) = 'array' THEN {lhs} END) "
            f"WHERE json_each.value LIKE {rhs} ESCAPE '\\')"
        )
        return sql, (*lhs_params, *lhs_params, *rhs_params)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = (
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text("
            f"CASE WHEN jsonb_typeof({lhs}) = 'array' THEN {lhs} ELSE '[]'::jsonb END) AS element "
            f"WHERE UPPER(element) LIKE UPPER({rhs}))"
        )
        return sql, (*lhs_params, *lhs_params, *rhs_params)
