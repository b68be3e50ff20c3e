"""Distractors: plausible, of the answer's kind, and certainly wrong.

A distractor is never equal to any value any source gives for the fact, nor to its
answer or aliases: compared after :func:`content.models.normalise`, numerically for
years and numbers, and as calendar dates for dates. No two options may mean the same
thing.

The author's own wrong answers (:attr:`Fact.distractors`) come first. A fact of kind
``text`` uses nothing else: its answer is a phrase with no machine-comparable siblings,
and another fact's phrase makes a nonsense option. Other kinds top up with siblings
(other facts' answers of the same kind), preferring those that share tags, then the
topic, then the era; for years and numbers, made-up near values fill in when the bank
has too few siblings.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from content.answers import PartialDate, class_of, era_of, fact_class, fact_era, parse_partial_date
from content.models import Fact, normalise, numeric_value
from quiz.generation.bank import Candidate

#: How many acceptable siblings to draw the three distractors from (best ranked first):
#: enough for seeds to vary the options, few enough to keep them plausible.
SHORTLIST = 6
DISTRACTORS = 3
_FAR = 10_000


def parse_date(text: str) -> datetime.date | None:
    """A calendar date written as "1950-06-25", "25 June 1950", "June 25, 1950" or "July 2000"."""
    parsed = parse_partial_date(text)
    return parsed.as_date() if parsed and parsed.month else None


class ValueSet:
    """Values that mean the same thing collide: by spelling, by number, or by date."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.names: set[str] = set()
        self.numbers: set[float] = set()
        self.dates: set[PartialDate] = set()

    def _keys(self, text: str) -> tuple[str, float | None, PartialDate | None]:
        number = numeric_value(text) if self.kind in Fact.NUMERIC_KINDS else None
        date = parse_partial_date(text) if self.kind == Fact.Kind.DATE else None
        return normalise(text), number, date

    def contains(self, *texts: str) -> bool:
        for text in texts:
            name, number, date = self._keys(text)
            if name in self.names or (number is not None and number in self.numbers):
                return True
            if date is not None and date in self.dates:
                return True
        return False

    def copy(self) -> ValueSet:
        other = ValueSet(self.kind)
        other.names, other.numbers, other.dates = set(self.names), set(self.numbers), set(self.dates)
        return other

    def add(self, *texts: str) -> None:
        for text in texts:
            name, number, date = self._keys(text)
            self.names.add(name)
            if number is not None:
                self.numbers.add(number)
            if date is not None:
                self.dates.add(date)


@dataclass(frozen=True)
class Distractor:
    text: str  # the option as shown (a number with its unit)
    value: str  # the bare value, as it would appear in a statement
    note: str  # what it really is; "" for a made-up near value or an author's distractor
    fact_id: int | None = None


def with_unit(value: str, unit: str) -> str:
    return f"{value} {unit}".strip() if unit else value


def sibling_note(candidate: Candidate) -> str:
    """What a sibling's answer really is: its own statement, which names it."""
    if candidate.answer and candidate.answer in candidate.statement:
        return candidate.statement
    return f"{candidate.answer}: {candidate.statement or candidate.subject}"


def value_year(kind: str, answer: str, year: int | None) -> int | None:
    """The year a candidate belongs to: its own year, else the year its answer names."""
    if year is not None:
        return year
    if kind == Fact.Kind.YEAR:
        number = numeric_value(answer)
        return int(number) if number is not None else None
    parsed = parse_partial_date(answer) if kind == Fact.Kind.DATE else None
    return parsed.year if parsed else None


def in_era(era: tuple[int, int] | None, year: int | None) -> bool:
    return era is None or year is None or era[0] <= year <= era[1]


#: Kinds whose options are timeless (a river is a river in any century): no era check.
TIMELESS_KINDS = frozenset({Fact.Kind.PLACE, Fact.Kind.NUMBER, Fact.Kind.TEXT})


def fits(fact: Fact, candidate: Candidate) -> bool:
    """Whether another fact's answer may stand as an option here: same class, same era.

    Same class: a river for a river, a month for a month (see
    :func:`content.answers.class_of`). Same era: a year or date option lies inside the
    fact's era (its own, else ten years either side of its year); a person, treaty,
    organisation or event belongs to a year inside it. A place is timeless.
    """
    if candidate.kind != fact.kind:
        return False
    if class_of(candidate.kind, candidate.answer, candidate.unit, candidate.answer_class) != fact_class(fact):
        return False
    era = fact_era(fact)
    if fact.kind in (Fact.Kind.YEAR, Fact.Kind.DATE):
        return in_era(era, value_year(candidate.kind, candidate.answer, None))
    if fact.kind in TIMELESS_KINDS:
        return True
    own = era_of(candidate.era_start, candidate.era_end, candidate.year)
    if era is None or own is None:
        return True
    return (
        own[0] <= era[1] and era[0] <= own[1]
        if candidate.era_start is not None
        else in_era(era, candidate.year)
    )


