"""The question linter: what a history teacher would strike out, found mechanically.

:func:`lint_question` reads one generated question against the bank it came from and
returns a :class:`Finding` per defect, each of one :data:`DEFECTS` class:

- ``wrong-class``: an option of another class or precision than the answer (an island
  for a river, a full date for a month, a length in miles among lengths in km).
- ``outside-era``: an option outside the fact's era (2007 for an act of Gorbachev).
- ``echo``: the stem gives the answer away by naming a word of it that no other option has,
  or rules an option out by naming it ("… completed in 2008?" offering 2008).
- ``grammar``: only one option fits the stem's grammar (the one plural, the one phrase in
  lower case among names, the one pair among single names).
- ``disputed``: a disputed value in play (a disputed fact asked as settled, another
  source's value among the options, a true/false on a disputed fact, an event with a
  disputed date in a timeline question).
- ``true-elsewhere``: an option that is the right answer of the same question asked by
  another fact, or a "false" statement that is another fact's true statement.
- ``span``: an event spanning years in a timeline question beside an event inside its
  span, or two events whose known dates cannot be told apart.
- ``wording``: a date with the wrong preposition ("in 10 January 2003", "on July 2000"),
  "the two countries" with no countries named, a source named by its full catalogue
  title in a sentence.
- ``ambiguous``: a matching question whose key is not the only way to match: two values
  equal or overlapping, an item listed twice, an item another fact dates otherwise, a key
  that does not use each value once or pairs an item with a value its fact does not give,
  pairs from two dossiers.

A matching question is also checked for ``disputed`` (a disputed fact, or an event whose
date a source disputes), ``span`` (an event spanning years) and ``echo`` (an item that
names one of the question's values).

:func:`lint_topic` builds every askable question of a topic (every fact, each form, over
several seeds, and whole quizzes over many seeds) and lints them all.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch

from content.answers import class_of, fact_class, fact_era, parse_partial_date
from content.models import Citation, Fact, Tag, TimelineEvent, Topic, normalise, numeric_value
from quiz.generation import matching
from quiz.generation.bank import candidate_pools, pool_key
from quiz.generation.distractors import TIMELESS_KINDS, ValueSet, in_era
from quiz.generation.questions import (
    FORM,
    STEM_NUMBER,
    TRUE_FALSE_OPTIONS,
    NotAskable,
    multiple_choice,
    true_false,
)
from quiz.generation.types import GeneratedQuestion

DEFECTS = (
    "wrong-class",
    "outside-era",
    "echo",
    "grammar",
    "disputed",
    "true-elsewhere",
    "span",
    "wording",
    "ambiguous",
)

#: Seeds per fact and form, and whole quizzes per topic, that the audit builds.
FACT_SEEDS = 6
QUIZ_SEEDS = 40
QUIZ_LENGTH = 10

#: Words too common to give an answer away (kind words included: "Which treaty ..." tells nothing).
_STOPWORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "into",
        "which",
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "its",
        "his",
        "her",
        "their",
        "this",
        "that",
        "these",
        "those",
        "as",
        "after",
        "before",
        "during",
        "under",
        "over",
        "between",
        "how",
        "many",
        "much",
        "long",
        "treaty",
        "agreement",
        "organisation",
        "event",
    }
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_BAD_PREPOSITIONS = (
    re.compile(rf"\b[Ii]n \d{{1,2}} (?:{_MONTHS}) \d{{3,4}}"),
    re.compile(rf"\b[Oo]n (?:{_MONTHS}) \d{{3,4}}"),
    re.compile(r"\b[Oo]n \d{3,4}\b(?! (?:km|miles|people|deaths))"),
)
_ONE_PLURAL = re.compile(r"(?<![\d,.])\b1 (?:countries|miles|people|deaths|years|kilometres|days)\b")
_TWO_COUNTRIES = re.compile(r"\b(?:the|both) two countries\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One defect of one question."""

    defect: str
    stem: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.defect}] {self.stem} — {self.detail}"


