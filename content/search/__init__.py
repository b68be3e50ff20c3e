"""Search: the passages and facts of published dossiers that hold every word of a query.

The rules (the README repeats them; :mod:`content.search.query` implements them):

- A query is cut to 200 characters. Its words are its runs of letters and digits, case
  and accents aside: hyphens, apostrophes, quotes and every other symbol only separate
  words, so "Kim Il-sung" and "kim il sung" are the same query. The first 8 distinct words
  count; a "word" of more than 40 characters is left out.
- A result holds every word, in any order, anywhere in it: a passage in its context or
  body, a fact in its subject, statement, answer or aliases. Whole words ("war pact" does
  not find "Warsaw Pact"), but for the last word (below).
- A word also finds its regular English plural or singular ("treaty" and "treaties",
  "death" and "deaths").
- The last word also finds the words it starts, once it has 3 characters ("gorb" finds
  Gorbachev), since results come as students type.
- When nothing is found, a word of 4 or more letters that no dossier holds in any of those
  forms is replaced by the dossier words spelled like it: those starting with the same
  letter with a trigram similarity (PostgreSQL pg_trgm's measure) of at least 0.3, the 5
  closest. "gorbachov" finds Gorbachev, and the page says which words it searched for
  instead.
- Results are ranked, best first: a word counts more in a title (a passage's context; a
  fact's subject, answer or aliases) than in a body (a passage's body, a fact's
  statement); more occurrences count more, with long texts damped. Ties: passages first,
  then the older row.
- In each result, the matched words are highlighted (<mark>) in a window of its text.

The index lives in the database (:mod:`content.search.schema`); the queries are each
database's own text search (:mod:`content.search.backends`): SQLite's FTS5 by default,
PostgreSQL's full-text search with pg_trgm for spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from content.models import Fact, Section
from content.search.backends import Kind, index
from content.search.query import MAX_QUERY_CHARS, Query, best_text, highlight

if TYPE_CHECKING:
    from django.utils.safestring import SafeString

__all__ = ["MAX_QUERY_CHARS", "Query", "Results", "SearchHit", "find", "highlight"]


@dataclass(frozen=True)
class SearchHit:
    kind: Kind
    obj: Section | Fact
    snippet: SafeString

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


class Results:
    """The ranked matches of a query, counted and sliced lazily (what a Paginator needs).

    One COUNT; then per page one ranked read and one read each of the passages and the
    facts on it (only of the kinds on it).
    """

    def __init__(self, query: Query) -> None:
        self.query = query
        self._index = index()
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._index.count(self.query) if self.query.terms else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, bounds: slice) -> list[SearchHit]:
        start, stop = bounds.start or 0, bounds.stop
        if not self.query.terms or stop <= start:
            return []
        ranked = self._index.ranked(self.query, start, stop)
        pks: dict[Kind, list[int]] = {"passage": [], "fact": []}
        for kind, pk in ranked:
            pks[kind].append(pk)
        loaded: dict[tuple[Kind, int], Section | Fact] = {}
        if pks["passage"]:
            for section in Section.objects.filter(pk__in=pks["passage"]).select_related("topic"):
                loaded["passage", section.pk] = section
        if pks["fact"]:
            facts = Fact.objects.filter(pk__in=pks["fact"]).select_related("topic", "section", "event")
            for fact in facts:
                loaded["fact", fact.pk] = fact
        # A row deleted between the ranked read and this one is left out.
        return [self._hit(kind, loaded[kind, pk]) for kind, pk in ranked if (kind, pk) in loaded]

    def _hit(self, kind: Kind, obj: Section | Fact) -> SearchHit:
        if isinstance(obj, Section):
            texts = [obj.body, obj.context]
        else:
            texts = [
                obj.statement,
                obj.subject,
                obj.answer,
                *(str(a) for a in obj.aliases if isinstance(obj.aliases, list)),
            ]
        return SearchHit(kind, obj, highlight(best_text(texts, self.query), self.query))


def find(text: str) -> Results:
    """The published passages and facts that match ``text`` (see the rules above), best first.

    Respelling is asked only when nothing is found: a word that no row holds makes every
    search with it find nothing, so a search that finds something has no word to respell.
    That costs one query, on the way to "no results" only.
    """
    results = Results(Query.parse(text))
    if results.count() == 0 and any(term.may_respell for term in results.query.terms):
        respellings = index().respellings(results.query)
        if respellings:
            results = Results(results.query.respell(respellings))
    return results
