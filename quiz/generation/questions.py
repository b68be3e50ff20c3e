"""Building one question: from a fact, from dated events, or from a teacher's question."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from content.models import Citation, Fact, TimelineEvent, distinct_values, normalise, numeric_value
from quiz.generation.bank import Candidate
from quiz.generation.distractors import (
    DISTRACTORS,
    ValueSet,
    choose_distractors,
    parse_date,
    rank_siblings,
    with_unit,
)
from quiz.generation.types import GeneratedQuestion
from quiz.models import Item, Question

FORM = Item.Form

_QUESTION_WORDS = {"in", "on", "how", "who", "whom", "whose", "where", "which", "what", "when", "why"}
TRUE_FALSE_OPTIONS = ["True", "False"]


class NotAskable(Exception):
    """A fact (or form) that cannot be asked; the message says why (audit reports it)."""


def fact_stem(fact: Fact) -> str:
    """The question for a fact (:meth:`Fact.question_text`), or :class:`NotAskable`."""
    stem = fact.question_text()
    if stem is None:
        raise NotAskable(f"kind {fact.kind!r} needs a written stem")
    return stem


def according_to(title: str, stem: str) -> str:
    """ "According to <title>, in which year ...?": lower-case only a leading question word."""
    first = stem.split(" ", 1)[0]
    if first.lower() in _QUESTION_WORDS:
        stem = stem[0].lower() + stem[1:]
    return f"According to {title}, {stem}"


def source_titles(citations: Sequence[Citation]) -> list[str]:
    return list(dict.fromkeys(c.source.title for c in citations))


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


_MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY_DATE = rf"\d{{1,2}} (?:{_MONTH_NAMES}) \d{{3,4}}"
_MONTH_DATE = rf"(?:{_MONTH_NAMES}) \d{{3,4}}"


def fix_prepositions(text: str) -> str:
    """Dates read as English does: "on 10 January 2003", "in July 2000", "in 2000"."""
    text = re.sub(rf"\b[Ii]n ({_DAY_DATE})", lambda m: ("On " if m[0][0] == "I" else "on ") + m[1], text)
    text = re.sub(rf"\b[Oo]n ({_MONTH_DATE})\b", lambda m: ("In " if m[0][0] == "O" else "in ") + m[1], text)
    return re.sub(r"\b[Oo]n (\d{3,4})\b", lambda m: ("In " if m[0][0] == "O" else "in ") + m[1], text)


def cite_line(titles: Sequence[str]) -> str:
    if not titles:
        return ""
    label = "Source" if len(titles) == 1 else "Sources"
    return f"{label}: {'; '.join(titles)}."


def _passage(fact_or_event: Fact | TimelineEvent) -> tuple[str, str, str]:
    section = fact_or_event.section
    if section is None:
        return "", "", ""
    return section.get_absolute_url(), section.heading, section.slug


def fact_values(fact: Fact) -> list[str]:
    """Every value any source gives for the fact, with its answer and aliases."""
    cited = [c.value for c in fact.citations.all() if c.value]
    return [fact.answer, *(fact.aliases or []), *cited]


#: The numbers a stem names (years, quantities), as :func:`multiple_choice` keeps them out.
STEM_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def forbidden_values(fact: Fact) -> ValueSet:
    values = ValueSet(fact.kind)
    values.add(*fact_values(fact))
    return values


@dataclass(frozen=True)
class Scope:
    """Whose word the right answer is: all sources (settled), or one (disputed)."""

    answer: str
    source_title: str  # "" when settled
    explanation: str


def scopes(fact: Fact) -> list[Scope]:
    """How the fact can be asked: as settled, or once per source giving a single value."""
    citations = list(fact.citations.all())
    titles = source_titles(citations)
    if not fact.disputed:
        why = fact.explanation.strip() or fact.statement.strip()
        return [Scope(fact.answer, "", " ".join(part for part in (why, cite_line(titles)) if part))]
    by_source: dict[int, list[Citation]] = {}
    for citation in citations:
        by_source.setdefault(citation.source_id, []).append(citation)
    out = []
    for source_citations in by_source.values():
        values = distinct_values(c.value or fact.answer for c in source_citations)
        if len(values) != 1:
            continue  # a source that contradicts itself cannot vouch for one answer
        title = source_citations[0].source.citation_name
        given: dict[str, list[str]] = {}
        for c in citations:
            if c.source_id != source_citations[0].source_id:
                given.setdefault(c.source.citation_name, []).append(c.value or fact.answer)
        others = [
            f"{sentence_case(name)} gives {' and '.join(distinct_values(values))}"
            for name, values in given.items()
        ]
        parts = [
            f"According to {title}, the answer is {with_unit(values[0], fact.unit)}.",
            "The sources disagree:",
            (fact.dispute_note.strip().rstrip(".") + ".") if fact.dispute_note.strip() else "",
            ("; ".join(dict.fromkeys(others)) + ".") if others else "",
        ]
        out.append(Scope(values[0], title, " ".join(p for p in parts if p)))
    return out


def _arrange(
    rng: random.Random, shuffle: bool, kind: str, options: list[tuple[str, str]]
) -> tuple[list[str], list[str], int]:
    """Options in play order (the first is the right one on entry); returns options, notes, answer."""
    indexed = list(enumerate(options))
    if shuffle:
        rng.shuffle(indexed)
    elif kind in Fact.NUMERIC_KINDS:
        indexed.sort(key=lambda pair: (numeric_value(pair[1][0].split(" ")[0]) or 0, pair[1][0]))
    elif kind == Fact.Kind.DATE:
        indexed.sort(key=lambda pair: (str(parse_date(pair[1][0]) or ""), normalise(pair[1][0])))
    else:
        indexed.sort(key=lambda pair: normalise(pair[1][0]))
    answer = next(i for i, (orig, _) in enumerate(indexed) if orig == 0)
    return [text for _, (text, _) in indexed], [note for _, (_, note) in indexed], answer


def _common(fact: Fact) -> dict:
    url, title, slug = _passage(fact)
    return {
        "fact_ids": [fact.pk],
        "question_id": None,
        "passage_url": url,
        "passage_title": title,
        "section_slug": slug,
        "sources": source_titles(list(fact.citations.all())),
        "tags": [t.slug for t in fact.tags.all()],
    }


def multiple_choice(
    fact: Fact, pool: Sequence[Candidate], rng: random.Random, *, shuffle: bool = True
) -> GeneratedQuestion:
    """A four-option question on the fact, or :class:`NotAskable` saying why not."""
    stem = fact_stem(fact)
    if fact.kind in Fact.NUMERIC_KINDS and numeric_value(fact.answer) is None:
        raise NotAskable(f"a {fact.kind} answer must be a number, not {fact.answer!r}")
    options_for = scopes(fact)
    if not options_for:
        raise NotAskable("disputed, and no source gives a single value to ask 'According to ...'")
    scope = options_for[rng.randrange(len(options_for))]
    forbidden = forbidden_values(fact)
    if fact.kind in Fact.NUMERIC_KINDS:
        # A number the stem itself names is no option: "… the project they completed in
        # 2008?" cannot offer 2008 as the year it began.
        forbidden.add(*STEM_NUMBER.findall(stem))
    tag_ids = frozenset(t.pk for t in fact.tags.all())
    distractors = choose_distractors(fact, scope.answer, forbidden, rank_siblings(fact, tag_ids, pool), rng)
    if len(distractors) < DISTRACTORS:
        raise NotAskable(too_few_distractors(fact, len(distractors)))
    if scope.source_title:
        stem = according_to(scope.source_title, stem)
        right_note = f"{with_unit(scope.answer, fact.unit)}: what {scope.source_title} gives."
    else:
        right_note = fact.statement
    entries = [(with_unit(scope.answer, fact.unit), right_note), *((d.text, d.note) for d in distractors)]
    if fact.kind == Fact.Kind.TEXT:
        entries = same_case(entries)
    options, notes, answer = _arrange(rng, shuffle, fact.kind, entries)
    return GeneratedQuestion(
        form=FORM.MULTIPLE_CHOICE,
        stem=stem,
        options=options,
        answer=answer,
        explanation=scope.explanation,
        notes=notes,
        **_common(fact),
    )


def same_case(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Phrases that mix "relations grew closer" with "North Korea broke off ...": every one
    capitalised, so the case of its first letter tells nothing."""
    initials = {re.sub(r"^(?:the|a|an) ", "", text)[:1].islower() for text, _ in entries}
    if len(initials) < 2:
        return entries
    return [(sentence_case(text), note) for text, note in entries]