@dataclass
class LintContext:
    """What the linter knows of the bank: facts, who answers what, the timeline, the sources."""

    facts: dict[int, Fact] = field(default_factory=dict)
    #: normalised answer or alias -> the facts (of any topic) that have it.
    by_value: dict[str, list[Fact]] = field(default_factory=dict)
    #: normalised question text -> the facts that ask it.
    by_question: dict[str, list[Fact]] = field(default_factory=dict)
    #: normalised statements of every fact.
    statements: set[str] = field(default_factory=set)
    #: (topic id, event title) -> the event, with its facts.
    events: dict[tuple[int, str], TimelineEvent] = field(default_factory=dict)
    #: sources' catalogue titles that differ from how a sentence names them.
    source_titles: set[str] = field(default_factory=set)
    #: event id -> the facts tied to it.
    by_event: dict[int, list[Fact]] = field(default_factory=dict)

    @classmethod
    def for_topics(cls, topics: Iterable[Topic | int] | None = None) -> LintContext:
        """Every fact and event of the given topics (all when None); answers of every topic."""
        context = cls()
        every = Fact.objects.select_related("topic", "section__topic", "event").prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
            Prefetch("tags", queryset=Tag.objects.order_by("slug")),
        )
        for fact in every.order_by("pk"):
            context.add_fact(fact)
        events = TimelineEvent.objects.prefetch_related("facts")
        if topics is not None:
            ids = [t if isinstance(t, int) else t.pk for t in topics]
            events = events.filter(topic_id__in=ids)
        for event in events:
            context.events[(event.topic_id, event.title)] = event
        return context

    def add_fact(self, fact: Fact) -> None:
        self.facts[fact.pk] = fact
        for value in (fact.answer, *(fact.aliases or [])):
            self.by_value.setdefault(normalise(value), []).append(fact)
        question = fact.question_text()
        if question:
            self.by_question.setdefault(normalise(question), []).append(fact)
        self.statements.add(normalise(fact.statement))
        if fact.event_id is not None:
            self.by_event.setdefault(fact.event_id, []).append(fact)
        for citation in fact.citations.all():
            if citation.source.title != citation.source.citation_name:
                self.source_titles.add(citation.source.title)


def _bare(option: str, unit: str) -> str:
    return option.removesuffix(f" {unit}").strip() if unit else option


def _words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", normalise(text)) if w not in _STOPWORDS and len(w) > 2}


def _plural(text: str) -> bool:
    """Ends on a common noun in the plural ("Ussuri and Amur rivers", "floods and droughts");
    a capitalised name ("United Nations", "Paektu Mountains") is read as one thing."""
    words = re.findall(r"[A-Za-z]+", text)
    last = words[-1] if words else ""
    return last.islower() and last.endswith("s") and not last.endswith(("ss", "us"))


def _initial(text: str) -> str:
    return re.sub(r"^(?:the|a|an) ", "", text)[:1]


def lint_question(question: GeneratedQuestion, context: LintContext) -> list[Finding]:
    """Every defect of ``question`` (see the module docstring); [] for a sound one."""
    findings = _wording(question, context)
    if question.form in (FORM.FIRST, FORM.ORDER, FORM.NOT_BEFORE):
        return findings + _timeline(question, context)
    if question.form == FORM.MATCH:
        return findings + _matching(question, context)
    if question.question_id is not None or not question.fact_ids:
        return findings
    fact = context.facts.get(question.fact_ids[0])
    if fact is None:
        return findings
    if question.form == FORM.TRUE_FALSE:
        return findings + _true_false(question, fact, context)
    if question.form == FORM.RECALL:
        if fact.disputed:
            findings.append(_finding(question, "disputed", "a disputed fact asked by typed recall"))
        return findings
    return findings + _choice(question, fact, context)


def _finding(question: GeneratedQuestion, defect: str, detail: str) -> Finding:
    return Finding(defect, question.stem, detail)


def _wording(question: GeneratedQuestion, context: LintContext) -> list[Finding]:
    found = []
    for text in (question.stem, *question.options):
        for pattern in _BAD_PREPOSITIONS:
            if match := pattern.search(text):
                found.append(_finding(question, "wording", f"wrong preposition for the date: {match[0]!r}"))
        if _ONE_PLURAL.search(text):
            found.append(_finding(question, "wording", f"a plural unit after 1: {text!r}"))
        if _TWO_COUNTRIES.search(text):
            found.append(_finding(question, "wording", f"'the two countries' without naming them: {text!r}"))
    for title in context.source_titles:
        if question.stem.startswith(f"According to {title}"):
            found.append(
                _finding(question, "wording", f"the source is named by its catalogue title: {title!r}")
            )
    return found