def rank_siblings(fact: Fact, tag_ids: frozenset[int], pool: Iterable[Candidate]) -> list[Candidate]:
    """Siblings that fit (:func:`fits`), best first: shared tags, then same topic, then
    nearest era; ties by sample key."""
    era = value_year(fact.kind, fact.answer, fact.year)

    def key(c: Candidate) -> tuple:
        other = value_year(c.kind, c.answer, c.year)
        distance = abs(other - era) if era is not None and other is not None else _FAR
        return (
            -len(c.tag_ids & tag_ids),
            c.topic_id != fact.topic_id,
            distance,
            c.sample_key,
            c.fact_id,
        )

    return sorted((c for c in pool if c.fact_id != fact.pk and fits(fact, c)), key=key)


def acceptable_siblings(
    fact: Fact, forbidden: ValueSet, ranked: Sequence[Candidate], limit: int
) -> list[Distractor]:
    """Up to ``limit`` siblings that are wrong for this fact and distinct from each other."""
    chosen = ValueSet(fact.kind)
    out: list[Distractor] = []
    subject = normalise(fact.stem or fact.subject)
    for c in ranked:
        if len(out) >= limit:
            break
        if normalise(c.stem or c.subject) == subject:
            continue  # the same question asked twice in the bank: its answer may be right too
        if fact.kind == Fact.Kind.NUMBER and normalise(c.unit) != normalise(fact.unit):
            continue
        if fact.kind in Fact.NUMERIC_KINDS and numeric_value(c.answer) is None:
            continue
        if fact.kind == Fact.Kind.YEAR and not _possible_year(numeric_value(c.answer)):
            continue
        names = (c.answer, *c.aliases)
        if forbidden.contains(*names) or chosen.contains(*names):
            continue
        chosen.add(*names)
        out.append(Distractor(with_unit(c.answer, fact.unit), c.answer, sibling_note(c), c.fact_id))
    return out


def _possible_year(value: float | None) -> bool:
    return value is not None and value == int(value) and 1 <= value <= timezone.now().year


def _swapped_digits(digits: str) -> list[str]:
    """Each adjacent pair of digits swapped, never giving a leading zero."""
    out = []
    for i in range(len(digits) - 1):
        if digits[i] == digits[i + 1]:
            continue
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        if swapped[0] != "0":
            out.append(swapped)
    return out


def near_years(answer: str, rng: random.Random) -> list[str]:
    """Years a few off the answer, and with swapped digits: never negative, never in the future."""
    number = numeric_value(answer)
    if number is None or number != int(number):
        return []
    year = int(number)
    offsets = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15]
    values = [year + sign * offset for offset in offsets for sign in (1, -1)]
    values += [int(s) for s in _swapped_digits(str(abs(year))) if abs(int(s) - year) <= 90]
    rng.shuffle(values)
    return [str(v) for v in dict.fromkeys(values) if _possible_year(v)]


def _format_like(value: float, template: str) -> str:
    decimals = len(template.split(".", 1)[1]) if "." in template else 0
    if decimals:
        text = f"{value:,.{decimals}f}" if "," in template else f"{value:.{decimals}f}"
    else:
        text = f"{round(value):,}" if "," in template else str(round(value))
    return text


def near_numbers(answer: str, rng: random.Random) -> list[str]:
    """Quantities near the answer, written like it (commas, decimals); never negative or zero."""
    number = numeric_value(answer)
    if number is None or number <= 0:
        return []
    raw = answer.strip()
    values: list[float] = []
    if number == int(number) and number <= 12:
        values = [number + d for d in (1, 2, 3, -1, -2, -3)]
    else:
        step = 10 ** max(len(str(int(number))) - 2, 0) if number == int(number) else 0
        for factor in (0.5, 0.6, 0.75, 0.8, 1.2, 1.25, 1.5, 2):
            value = number * factor
            if step:
                value = round(value / step) * step
            values.append(value)
        if number == int(number):
            values += [float(s) for s in _swapped_digits(str(int(number)))]
    rng.shuffle(values)
    # "21.0 km" beside "17.5 km" reads as made up: a value that rounds to a whole one is skipped.
    texts = [t for t in (_format_like(v, raw) for v in values if v > 0) if not re.search(r"\.0+$", t)]
    return [t for t in dict.fromkeys(texts) if numeric_value(t) not in (None, 0, number)]


