"""The question engine: multiple-choice, true/false and timeline questions from sourced facts.

Public API (the play views and the management commands use these):

- :func:`generate_questions` — questions generated from a topic's facts and timeline.
- :func:`build_quiz` — a quiz's questions, honouring its mix, tag and shuffle settings.
- :func:`questions_for_facts` — one question per given fact ("review my mistakes").
- :func:`question_from_written` — a teacher-written :class:`~quiz.models.Question`.
- :func:`audit_facts` — every fact that cannot produce a valid question, and why.

Everything is deterministic for a seed: one ``random.Random(seed)`` is threaded through,
and every database read has an ORDER BY. A quiz never loads the whole fact bank (see
:mod:`quiz.generation.bank`): the number of queries depends on the quiz, not on the bank.
"""

from quiz.generation.assemble import build_quiz, generate_questions, questions_for_facts, seen_fact_ids
from quiz.generation.audit import audit_facts
from quiz.generation.questions import NotAskable, question_from_written
from quiz.generation.types import FactProblem, GeneratedQuestion

__all__ = [
    "FactProblem",
    "GeneratedQuestion",
    "NotAskable",
    "audit_facts",
    "build_quiz",
    "generate_questions",
    "question_from_written",
    "questions_for_facts",
    "seen_fact_ids",
]