def _option_year(kind: str, text: str) -> int | None:
    parsed = parse_partial_date(text) if kind in (Fact.Kind.YEAR, Fact.Kind.DATE) else None
    return parsed.year if parsed else None


def _choice(question: GeneratedQuestion, fact: Fact, context: LintContext) -> list[Finding]:
    found: list[Finding] = []
    assert isinstance(question.answer, int)
    right = _bare(question.options[question.answer], fact.unit)
    wanted = fact_class(fact)
    era = fact_era(fact)
    written = {normalise(d) for d in fact.distractors or []}
    scoped = question.stem.startswith("According to ")
    if fact.disputed and not scoped:
        found.append(_finding(question, "disputed", "a disputed fact asked as settled"))
    cited = ValueSet(fact.kind)
    cited.add(*(c.value or fact.answer for c in fact.citations.all()), fact.answer, *(fact.aliases or []))
    distractors = [o for i, o in enumerate(question.options) if i != question.answer]
    for option in distractors:
        value = _bare(option, fact.unit)
        if cited.contains(value):
            found.append(
                _finding(question, "disputed", f"{option!r} is a value a source gives for this fact")
            )
        found += _option_class(question, fact, value, option, wanted, written, context)
        year = _option_year(fact.kind, value)
        if year is not None and era is not None and not in_era(era, year):
            found.append(_finding(question, "outside-era", f"{option!r} lies outside {era[0]}–{era[1]}"))
        elif fact.kind not in TIMELESS_KINDS and normalise(value) not in written:
            others = [f for f in context.by_value.get(normalise(value), []) if f.kind == fact.kind]
            if era and others and all(f.year is not None and not in_era(era, f.year) for f in others):
                found.append(
                    _finding(question, "outside-era", f"{option!r} belongs to another era than {era}")
                )
        question_text = normalise(fact.question_text() or "")
        for other in context.by_question.get(question_text, []):
            if other.pk != fact.pk and normalise(value) in other.names():
                found.append(_finding(question, "true-elsewhere", f"{option!r} answers the same question"))
    # The source named in "According to <source>, ..." is no clue: only the question proper.
    asked = question.stem.split(", ", 1)[1] if scoped and ", " in question.stem else question.stem
    if fact.kind in Fact.NUMERIC_KINDS:
        named = {numeric_value(n) for n in STEM_NUMBER.findall(asked)} - {None}
        for option in distractors:
            if numeric_value(_bare(option, fact.unit)) in named:
                found.append(
                    _finding(question, "echo", f"the stem names {option!r}, so it cannot be the answer")
                )
    echoed = _words(right) & _words(asked)
    for word in sorted(echoed):
        if not any(word in _words(_bare(o, fact.unit)) for o in distractors):
            found.append(
                _finding(question, "echo", f"the stem names {word!r}, a part of the answer {right!r}")
            )
            break
    found += _grammar(question, right, [_bare(o, fact.unit) for o in distractors])
    return found


def _option_class(
    question: GeneratedQuestion,
    fact: Fact,
    value: str,
    option: str,
    wanted: str,
    written: set[str],
    context: LintContext,
) -> list[Finding]:
    if fact.kind == Fact.Kind.YEAR:
        number = numeric_value(value)
        ok = number is not None and number == int(number)
    elif fact.kind == Fact.Kind.DATE:
        ok = class_of(fact.kind, value) == wanted
    elif fact.kind == Fact.Kind.NUMBER:
        ok = numeric_value(value) is not None and (not fact.unit or option.endswith(f" {fact.unit}"))
    elif normalise(value) in written:
        ok = True
    else:
        others = context.by_value.get(normalise(value), [])
        ok = not others or any(fact_class(f) == wanted for f in others)
    if ok:
        return []
    return [_finding(question, "wrong-class", f"{option!r} is not a {wanted}")]


