"""What an answer is: its class, the precision of a date, the era it belongs to.

A fact's kind says how it is asked (year, date, person, place...). Its class says what
may stand next to it as an option: a month for a month, a river for a river, a Soviet
leader for a Soviet leader. The class of a year, a date or a number is read from the
answer itself (a date's precision, a number's unit); the class of a named answer is the
author's ``answer_class``, since no machine can tell a river from a region by its name.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.models import Fact

MONTHS = {name.casefold(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.casefold(): n for n, name in enumerate(calendar.month_abbr) if name}

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+),? (\d{3,4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+) (\d{1,2})(?:st|nd|rd|th)?,? (\d{3,4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]+),? (\d{3,4})")
_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_YEAR = re.compile(r"\d{3,4}")

#: How far either side of a fact's year its era runs when the author gives none.
DEFAULT_ERA_SPAN = 10


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date as precise as it is written: "2000", "July 2000" or "25 June 1950"."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def label(self) -> str:
        if self.day:
            return f"{self.day} {calendar.month_name[self.month]} {self.year}"
        if self.month:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)

    def as_date(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)


def _valid(year: int, month: int, day: int) -> PartialDate | None:
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)


def parse_partial_date(text: str) -> PartialDate | None:
    """ "1950-06-25", "25 June 1950", "June 25, 1950", "July 2000", "2000-07" or "2000"; else None."""
    cleaned = re.sub(r"\s+", " ", (text or "").strip())
    if m := _ISO.fullmatch(cleaned):
        return _valid(int(m[1]), int(m[2]), int(m[3] or 0))
    if m := _DAY_MONTH_YEAR.fullmatch(cleaned):
        month = MONTHS.get(m[2].casefold())
        return _valid(int(m[3]), month, int(m[1])) if month else None
    if m := _MONTH_DAY_YEAR.fullmatch(cleaned):
        month = MONTHS.get(m[1].casefold())
        return _valid(int(m[3]), month, int(m[2])) if month else None
    if m := _MONTH_YEAR.fullmatch(cleaned):
        month = MONTHS.get(m[1].casefold())
        return _valid(int(m[2]), month, 0) if month else None
    if _YEAR.fullmatch(cleaned):
        return PartialDate(int(cleaned))
    return None


def class_of(kind: str, answer: str, unit: str = "", answer_class: str = "") -> str:
    """The class an option must share with the answer.

    Years are "year"; dates are "date:year", "date:month" or "date:day" by how precisely
    the answer is written; numbers are "number:<unit>" unless the author gives a class
    (a river's length and a city wall's are both in km); named answers are the author's
    class, else their kind.
    """
    if kind == "year":
        return "year"
    if kind == "date":
        parsed = parse_partial_date(answer)
        return f"date:{parsed.precision}" if parsed else "date:?"
    if answer_class:
        return answer_class
    if kind == "number":
        return f"number:{unit.strip().casefold()}"
    return kind


def fact_class(fact: Fact) -> str:
    return class_of(fact.kind, fact.answer, fact.unit, fact.answer_class)


def era_of(era_start: int | None, era_end: int | None, year: int | None) -> tuple[int, int] | None:
    """The years a fact belongs to: its own era, else ``DEFAULT_ERA_SPAN`` either side of its year."""
    if era_start is not None or era_end is not None:
        start = era_start if era_start is not None else era_end
        end = era_end if era_end is not None else era_start
        assert start is not None
        assert end is not None
        return (start, end)
    if year is not None:
        return (year - DEFAULT_ERA_SPAN, year + DEFAULT_ERA_SPAN)
    return None


def fact_era(fact: Fact) -> tuple[int, int] | None:
    return era_of(fact.era_start, fact.era_end, fact.year)


def year_of_value(kind: str, text: str) -> int | None:
    """The year a year or date option names; None for other kinds."""
    if kind not in ("year", "date"):
        return None
    parsed = parse_partial_date(text)
    return parsed.year if parsed else None