def near_dates(answer: str, rng: random.Random) -> list[str]:
    """Dates near the answer, written as precisely as it is: months for a month, days for a day."""
    parsed = parse_partial_date(answer)
    if parsed is None:
        return []
    values: list[PartialDate] = []
    if parsed.precision == "year":
        return near_years(str(parsed.year), rng)
    month_index = parsed.year * 12 + parsed.month - 1
    for offset in (1, 2, 3, 4, 5, 6, 8, 10, 12, 14):
        for sign in (1, -1):
            index = month_index + sign * offset
            year, month = divmod(index, 12)
            if parsed.precision == "month":
                values.append(PartialDate(year, month + 1))
            else:
                try:
                    datetime.date(year, month + 1, parsed.day)
                except ValueError:
                    continue
                values.append(PartialDate(year, month + 1, parsed.day))
    if parsed.precision == "day":
        for offset in (1, 2, 3, 5, 7, 10, 12, 15):
            for sign in (1, -1):
                day = parsed.as_date() + datetime.timedelta(days=sign * offset)
                values.append(PartialDate(day.year, day.month, day.day))
    rng.shuffle(values)
    today = timezone.now().date()
    return [v.label for v in dict.fromkeys(values) if v.as_date() <= today]


def near_values(fact: Fact, answer: str, rng: random.Random) -> list[str]:
    """Made-up wrong values of the answer's class, inside the fact's era."""
    era = fact_era(fact)
    if fact.kind == Fact.Kind.YEAR:
        return [v for v in near_years(answer, rng) if in_era(era, int(v))]
    if fact.kind == Fact.Kind.DATE:
        return [v for v in near_dates(answer, rng) if in_era(era, value_year(fact.kind, v, None))]
    if fact.kind == Fact.Kind.NUMBER:
        values = near_numbers(answer, rng)
        if fact.unit.endswith("s"):  # "1 countries" is not English
            values = [v for v in values if numeric_value(v) != 1]
        return values
    return []


def author_distractors(fact: Fact, forbidden: ValueSet) -> list[Distractor]:
    """The author's wrong answers that are still wrong (the importer checks too), no two alike.

    Their note is "": the feedback says "What X really is: ..." only when the bank knows,
    and the explanation already says what the sources give.
    """
    out: list[Distractor] = []
    taken = ValueSet(fact.kind)
    for value in fact.distractors or []:
        if not value.strip() or forbidden.contains(value) or taken.contains(value):
            continue
        taken.add(value)
        out.append(Distractor(with_unit(value, fact.unit), value, ""))
    return out


def shape(text: str) -> str:
    """How an answer is written, digits aside: "1995 to 2000" and "1985 to 1990" alike,
    "the mid-1990s" and "the early 1980s" alike, but not a range and a decade."""
    folded = re.sub(r"\d", "9", text.strip().casefold())
    folded = re.sub(r"\b(?:early|mid|late)[- ]", "~", folded)
    return re.sub(r"^the ", "", folded)


def choose_distractors(
    fact: Fact,
    answer: str,
    forbidden: ValueSet,
    ranked: Sequence[Candidate],
    rng: random.Random,
    count: int = DISTRACTORS,
) -> list[Distractor]:
    """``count`` distractors for ``answer`` (fewer if the author and the bank cannot supply them).

    The author's distractors first (``count`` of them drawn with ``rng``); kind ``text``
    stops there. Others top up from the best ``SHORTLIST`` acceptable siblings, then, for
    years and numbers, near values.
    """
    own = author_distractors(fact, forbidden)
    alike = [d for d in own if shape(d.value) == shape(answer)]
    if len(alike) >= count:
        own = alike  # "the mid-1990s" among decades, "1995 to 2000" among ranges
    picked = rng.sample(own, min(count, len(own))) if own else []
    if fact.kind == Fact.Kind.TEXT or len(picked) >= count:
        return picked
    if picked:
        forbidden = forbidden.copy()
        forbidden.add(*(d.value for d in picked))
    shortlist = acceptable_siblings(fact, forbidden, ranked, SHORTLIST)
    picked += rng.sample(shortlist, min(count - len(picked), len(shortlist)))
    if len(picked) < count:
        taken = ValueSet(fact.kind)
        for d in picked:
            taken.add(d.value)
        for value in near_values(fact, answer, rng):
            if len(picked) >= count:
                break
            if forbidden.contains(value) or taken.contains(value):
                continue
            taken.add(value)
            picked.append(Distractor(with_unit(value, fact.unit), value, ""))
    return picked
