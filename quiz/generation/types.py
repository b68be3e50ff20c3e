"""What the question engine hands out: generated questions and audit findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.models import Fact


@dataclass(frozen=True)
class GeneratedQuestion:
    """One playable question, with everything needed to explain it after answering.

    ``answer`` is the index of the right option; for the ``order`` form it is the list
    of option indexes in the right order (earliest first). ``notes`` has one entry per
    option saying what that option really is ("" where the bank does not know).
    """

    form: str
    stem: str
    options: list[str]
    answer: int | list[int]
    explanation: str
    notes: list[str]
    fact_ids: list[int]
    question_id: int | None = None
    question_version: int | None = None
    passage_url: str = ""
    passage_title: str = ""
    section_slug: str = ""
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["facts"] = list(self.fact_ids)
        return data

    @property
    def correct_options(self) -> list[str]:
        """The right option(s) as text: one for choice forms, all in order for ``order``."""
        if isinstance(self.answer, list):
            return [self.options[i] for i in self.answer]
        return [self.options[self.answer]]


@dataclass(frozen=True)
class FactProblem:
    """A fact that cannot yield a valid question (or one of its forms), and why."""

    fact: Fact
    reason: str

    def __str__(self) -> str:
        return f"{self.fact.topic.slug}/{self.fact.slug}: {self.reason}"