#: Kinds asked by typed recall: names and numbers one can type (not phrases, not dates).
RECALL_KINDS = (
    frozenset({Fact.Kind.PERSON, Fact.Kind.PLACE, Fact.Kind.ORGANISATION, Fact.Kind.TREATY, Fact.Kind.EVENT})
    | Fact.NUMERIC_KINDS
)
#: Longer answers are asked as multiple choice: nobody types a treaty's full title.
RECALL_MAX_LENGTH = 30
#: Two things named in one answer ("Ussuri and Amur rivers", "floods & droughts").
TWO_PART = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)


def recall_spellings(fact: Fact) -> list[str]:
    """The spellings a typed answer to ``fact`` is checked against; the first is shown as
    the answer (a regrade after a correction recomputes them, :mod:`quiz.reports.regrade`)."""
    return distinct_values([with_unit(fact.answer, fact.unit), fact.answer, *(fact.aliases or [])])


def recall(fact: Fact, pool: Sequence[Candidate]) -> GeneratedQuestion:
    """ "Type the answer": the options are the spellings that count (never shown before
    answering); :func:`quiz.generation.checking.accepts` judges what is typed."""
    from quiz.generation.checking import RECALL_MIN_GAP, distance

    if fact.disputed or fact.kind not in RECALL_KINDS or len(fact.answer) > RECALL_MAX_LENGTH:
        raise NotAskable("not asked by typed recall")
    if TWO_PART.search(fact.answer):
        # "Ussuri and Amur rivers": two names in an order and a wording the player must guess.
        raise NotAskable("a two-part answer is not asked by typed recall")
    mine = normalise(fact.answer)
    # Numbers are typed exactly; a name within a slip or two of another answer is not asked.
    for other in [] if fact.kind in Fact.NUMERIC_KINDS else pool:
        if other.fact_id != fact.pk and 0 < distance(mine, normalise(other.answer)) < RECALL_MIN_GAP:
            raise NotAskable(f"{other.answer!r} is too close to the answer for typed recall")
    stem = fact_stem(fact)  # a number's stem names its unit ("in kilometres", "How many countries")
    spellings = recall_spellings(fact)
    return GeneratedQuestion(
        form=FORM.RECALL,
        stem=stem,
        options=spellings,
        answer=0,
        explanation=scopes(fact)[0].explanation,
        notes=[fact.statement.strip()] + [""] * (len(spellings) - 1),
        **_common(fact),
    )