def _grammar(question: GeneratedQuestion, right: str, distractors: Sequence[str]) -> list[Finding]:
    if not distractors:
        return []
    tells = []
    if all(_plural(d) != _plural(right) for d in distractors):
        tells.append("the only plural" if _plural(right) else "the only singular")
    if all(_initial(d).islower() != _initial(right).islower() for d in distractors):
        tells.append(
            "the only one in lower case" if _initial(right).islower() else "the only capitalised one"
        )
    longest = max(len(d.split()) for d in distractors)
    if len(right.split()) >= 2 * longest + 2:
        tells.append("far longer than every other option")
    return [_finding(question, "grammar", f"{right!r} is {tell}") for tell in tells]


def _true_false(question: GeneratedQuestion, fact: Fact, context: LintContext) -> list[Finding]:
    found = []
    if question.options != TRUE_FALSE_OPTIONS:
        found.append(_finding(question, "wording", "true/false options are not True and False"))
    if fact.disputed:
        found.append(_finding(question, "disputed", "a disputed fact asked as true or false"))
    statement = question.stem.removeprefix("True or false: ")
    if question.answer == 1:
        if normalise(statement) in context.statements:
            found.append(
                _finding(question, "true-elsewhere", "the 'false' statement is another fact's true one")
            )
        cited = ValueSet(fact.kind)
        cited.add(*(c.value or fact.answer for c in fact.citations.all()))
        if any(cited.contains(v) for v in _swapped_values(fact, statement)):
            found.append(_finding(question, "disputed", "the 'false' statement gives a value a source gives"))
        for value in _swapped_values(fact, statement):
            year = _option_year(fact.kind, value)
            era = fact_era(fact)
            if year is not None and not in_era(era, year):
                found.append(_finding(question, "outside-era", f"{value!r} lies outside the fact's era"))
            if fact.kind == Fact.Kind.DATE and class_of(fact.kind, value) != fact_class(fact):
                found.append(_finding(question, "wrong-class", f"{value!r} is not a {fact_class(fact)}"))
        if not any(question.notes):
            found.append(
                _finding(question, "wording", "the false statement has no note saying what is wrong")
            )
    return found


def _swapped_values(fact: Fact, statement: str) -> list[str]:
    """What stands where the answer stood in the fact's statement.

    Only a date's preposition may differ around it ("in" for "on"), and both are two letters.
    """
    before, _, after = fact.statement.strip().partition(fact.answer)
    if not statement.endswith(after) or len(statement) < len(before) + len(after):
        return []
    return [statement[len(before) : len(statement) - len(after)]]


def _timeline(question: GeneratedQuestion, context: LintContext) -> list[Finding]:
    found = []
    topic_ids = {f.topic_id for pk in question.fact_ids if (f := context.facts.get(pk))}
    events = []
    for title in question.options:
        matches = [e for (topic_id, t), e in context.events.items() if t == title]
        if topic_ids:
            matches = [e for e in matches if e.topic_id in topic_ids] or matches
        if matches:
            events.append(matches[0])
    for event in events:
        disputed = [
            f
            for f in event.facts.all()
            if f.disputed and (f.kind in (Fact.Kind.YEAR, Fact.Kind.DATE) or f.answer_class == "period")
        ]
        if disputed:
            found.append(_finding(question, "disputed", f"{event.title!r} has a date the sources dispute"))
    if question.form == FORM.NOT_BEFORE and len(events) == len(question.options):
        year = int(re.findall(r"\d{3,4}", question.stem)[-1])
        assert isinstance(question.answer, int)
        for index, event in enumerate(events):
            before = (event.end_year or event.year) < year
            if before == (index == question.answer) or (index == question.answer and event.year < year):
                found.append(
                    _finding(question, "span", f"{event.title!r} does not sit clearly on its side of {year}")
                )
    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            if a.is_period or b.is_period:
                if not ((a.end_year or a.year) < b.year or (b.end_year or b.year) < a.year):
                    found.append(_finding(question, "span", f"{a.title!r} and {b.title!r} overlap"))
            elif a.sort_key == b.sort_key or (a.year == b.year and not (a.month and b.month)):
                found.append(_finding(question, "span", f"{a.title!r} and {b.title!r} cannot be told apart"))
    return found


