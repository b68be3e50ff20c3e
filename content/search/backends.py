"""The two databases' text search behind one interface: spelling, counting and ranking.

Both receive a :class:`~content.search.query.Query` whose words are already folded and
answer with ``(kind, pk)`` pairs, best first; :mod:`content.search` loads the rows. A
term's words are quoted for the database's query language (FTS5's ``"…"``, tsquery's
``'…'``), and a word holds only letters and digits, so no query can inject an operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

from django.db import connection

from content.search.query import SPELLING_MIN_SIMILARITY, Query, Term, similarity

if TYPE_CHECKING:
    from collections.abc import Sequence

type Kind = Literal["passage", "fact"]

#: How much more a word counts in a title (a passage's context; a fact's subject, answer
#: and aliases) than in a body: PostgreSQL's ``ts_rank`` weighs A against B as 1.0 to 0.4.
TITLE_WEIGHT = 2.5


class Index(Protocol):
    def respellings(self, query: Query) -> dict[int, list[str]]:
        """For each term (by position) that may be respelled and matches no row, published
        or not, the indexed words that start with its letter and are spelled like it."""
        ...

    def count(self, query: Query) -> int: ...

    def ranked(self, query: Query, start: int, stop: int) -> list[tuple[Kind, int]]:
        """Matches ``start`` to ``stop`` of published dossiers, best first."""
        ...


def index() -> Index:
    return PostgresIndex() if connection.vendor == "postgresql" else SQLiteIndex()


def _next_letter(word: str) -> str:
    return chr(ord(word[0]) + 1)


def _exact_words(term: Term) -> tuple[str, ...]:
    """The words a term matches whole: a prefix term's forms that its prefix does not cover."""
    if term.respelled:
        return term.respelled
    if term.prefix:
        return tuple(word for word in term.forms if not word.startswith(term.word))
    return term.forms


def _prefix(term: Term) -> str | None:
    return term.word if term.prefix and not term.respelled else None