def too_few_distractors(fact: Fact, found: int, scoped: str = "") -> str:
    """Why a fact has no multiple-choice question: what it lacks, said so an author can act on it.

    A text fact's count is the same whichever source it is asked after (every cited value is
    kept out), so its message names no source.
    """
    if fact.kind == Fact.Kind.TEXT:
        return f"kind text needs at least {DISTRACTORS} author-written distractors: it has {found} usable"
    return f"too few siblings of kind {fact.kind}{scoped}: {found} usable distractor(s), needs {DISTRACTORS}"


def _answer_pattern(answer: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(answer)}(?![\w])")


TRUE_FALSE_PREFIX = "True or false: "


def states(statement: str, answer: str) -> bool:
    """Whether ``statement`` gives ``answer`` (whole, not inside a longer word or number)."""
    return bool(answer) and bool(_answer_pattern(answer).search(statement))


def true_false(fact: Fact, pool: Sequence[Candidate], rng: random.Random) -> GeneratedQuestion:
    """ "True or false: <statement>", or its false variant with a sibling's value swapped in.

    Never for a disputed fact (it would be asked as settled). The false variant's value is
    a sibling fact's answer of the same kind that no source gives for this fact.
    """
    if fact.disputed:
        raise NotAskable("disputed: no true/false question")
    if fact.kind == Fact.Kind.TEXT:
        # Short-text answers are phrases of any shape: swapping one into another's
        # statement rarely makes a sentence, so text facts are asked as multiple choice only.
        raise NotAskable("kind text: no true/false question")
    pattern = _answer_pattern(fact.answer)
    if not fact.answer or not pattern.search(fact.statement):
        raise NotAskable("statement does not contain the answer verbatim: no true/false question")
    tag_ids = frozenset(t.pk for t in fact.tags.all())
    explanation = scopes(fact)[0].explanation
    statement = fact.statement.strip()
    if rng.random() < 0.5:
        stem = f"{TRUE_FALSE_PREFIX}{statement}"
        notes = ["", f"The statement is true as written: {statement}"]
        answer = 0
    else:
        wrong = choose_distractors(
            fact, fact.answer, forbidden_values(fact), rank_siblings(fact, tag_ids, pool), rng, 1
        )
        if not wrong:
            raise NotAskable(f"no sibling of kind {fact.kind} to make the false variant")
        false_statement = fix_prepositions(pattern.sub(lambda _: wrong[0].value, statement))
        stem = f"{TRUE_FALSE_PREFIX}{false_statement}"
        swapped = f"not {wrong[0].text} but {with_unit(fact.answer, fact.unit)}: {statement}"
        elsewhere = f" ({wrong[0].note})" if wrong[0].note and wrong[0].note != statement else ""
        notes = [f"The statement is false. The right value is {swapped}{elsewhere}", ""]
        answer = 1
    return GeneratedQuestion(
        form=FORM.TRUE_FALSE,
        stem=stem,
        options=list(TRUE_FALSE_OPTIONS),
        answer=answer,
        explanation=explanation,
        notes=notes,
        **_common(fact),
    )


