"""The search index in each database, kept in step with the passages and facts by the database.

Nothing in Python has to remember to update it: the dossier import, the admin, a shell or a
bulk update all write rows, and the database indexes what they wrote in the same transaction.

- **SQLite**: an FTS5 table ``content_search`` (tokenizer ``unicode61`` with diacritics
  removed) holds one row per passage (rowid ``2 * id``) and per fact (rowid ``2 * id + 1``):
  ``title`` is a passage's context, or a fact's subject, answer and aliases; ``body`` is a
  passage's body or a fact's statement. Triggers on ``content_section`` and ``content_fact``
  keep it in step. ``content_search_vocab`` (fts5vocab) lists its words, for spelling.
- **PostgreSQL**: a ``tsvector`` column ``search_document`` on each table, filled by a
  ``BEFORE INSERT OR UPDATE`` trigger when its columns change, and GIN-indexed, in the text
  search configuration ``content_search`` (``simple`` with ``unaccent``: no stemming and no
  stop words, as on SQLite), with the same title (weight A) and body (weight B).
  Punctuation is blanked first, so that PostgreSQL's parser, like SQLite's, sees only words
  ("Il-sung" is il, sung; "17.5" is 17, 5). ``content_searchword`` lists the words (a
  statement trigger adds new ones; pg_trgm's GIN index finds misspellings), as pg_trgm's
  documentation recommends.

Django rebuilds an SQLite table to alter it (create, copy, drop, rename), which drops the
table's triggers: :func:`repair` runs after every ``migrate`` and reinstalls them, rebuilding
the index, whenever they are missing or differ from the ones here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

# SQLite --------------------------------------------------------------------------------

_ALIASES_TEXT = (
    "coalesce((SELECT group_concat(value, ' ') FROM json_each("
    "CASE WHEN json_valid({row}.aliases) THEN CASE WHEN json_type({row}.aliases) = 'array' "
    "THEN {row}.aliases END END)), '')"
)
_SQLITE_ROWS = {
    # table: (rowid, title, body) of a row ``{row}``
    "content_section": ("2 * {row}.id", "{row}.context", "{row}.body", "context, body"),
    "content_fact": (
        "2 * {row}.id + 1",
        f"{{row}}.subject || ' ' || {{row}}.answer || ' ' || {_ALIASES_TEXT}",
        "{row}.statement",
        "subject, answer, aliases, statement",
    ),
}


def _sqlite_triggers() -> dict[str, str]:
    triggers: dict[str, str] = {}
    for table, (rowid, title, body, columns) in _SQLITE_ROWS.items():
        new = {
            part: text.format(row="NEW")
            for part, text in (("rowid", rowid), ("title", title), ("body", body))
        }
        insert = (
            "INSERT INTO content_search (rowid, title, body) "
            f"VALUES ({new['rowid']}, {new['title']}, {new['body']});"
        )
        delete = f"DELETE FROM content_search WHERE rowid = {rowid.format(row='OLD')};"
        name = f"{table}_search"
        triggers[f"{name}_insert"] = (
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {insert} END"
        )
        triggers[f"{name}_update"] = (
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {columns} ON {table} BEGIN {delete} {insert} END"
        )
        triggers[f"{name}_delete"] = (
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {delete} END"
        )
    return triggers


_SQLITE_TABLES = [
    "CREATE VIRTUAL TABLE content_search USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE content_search_vocab USING fts5vocab(content_search, 'row')",
]


def _sqlite_fill(cursor: Any) -> None:
    cursor.execute("DELETE FROM content_search")
    for table, (rowid, title, body, _columns) in _SQLITE_ROWS.items():
        row = table
        cursor.execute(
            "INSERT INTO content_search (rowid, title, body) "
            f"SELECT {rowid.format(row=row)}, {title.format(row=row)}, {body.format(row=row)} FROM {table}"
        )


# PostgreSQL ----------------------------------------------------------------------------

#: ASCII punctuation and symbols, Latin-1's, and the general, supplemental and CJK
#: punctuation blocks. Explicit, not [^[:alnum:]]: under the C locale PostgreSQL's regular
#: expressions count only ASCII letters as alphanumeric.
_PUNCTUATION = (
    r"[!-/:-@[-`{-~\u00a0-\u00a9\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u2e00-\u2e7f\u3000-\u303f]"
)


def _pg_words(expression: str) -> str:
    return f"to_tsvector('content_search', regexp_replace({expression}, '{_PUNCTUATION}', ' ', 'g'))"


_PG_DOCUMENTS = {
    # table: (its search_document from a row NEW, the columns it is made of)
    "content_section": (
        f"setweight({_pg_words('NEW.context')}, 'A') || setweight({_pg_words('NEW.body')}, 'B')",
        "context, body",
    ),
    "content_fact": (
        "setweight("
        + _pg_words(
            "NEW.subject || ' ' || NEW.answer || ' ' || "
            "CASE WHEN jsonb_typeof(NEW.aliases) = 'array' THEN NEW.aliases::text ELSE '' END"
        )
        + f", 'A') || setweight({_pg_words('NEW.statement')}, 'B')",
        "subject, answer, aliases, statement",
    ),
}


def _pg_document_statements(table: str, document: str, columns: str) -> list[str]:
    # A column a trigger fills, not a generated column, and a trigger with no column list:
    # PostgreSQL refuses to alter the type of a column that either depends on, and a later
    # AlterField (a longer max_length) must work. So the function compares the columns itself.
    function = f"{table}_search_document"
    new = ", ".join(f"NEW.{column.strip()}" for column in columns.split(","))
    old = new.replace("NEW.", "OLD.")
    return [
        f"ALTER TABLE {table} ADD COLUMN search_document tsvector",
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' OR NEW.search_document IS NULL OR ROW({new}) IS DISTINCT FROM ROW({old}) "
        f"THEN NEW.search_document := {document}; END IF; RETURN NEW; END $$",
        f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"UPDATE {table} SET search_document = NULL",  # fills it
        f"CREATE INDEX {table}_search ON {table} USING gin (search_document)",
    ]


_PG_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION content_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION content_search ALTER MAPPING FOR "
    "word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple",
    *(
        statement
        for table, (document, columns) in _PG_DOCUMENTS.items()
        for statement in _pg_document_statements(table, document, columns)
    ),
    "CREATE TABLE content_searchword (word text PRIMARY KEY)",
    "CREATE INDEX content_searchword_trgm ON content_searchword USING gin (word gin_trgm_ops)",
    """
    CREATE FUNCTION content_searchword_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO content_searchword (word)
        SELECT DISTINCT word FROM new_rows, unnest(tsvector_to_array(new_rows.search_document)) AS word
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_searchword_{event.lower()} AFTER {event} ON {table} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION content_searchword_add()"
        for table in _PG_DOCUMENTS
        for event in ("INSERT", "UPDATE")
    ),
    "INSERT INTO content_searchword (word) "
    "SELECT unnest(tsvector_to_array(search_document)) FROM content_section "
    "UNION SELECT unnest(tsvector_to_array(search_document)) FROM content_fact",
]

