"""Which facts cannot produce a valid question, and why.

The audit reads a topic's facts in full (it is a maintenance task, not a page), with
their citations and tags prefetched, and checks each with the same functions the quiz
uses, against every settled fact of the same kind in the topic.
"""

from __future__ import annotations

import random

from django.db.models import Prefetch

from content.models import Citation, Fact, Tag, Topic
from quiz.generation.bank import _CANDIDATE_FIELDS, _candidates
from quiz.generation.distractors import DISTRACTORS, choose_distractors
from quiz.generation.questions import (
    NotAskable,
    _answer_pattern,
    fact_stem,
    forbidden_values,
    scopes,
    too_few_distractors,
)
from quiz.generation.types import FactProblem

#: Why a disputed fact is withheld: not a fault of the dossier (every value is shown on its
#: page), so the strict audit does not fail on it.
WITHHELD = "disputed without a source-scoped stem possible: no source gives a single value"

#: Fixed, so the audit is repeatable; near values for years and numbers do not depend on it much.
AUDIT_SEED = 0


def audit_fact(fact: Fact, siblings: list) -> list[str]:
    """The reasons ``fact`` (or one of its forms) cannot be asked; [] when it is fine."""
    reasons: list[str] = []
    try:
        fact_stem(fact)
    except NotAskable as exc:
        reasons.append(str(exc))
    if fact.kind in Fact.NUMERIC_KINDS and fact.answer and _is_not_number(fact.answer):
        reasons.append(f"a {fact.kind} answer must be a number, not {fact.answer!r}")
    asked_as = scopes(fact)
    if fact.disputed and not fact.dispute_note.strip():
        reasons.append("disputed, but has no dispute note saying how the sources disagree")
    if not asked_as:
        reasons.append(WITHHELD)
    for scope in asked_as:
        found = choose_distractors(
            fact, scope.answer, forbidden_values(fact), siblings, random.Random(AUDIT_SEED)
        )
        if len(found) < DISTRACTORS:
            scoped = f" (according to {scope.source_title})" if scope.source_title else ""
            reasons.append(too_few_distractors(fact, len(found), scoped))
            break
    if not fact.disputed and not (fact.answer and _answer_pattern(fact.answer).search(fact.statement)):
        reasons.append("statement missing its answer: it must contain the answer verbatim (true/false)")
    return reasons


def is_withheld(problem: FactProblem) -> bool:
    """A disputed fact no single source vouches for: rightly never asked, not a defect."""
    return problem.reason == WITHHELD


def _is_not_number(text: str) -> bool:
    from content.models import numeric_value

    return numeric_value(text) is None


def audit_facts(topic: Topic | None = None) -> list[FactProblem]:
    """Every fact (of ``topic``, or of all topics) that cannot produce a valid question, and why.

    A fact may appear more than once, once per reason. Ordered by topic slug, then fact slug.
    """
    topics = [topic] if topic is not None else list(Topic.objects.order_by("slug"))
    problems: list[FactProblem] = []
    for current in topics:
        facts = (
            Fact.objects.filter(topic=current)
            .select_related("topic")
            .prefetch_related(
                Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
                Prefetch("tags", queryset=Tag.objects.order_by("slug")),
            )
            .order_by("slug")
        )
        settled = (
            Fact.objects.filter(topic=current, disputed=False)
            .order_by("sample_key", "pk")
            .values(*_CANDIDATE_FIELDS)
        )
        by_kind: dict[str, list] = {}
        for candidate in _candidates(settled):
            by_kind.setdefault(candidate.kind, []).append(candidate)
        for fact in facts:
            siblings = [c for c in by_kind.get(fact.kind, []) if c.fact_id != fact.pk]
            problems.extend(FactProblem(fact, reason) for reason in audit_fact(fact, siblings))
    return problems
