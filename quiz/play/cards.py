"""What question pages show of an item: before it is answered, and after.

The correct answer and the notes never reach a template before the item is answered:
a page gets a :class:`QuestionView`, which has no such fields; :class:`Feedback` is built
only from an answered item.
"""

from __future__ import annotations

from dataclasses import dataclass

from quiz.generation.matching import pairs_text, split
from quiz.models import Item


@dataclass(frozen=True)
class Option:
    index: int
    text: str
    key: int  # the keyboard shortcut (1-based)


@dataclass(frozen=True)
class QuestionView:
    """An unanswered item as a page may show it: no correct answer, no notes."""

    position: int
    form: str
    stem: str
    options: tuple[Option, ...]
    #: For matching: the values each option (a left-hand item) may be matched with.
    matches: tuple[Option, ...] = ()

    @property
    def is_order(self) -> bool:
        return self.form == Item.Form.ORDER

    @property
    def is_recall(self) -> bool:
        return self.form == Item.Form.RECALL

    @property
    def is_match(self) -> bool:
        return self.form == Item.Form.MATCH

    @property
    def places(self) -> range:
        return range(1, len(self.options) + 1)


@dataclass(frozen=True)
class AnsweredOption:
    text: str
    is_correct: bool
    was_chosen: bool
    note: str = ""


@dataclass(frozen=True)
class MatchedPair:
    """One left-hand item of an answered matching question: its value, and the player's."""

    left: str
    right: str
    chosen: str
    is_correct: bool
    note: str = ""


@dataclass(frozen=True)
class Feedback:
    """An answered item with everything that explains it."""

    position: int
    form: str
    stem: str
    is_correct: bool
    options: tuple[AnsweredOption, ...]
    chosen_text: str
    correct_text: str
    explanation: str
    chosen_note: str
    passage_url: str
    passage_title: str
    sources: tuple[str, ...]
    pairs: tuple[MatchedPair, ...] = ()

    @property
    def is_order(self) -> bool:
        return self.form == Item.Form.ORDER

    @property
    def is_match(self) -> bool:
        return self.form == Item.Form.MATCH

    @property
    def pairs_right(self) -> int:
        return sum(pair.is_correct for pair in self.pairs)

    @property
    def sources_to_list(self) -> tuple[str, ...]:
        """The sources, unless the explanation already names them all (generated ones do)."""
        if all(title in self.explanation for title in self.sources):
            return ()
        return self.sources


def question_view(item: Item) -> QuestionView:
    if item.form == Item.Form.MATCH:
        # Every item is offered every value in one order: nothing tells which is whose.
        lefts, rights = split(item.options)
        return QuestionView(
            position=item.position,
            form=item.form,
            stem=item.stem,
            options=tuple(Option(index=i, text=text, key=i + 1) for i, text in enumerate(lefts)),
            matches=tuple(
                Option(index=len(lefts) + j, text=text, key=j + 1) for j, text in enumerate(rights)
            ),
        )
    # A recall item's options are the spellings that count: never on the page before answering.
    shown = [] if item.form == Item.Form.RECALL else item.options
    options = tuple(Option(index=i, text=text, key=i + 1) for i, text in enumerate(shown))
    return QuestionView(position=item.position, form=item.form, stem=item.stem, options=options)


def _texts(form: str, options: list[str], indexes: int | list[int] | str | None) -> str:
    if indexes is None:
        return ""
    if isinstance(indexes, str):  # what was typed (recall)
        return indexes
    if form == Item.Form.MATCH:
        return pairs_text(options, indexes)
    if isinstance(indexes, list):
        return " → ".join(options[i] for i in indexes)
    return options[indexes]


def _pairs(item: Item) -> tuple[MatchedPair, ...]:
    """Each left-hand item with its value, the player's, and the fact that proves it."""
    lefts, _ = split(item.options)
    notes = list(item.notes or []) + [""] * len(lefts)
    correct = item.correct if isinstance(item.correct, list) else []
    chosen = item.chosen if isinstance(item.chosen, list) else []
    pairs = []
    for i, (left, right) in enumerate(zip(lefts, correct, strict=False)):
        mine = chosen[i] if i < len(chosen) else None
        pairs.append(
            MatchedPair(
                left=left,
                right=item.options[right],
                chosen=item.options[mine] if isinstance(mine, int) else "",
                is_correct=mine == right,
                note=notes[i],
            )
        )
    return tuple(pairs)


def feedback(item: Item) -> Feedback:
    correct, chosen = item.correct, item.chosen
    pairs: tuple[MatchedPair, ...] = ()
    options: tuple[AnsweredOption, ...] = ()
    if item.form == Item.Form.MATCH:
        pairs = _pairs(item)
    elif isinstance(correct, list):
        # The right order, each event with its date (its note: "1860: The Qing cede ...").
        notes = list(item.notes or []) + [""] * len(item.options)
        options = tuple(
            AnsweredOption(
                text=item.options[index],
                is_correct=isinstance(chosen, list) and chosen[place] == correct[place],
                was_chosen=False,
                note=notes[index],
            )
            for place, index in enumerate(correct)
        )
    else:
        notes = list(item.notes or [])
        notes += [""] * (len(item.options) - len(notes))
        options = tuple(
            AnsweredOption(text=text, is_correct=i == correct, was_chosen=i == chosen, note=notes[i])
            for i, text in enumerate(item.options)
        )
    if item.form == Item.Form.RECALL:  # only the right answer is listed, with what it is
        options = options[:1]
    note = ""
    if isinstance(chosen, int) and chosen != correct:
        note = options[chosen].note
    return Feedback(
        position=item.position,
        form=item.form,
        stem=item.stem,
        is_correct=bool(item.is_correct),
        options=options,
        chosen_text=_texts(item.form, item.options, chosen),
        correct_text=_texts(item.form, item.options, correct),
        explanation=item.explanation,
        chosen_note=note,
        passage_url=item.passage_url,
        passage_title=item.passage_title,
        sources=tuple(item.sources or ()),
        pairs=pairs,
    )