def comparable(a: TimelineEvent, b: TimelineEvent) -> bool:
    """Whether the dates tell for certain which came first, at the precision both know.

    A period (an event with an end year) is comparable only with events wholly before or
    after it: "Japan occupies Korea (1910–1945)" has no place in an order beside 1919.
    """
    if a.is_period or b.is_period:
        a_end, b_end = a.end_year or a.year, b.end_year or b.year
        return a_end < b.year or b_end < a.year
    if a.year != b.year:
        return True
    if not (a.month and b.month) or (a.month == b.month and not (a.day and b.day)):
        return False
    return (a.month, a.day) != (b.month, b.day)


def pick_events(events: Sequence[TimelineEvent], rng: random.Random, n: int = 4) -> list[TimelineEvent]:
    """``n`` events any two of which can be told apart by date; [] if there are not enough."""
    shuffled = list(events)
    rng.shuffle(shuffled)
    picked: list[TimelineEvent] = []
    for event in shuffled:
        if all(comparable(event, other) for other in picked):
            picked.append(event)
            if len(picked) == n:
                return picked
    return []


def timeline_order(
    events: Sequence[TimelineEvent], rng: random.Random, *, shuffle: bool = True
) -> list[TimelineEvent]:
    """The events in the order a timeline question shows them: shuffled, or by title.

    The only draw a timeline question makes on ``rng``; apart from :func:`timeline_question`
    so the events can be picked and ordered before their citations and tags are read.
    """
    shown = list(events)
    if shuffle:
        rng.shuffle(shown)
    else:
        shown.sort(key=lambda e: normalise(e.title))
    return shown