_PG_UNINSTALL = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_searchword_{event} ON {table}"
        for table in _PG_DOCUMENTS
        for event in ("insert", "update")
    ),
    "DROP FUNCTION IF EXISTS content_searchword_add()",
    "DROP TABLE IF EXISTS content_searchword",
    *(f"DROP TRIGGER IF EXISTS {table}_search_document ON {table}" for table in _PG_DOCUMENTS),
    *(f"DROP FUNCTION IF EXISTS {table}_search_document()" for table in _PG_DOCUMENTS),
    *(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document" for table in _PG_DOCUMENTS),
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS content_search",
]


# Both ----------------------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index and fill it from the rows already there (migration 0006)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in _PG_INSTALL:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for statement in [*_SQLITE_TABLES, *_sqlite_triggers().values()]:
                cursor.execute(statement)
            _sqlite_fill(cursor)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in _PG_UNINSTALL:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute("DROP TABLE IF EXISTS content_search_vocab")
            cursor.execute("DROP TABLE IF EXISTS content_search")


def repair(connection: BaseDatabaseWrapper) -> bool:
    """On SQLite, reinstall missing or changed triggers and rebuild the index; True if it did.

    Does nothing where the index is not installed (before migration 0006, or after it was
    reversed), and nothing on PostgreSQL, which alters tables in place.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'content\\_%' ESCAPE '\\'")
        found = {(kind, name): sql for kind, name, sql in cursor.fetchall()}
        if ("table", "content_search") not in found:
            return False
        wanted = _sqlite_triggers()
        if all(found.get(("trigger", name)) == sql for name, sql in wanted.items()):
            return False
        for name, sql in wanted.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(sql)
        _sqlite_fill(cursor)
    return True


def repair_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """The ``post_migrate`` receiver (content.apps)."""
    from django.db import connections

    repair(connections[using])
