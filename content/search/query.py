"""A search query as words, and the rules for which written words each of them matches.

Everything here is plain Python, shared by both databases' indexes: they receive the words
already folded, and highlighting applies the same rules to the text shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

#: The query is cut to this many characters before anything else (the box's maxlength too).
MAX_QUERY_CHARS = 200
#: Only the first distinct words count.
MAX_WORDS = 8
#: Longer "words" (pasted addresses, keyboard mashing) are left out: no dossier word is that long.
MAX_WORD_CHARS = 40
#: The last word also matches the start of a longer word once it is this long (search as you type).
PREFIX_MIN_CHARS = 3
#: A word of this many letters that no dossier contains is replaced by words spelled like it...
SPELLING_MIN_CHARS = 4
#: ...whose trigram similarity to it (PostgreSQL pg_trgm's measure) is at least this...
SPELLING_MIN_SIMILARITY = 0.3
#: ...and at most this many of them, the closest first.
SPELLING_MAX_WORDS = 5

_WORD = re.compile(r"[^\W_]+")
_SIBILANT = ("s", "x", "z", "ch", "sh")


def fold(text: str) -> str:
    """Case and accents aside: "Chŏngjin" and "CHONGJIN" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``: its runs of letters and digits; everything else separates."""
    return _WORD.findall(fold(text))


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return f"{word[:-1]}ies"
    return f"{word}es" if word.endswith(_SIBILANT) else f"{word}s"


def word_forms(word: str) -> tuple[str, ...]:
    """The word, its singular and its plural, for English nouns written the regular way.

    "treaty" and "treaties", "death" and "deaths", "box" and "boxes" each find the other.
    Words with a digit, and words shorter than three letters, are only themselves.
    """
    if not word.isalpha() or len(word) < 3:
        return (word,)
    if word.endswith("ies") and len(word) > 4:
        singular = f"{word[:-3]}y"
    elif word.endswith("es") and word[:-2].endswith(_SIBILANT):
        singular = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        singular = word[:-1]
    else:
        singular = word
    return tuple(dict.fromkeys((word, singular, _plural(singular))))


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one folded word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()`` of two folded words: shared trigrams over all their trigrams."""
    first, second = trigrams(a), trigrams(b)
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


@dataclass(frozen=True)
class Term:
    """One word of the query and the written words it matches."""

    word: str
    forms: tuple[str, ...]
    prefix: bool = False  # also matches any word that starts with ``word``
    #: The dossier words spelled like ``word``, when no dossier contains it (empty otherwise).
    respelled: tuple[str, ...] = ()

    @property
    def may_respell(self) -> bool:
        return self.word.isalpha() and len(self.word) >= SPELLING_MIN_CHARS

    def matches(self, word: str) -> bool:
        """Whether the folded written ``word`` is one this term finds."""
        if self.respelled:
            return word in self.respelled
        return word in self.forms or (self.prefix and word.startswith(self.word))


@dataclass(frozen=True)
class Query:
    """What was typed, as terms: every one of them must match a word of a result."""

    terms: tuple[Term, ...]
    #: Words past ``MAX_WORDS`` that were left out.
    dropped: int = 0

    @classmethod
    def parse(cls, text: str) -> Query:
        found = [w for w in words(text[:MAX_QUERY_CHARS]) if len(w) <= MAX_WORD_CHARS]
        distinct = list(dict.fromkeys(found))
        kept = distinct[:MAX_WORDS]
        terms = [Term(word, word_forms(word)) for word in kept]
        if terms and len(terms[-1].word) >= PREFIX_MIN_CHARS:
            terms[-1] = replace(terms[-1], prefix=True)
        return cls(tuple(terms), dropped=len(distinct) - len(kept))

    @property
    def text(self) -> str:
        """The query as its words: what links repeat (bounded, and the same search again)."""
        return " ".join(term.word for term in self.terms)

    @property
    def respellings(self) -> list[Term]:
        return [term for term in self.terms if term.respelled]

    def respell(self, candidates: Mapping[int, Iterable[str]]) -> Query:
        """The query with term ``i`` replaced by the closest of ``candidates[i]``, if any."""
        terms = list(self.terms)
        for i, found in candidates.items():
            word = terms[i].word
            closest = sorted(set(found), key=lambda w: (-similarity(word, w), w))[:SPELLING_MAX_WORDS]
            if closest:
                terms[i] = replace(terms[i], respelled=tuple(closest))
        return replace(self, terms=tuple(terms))

    def matches(self, word: str) -> bool:
        return any(term.matches(word) for term in self.terms)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where ``text`` has words this query matches, as (start, end) offsets.

        Neighbours separated only by spaces or hyphens make one span: "Kim Il-sung".
        """
        spans: list[tuple[int, int]] = []
        for match in _WORD.finditer(text):
            if not self.matches(fold(match.group())):
                continue
            if spans and re.fullmatch(r"[\s\-‐‑–]+", text[spans[-1][1] : match.start()]):
                spans[-1] = (spans[-1][0], match.end())
            else:
                spans.append((match.start(), match.end()))
        return spans


def highlight(text: str, query: Query, width: int = 200) -> SafeString:
    """A window of ``text`` around the first word ``query`` matches, every match in <mark>.

    Safe by construction: the text is cut at the matches *before* escaping, each piece is
    escaped, and only our own <mark> tags are added (marking inside escaped text could
    split an entity such as ``&amp;``).
    """
    text = " ".join(text.split())
    first = next(iter(query.spans(text)), None)
    start = 0
    if first and len(text) > width:
        start = max(0, first[0] - width // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first[0] else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (first[1] if first else start) else end
    window = text[start:end]
    pieces: list[str] = ["…" if start else ""]
    position = 0
    for mark_start, mark_end in query.spans(window):
        pieces += [escape(window[position:mark_start]), f"<mark>{escape(window[mark_start:mark_end])}</mark>"]
        position = mark_end
    pieces += [escape(window[position:]), "…" if end < len(text) else ""]
    return mark_safe("".join(pieces))  # every piece of text above is escaped


def best_text(texts: Sequence[str], query: Query) -> str:
    """The first of ``texts`` with a word the query matches (the first one if none has)."""
    return next((text for text in texts if query.spans(text)), texts[0])