# SQLite: FTS5 -------------------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    alternatives = [f'"{word}"' for word in _exact_words(term)]
    if prefix := _prefix(term):
        alternatives.append(f'"{prefix}"*')
    return f"({' OR '.join(alternatives)})"


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: every term, each any of its words."""
    return " AND ".join(_fts5_term(term) for term in query.terms)


_SIMILARITY_FUNCTION = "content_search_similarity"


class SQLiteIndex:
    # Unpublished dossiers are few (drafts): leaving out their rows by rowid is cheap, where
    # joining every match to its topic reads each match's stored row (at 100,000 matches,
    # 0.9 s against 0.07 s for the count).
    _published = (
        "FROM content_search WHERE content_search MATCH %s AND content_search.rowid NOT IN ("
        "SELECT 2 * id FROM content_section WHERE topic_id IN "
        "(SELECT id FROM content_topic WHERE NOT published) "
        "UNION ALL SELECT 2 * id + 1 FROM content_fact WHERE topic_id IN "
        "(SELECT id FROM content_topic WHERE NOT published))"
    )

    def respellings(self, query: Query) -> dict[int, list[str]]:
        asked = [(i, term) for i, term in enumerate(query.terms) if term.may_respell]
        if not asked:
            return {}
        connection.ensure_connection()
        connection.connection.create_function(_SIMILARITY_FUNCTION, 2, similarity, deterministic=True)
        # A term no row has (published or not): a MATCH stops at its first row. Then the
        # vocabulary (fts5vocab: the indexed words in order) is read in the range of the term's
        # first letter only, a letter rarely mistyped; the CROSS JOIN keeps that order.
        parts: list[str] = []
        params: list[str | int | float] = []
        for i, term in asked:
            parts.append(
                "SELECT %s, candidate.term FROM (SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM content_search "
                "WHERE content_search MATCH %s)) AS unknown CROSS JOIN content_search_vocab AS candidate "
                f"WHERE candidate.term >= %s AND candidate.term < %s "
                f"AND {_SIMILARITY_FUNCTION}(candidate.term, %s) >= %s"
            )
            params += [i, _fts5_term(term)]
            params += [term.word[0], _next_letter(term.word), term.word, SPELLING_MIN_SIMILARITY]
        found: dict[int, list[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for i, word in cursor.fetchall():
                found.setdefault(i, []).append(word)
        return found

    def count(self, query: Query) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {self._published}", [fts5_match(query)])
            return int(cursor.fetchone()[0])

    def ranked(self, query: Query, start: int, stop: int) -> list[tuple[Kind, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT content_search.rowid {self._published} "
                f"ORDER BY bm25(content_search, {TITLE_WEIGHT}, 1.0), content_search.rowid %% 2, "
                "content_search.rowid LIMIT %s OFFSET %s",
                [fts5_match(query), stop - start, start],
            )
            return [("fact" if rowid % 2 else "passage", rowid // 2) for (rowid,) in cursor.fetchall()]


# PostgreSQL: full-text search and pg_trgm --------------------------------------------


def _tsquery_term(term: Term) -> str:
    alternatives = [f"'{word}'" for word in _exact_words(term)]
    if prefix := _prefix(term):
        alternatives.append(f"'{prefix}':*")
    return f"({' | '.join(alternatives)})"


def tsquery(query: Query) -> str:
    """The ``to_tsquery`` text: every term, each any of its words."""
    return " & ".join(_tsquery_term(term) for term in query.terms)


class PostgresIndex:
    def respellings(self, query: Query) -> dict[int, list[str]]:
        asked = [(i, term) for i, term in enumerate(query.terms) if term.may_respell]
        if not asked:
            return {}
        # pg_trgm's % (similarity above pg_trgm.similarity_threshold, 0.3 unless changed)
        # reads the trigram index; the explicit similarity() keeps the rule exact.
        sql = """
            SELECT asked.i, w.word
            FROM unnest(%s::int[], %s::text[], %s::text[]) AS asked (i, word, terms)
            CROSS JOIN LATERAL (
                SELECT word FROM content_searchword
                WHERE word %% asked.word AND left(word, 1) = left(asked.word, 1)
                  AND similarity(word, asked.word) >= %s
            ) AS w
            WHERE NOT EXISTS (
                SELECT 1 FROM content_section
                WHERE search_document @@ to_tsquery('content_search', asked.terms))
              AND NOT EXISTS (
                SELECT 1 FROM content_fact
                WHERE search_document @@ to_tsquery('content_search', asked.terms))
        """
        params: list[list[int] | list[str] | float] = [
            [i for i, _ in asked],
            [term.word for _, term in asked],
            [_tsquery_term(term) for _, term in asked],
            SPELLING_MIN_SIMILARITY,
        ]
        found: dict[int, list[str]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for i, word in cursor.fetchall():
                found.setdefault(i, []).append(word)
        return found

    def _matches(self, query: Query) -> Sequence[object]:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
        from django.db.models import F, IntegerField, Value
        from django.db.models.expressions import RawSQL

        from content.models import Fact, Section

        match = SearchQuery(tsquery(query), search_type="raw", config="content_search")
        parts = []
        for number, model in enumerate((Section, Fact)):
            document = RawSQL(
                f'"{model._meta.db_table}"."search_document"', (), output_field=SearchVectorField()
            )
            parts.append(
                model._default_manager.filter(topic__published=True)
                .annotate(document=document)
                .filter(document=match)
                .annotate(
                    hit_kind=Value(number, output_field=IntegerField()),
                    # normalization 1: divided by 1 + log(length), so long passages do not win by length
                    rank=SearchRank(F("document"), match, normalization=Value(1)),
                )
                .order_by()
                .values_list("hit_kind", "pk", "rank")
            )
        return parts

    def count(self, query: Query) -> int:
        sections, facts = self._matches(query)
        return sections.union(facts, all=True).count()  # type: ignore[attr-defined]

    def ranked(self, query: Query, start: int, stop: int) -> list[tuple[Kind, int]]:
        sections, facts = self._matches(query)
        rows = sections.union(facts, all=True).order_by("-rank", "hit_kind", "pk")[start:stop]  # type: ignore[attr-defined]
        return [("fact" if kind else "passage", pk) for kind, pk, _rank in rows]