def _matching(question: GeneratedQuestion, context: LintContext) -> list[Finding]:
    found = []
    lefts, values = matching.split(question.options)
    n, key = len(lefts), question.answer
    if len(values) != n or not isinstance(key, list) or sorted(key) != list(range(n, 2 * n)):
        return [_finding(question, "ambiguous", "the key does not pair each item with a different value")]
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            if matching.clash(a, b):
                found.append(_finding(question, "ambiguous", f"{a!r} and {b!r} cannot be told apart"))
    for i, a in enumerate(lefts):
        if any(normalise(a) == normalise(b) for b in lefts[i + 1 :]):
            found.append(_finding(question, "ambiguous", f"{a!r} is listed twice"))
        if matching.names_a_year(a, values):
            found.append(_finding(question, "echo", f"{a!r} names a value of the question"))
    facts = [context.facts.get(pk) for pk in question.fact_ids]
    if len(facts) != n or any(f is None for f in facts):
        return [*found, _finding(question, "ambiguous", "each item needs the fact that pairs it")]
    if len({f.topic_id for f in facts if f}) > 1:
        found.append(_finding(question, "ambiguous", "the pairs come from more than one dossier"))
    for left, fact, index in zip(lefts, facts, key, strict=True):
        assert fact is not None
        value = question.options[index]
        if fact.disputed:
            found.append(_finding(question, "disputed", f"{left!r} is paired by a disputed fact"))
        if normalise(value) not in fact.names():
            found.append(
                _finding(
                    question,
                    "ambiguous",
                    f"{left!r} is paired with {value!r}: its fact gives {fact.answer!r}",
                )
            )
        for other in context.by_event.get(fact.event_id or 0, []):
            dates = other.kind in (Fact.Kind.YEAR, Fact.Kind.DATE) or other.answer_class == "period"
            if dates and other.disputed:
                found.append(_finding(question, "disputed", f"{left!r} has a date the sources dispute"))
            elif other.kind == Fact.Kind.YEAR and normalise(other.answer) != normalise(fact.answer):
                found.append(
                    _finding(question, "ambiguous", f"another fact dates {left!r} to {other.answer}")
                )
        event = fact.event
        if event is not None and event.is_period:
            found.append(_finding(question, "span", f"{left!r} spans {event.date_label}: it has no one year"))
    return found


def lint_questions(questions: Iterable[GeneratedQuestion], context: LintContext) -> list[Finding]:
    """Every finding over ``questions``, each (defect, stem, detail) once."""
    return list(dict.fromkeys(f for q in questions for f in lint_question(q, context)))


def askable_questions(topic: Topic, context: LintContext) -> list[GeneratedQuestion]:
    """Every question the engine can ask on ``topic``: each fact's multiple choice and
    true/false and a matching question over ``FACT_SEEDS`` seeds, and ``QUIZ_SEEDS`` whole quizzes."""
    from quiz.generation.assemble import generate_questions

    facts = [f for f in context.facts.values() if f.topic_id == topic.pk]
    tag_ids = sorted({t.pk for f in facts for t in f.tags.all()})
    questions: list[GeneratedQuestion] = []
    for seed in range(FACT_SEEDS):
        rng = random.Random(seed)
        pools = candidate_pools({pool_key(f) for f in facts}, tag_ids, rng)
        for fact in facts:
            pool = pools.get(pool_key(fact), [])
            for build in (multiple_choice, true_false):
                try:
                    questions.append(build(fact, pool, rng))
                except NotAskable:
                    continue
        stem, pairs = matching.pick_pairs(matching.candidate_pairs(topic.pk), rng)
        if pairs:
            questions.append(matching.matching_question(stem, pairs, rng))
    for seed in range(QUIZ_SEEDS):
        questions += generate_questions(topic, count=QUIZ_LENGTH, seed=seed)
    return questions


def lint_topic(topic: Topic, context: LintContext | None = None) -> list[Finding]:
    """Every defect found in every question the engine can ask on ``topic``."""
    context = context or LintContext.for_topics([topic])
    return lint_questions(askable_questions(topic, context), context)