def timeline(
    events: Sequence[TimelineEvent], form: str, rng: random.Random, *, shuffle: bool = True
) -> GeneratedQuestion:
    """ "Which of these happened first?" or "Put these events in order, earliest first"."""
    return timeline_question(timeline_order(events, rng, shuffle=shuffle), form)


def not_before_year(events: Sequence[TimelineEvent], rng: random.Random) -> int | None:
    """A year Y such that every event but the latest ended before Y and the latest began in
    or after it: "Which of these did NOT happen before Y?" has one answer. None if the
    latest shares its year with the end of another."""
    chronological = sorted(events, key=lambda e: (e.sort_key, e.pk))
    last_end = max((e.end_year or e.year) for e in chronological[:-1])
    latest = chronological[-1].year
    if last_end >= latest:
        return None
    return rng.randint(last_end + 1, latest)


def timeline_question(
    shown: Sequence[TimelineEvent], form: str, year: int | None = None
) -> GeneratedQuestion:
    """A timeline question on events already in their shown order (see :func:`timeline_order`).

    ``year`` is the boundary of a "did NOT happen before" question (:func:`not_before_year`).
    """
    shown = list(shown)
    chronological = sorted(shown, key=lambda e: (e.sort_key, e.pk))
    options = [e.title for e in shown]
    notes = [f"{e.date_label}: {e.summary}".strip() for e in shown]
    order = [shown.index(e) for e in chronological]
    answer: int | list[int]
    if form == FORM.FIRST:
        stem, answer = "Which of these happened first?", order[0]
    elif form == FORM.NOT_BEFORE:
        stem, answer = f"Which of these did NOT happen before {year}?", order[-1]
    else:
        stem, answer = "Put these events in order, earliest first.", order
    citations = [c for e in chronological for c in e.citations.all()]
    titles = source_titles(citations)
    listing = "; ".join(f"{e.title} ({e.date_label})" for e in chronological)
    explanation = f"In date order: {listing}. {cite_line(titles)}".strip()
    passage_event = next((e for e in chronological if e.section_id), None)
    url, title, slug = _passage(passage_event) if passage_event else ("", "", "")
    return GeneratedQuestion(
        form=form,
        stem=stem,
        options=options,
        answer=answer,
        explanation=explanation,
        notes=notes,
        fact_ids=sorted({f.pk for e in chronological for f in e.facts.all()}),
        question_id=None,
        passage_url=url,
        passage_title=title,
        section_slug=slug,
        sources=titles,
        tags=sorted({t.slug for e in chronological for t in e.tags.all()}),
    )


def question_from_written(
    question: Question, rng: random.Random, *, shuffle: bool = True
) -> GeneratedQuestion:
    """A teacher's question with its choices; :class:`NotAskable` unless exactly one is correct."""
    choices = sorted(question.choices.all(), key=lambda c: (c.order, c.pk))
    if len(choices) < 2 or sum(c.is_correct for c in choices) != 1:
        raise NotAskable("a written question needs two or more choices, exactly one of them correct")
    if shuffle:
        rng.shuffle(choices)
    facts = list(question.facts.all())
    citations = [c for f in facts for c in f.citations.all()]
    titles = source_titles(citations)
    section = question.section
    explanation = " ".join(p for p in (question.explanation.strip(), cite_line(titles)) if p)
    return GeneratedQuestion(
        form=FORM.MULTIPLE_CHOICE,
        stem=question.stem,
        options=[c.text for c in choices],
        answer=next(i for i, c in enumerate(choices) if c.is_correct),
        explanation=explanation,
        notes=[c.note for c in choices],
        fact_ids=[f.pk for f in facts],
        question_id=question.pk,
        question_version=question.version,
        passage_url=section.get_absolute_url() if section else "",
        passage_title=section.heading if section else "",
        section_slug=section.slug if section else "",
        sources=titles,
        tags=[t.slug for t in question.tags.all()],
    )
