"""Regrading every form a question can take.

A teacher's written question is always asked as multiple choice: the admin's form is a
question with 2–6 choices (a "true or false" question is one with the choices True and
False, as Moodle's true/false imports are stored); there is no written ordering question.
Generated items are regraded when the dossier fact they were built from is corrected: its
multiple-choice, true/false and typed-recall items change key; the timeline forms (which
came first, put in order, which did not happen before) are built from events' dates, not
from a fact's answer, so a fact's correction leaves them as they are.
"""

from __future__ import annotations

import pytest

from content.models import Fact
from quiz.models import Attempt, Item, Question, Quiz
from quiz.reports import facts, regrade, versions
from quiz.reports.models import AttemptCorrection
from tests.factories import (
    AttemptFactory,
    ChoiceFactory,
    FactFactory,
    ItemFactory,
    QuestionFactory,
    TopicFactory,
)
from tests.quiz.reports.conftest import play, teacher_user

pytestmark = pytest.mark.django_db


def test_a_written_true_or_false_question_is_regraded(django_user_model):
    """A written "true or false" question (choices True and False) with the wrong key: the
    student who answered False (right, marked wrong) gains a point, the one who answered
    True loses one, and each results page says so."""
    teacher = teacher_user("author")
    topic = TopicFactory()
    question = QuestionFactory(
        topic=topic, author=teacher, stem="True or false: the Treaty of Nerchinsk dates from 1858."
    )
    ChoiceFactory(question=question, text="True", is_correct=True, order=0)
    ChoiceFactory(question=question, text="False", is_correct=False, order=1)
    quiz = Quiz.objects.create(
        topic=topic, slug="tf", title="TF", published=True, mix=Quiz.Mix.WRITTEN, question_count=1
    )
    said_false = play(django_user_model.objects.create(username="false"), quiz, "False")[0]
    said_true = play(django_user_model.objects.create(username="true"), quiz, "True")[0]
    assert (said_false.score, said_true.score) == (0, 1)
    assert said_false.items.get().form == Item.Form.MULTIPLE_CHOICE

    question.choices.update(is_correct=False)
    question.choices.filter(text="False").update(is_correct=True)
    versions.after_edit(question, content_changed=True)
    assert regrade.regrade_question(question, by=teacher, note="1689.") == 2
    said_false.refresh_from_db()
    said_true.refresh_from_db()
    assert (said_false.score, said_true.score) == (1, 0)
    change = AttemptCorrection.objects.get(attempt=said_false)
    assert (change.old_score, change.new_score) == (0, 1)


@pytest.fixture
def corrected():
    """A fact first given as 1860, corrected to 1858 (statement and answer)."""
    fact = FactFactory(
        answer="1860",
        statement="The Treaty of Aigun was signed in 1860.",
        kind=Fact.Kind.YEAR,
    )
    facts.detect_changes()
    return fact


def _item(fact: Fact, *, form: str, stem: str, options: list, correct: int, chosen, right: bool) -> Attempt:
    attempt = AttemptFactory(length=1, score=int(right), answered_count=1)
    ItemFactory(
        attempt=attempt,
        position=1,
        form=form,
        stem=stem,
        options=options,
        correct=correct,
        fact=fact,
        fact_ids=[fact.pk],
        chosen=chosen,
        is_correct=right,
        answered_at=attempt.started_at,
    )
    return attempt


def _correct(fact: Fact) -> None:
    Fact.objects.filter(pk=fact.pk).update(answer="1858", statement="The Treaty of Aigun was signed in 1858.")
    fact.refresh_from_db()
    facts.detect_changes()


def _scores(*attempts: Attempt) -> list[int]:
    for attempt in attempts:
        attempt.refresh_from_db()
    return [attempt.score for attempt in attempts]


def test_generated_true_or_false_items_follow_the_corrected_fact(corrected):
    """ "True or false: … in 1860." was true and is now false; "… in 1858." (the false
    variant with a sibling's value swapped in) was false and is now true. Each answer is
    re-scored once; a second regrade changes nothing."""
    fact = corrected
    old_stem, swapped_stem = (
        "True or false: The Treaty of Aigun was signed in 1860.",
        ("True or false: The Treaty of Aigun was signed in 1858."),
    )
    true_said_true = _item(
        fact, form="true_false", stem=old_stem, options=["True", "False"], correct=0, chosen=0, right=True
    )
    true_said_false = _item(
        fact, form="true_false", stem=old_stem, options=["True", "False"], correct=0, chosen=1, right=False
    )
    swapped_said_true = _item(
        fact,
        form="true_false",
        stem=swapped_stem,
        options=["True", "False"],
        correct=1,
        chosen=0,
        right=False,
    )
    _correct(fact)
    editor = teacher_user("editor")
    assert regrade.pending_count(regrade.fact_items(fact), fact.answer, fact) == 3
    assert regrade.regrade_fact(fact, by=editor) == 3
    assert _scores(true_said_true, true_said_false, swapped_said_true) == [0, 1, 1]
    assert list(Item.objects.filter(attempt=true_said_true).values_list("correct", flat=True)) == [1]
    assert list(Item.objects.filter(attempt=swapped_said_true).values_list("correct", flat=True)) == [0]
    assert regrade.regrade_fact(fact, by=editor) == 0


def test_generated_typed_recall_items_accept_the_corrected_answer(corrected):
    """A typed "1860" was right and is now wrong; a typed "1858" was wrong and is now right;
    the item now accepts the corrected spellings, so its feedback shows 1858."""
    fact = corrected
    typed_old = _item(
        fact,
        form="recall",
        stem="When was Aigun signed?",
        options=["1860"],
        correct=0,
        chosen="1860",
        right=True,
    )
    typed_new = _item(
        fact,
        form="recall",
        stem="When was Aigun signed?",
        options=["1860"],
        correct=0,
        chosen="1858",
        right=False,
    )
    _correct(fact)
    assert regrade.regrade_fact(fact, by=teacher_user("editor"), note="1858.") == 2
    assert _scores(typed_old, typed_new) == [0, 1]
    item = Item.objects.get(attempt=typed_new)
    assert item.options[0] == "1858"
    assert item.is_correct
    assert regrade.regrade_fact(fact, by=teacher_user("editor")) == 0


@pytest.mark.parametrize("form", ["first", "order", "not_before"])
def test_timeline_items_are_left_alone_by_a_fact_correction(corrected, form):
    """Timeline questions are built from events' dates, not a fact's answer."""
    fact = corrected
    correct = [0, 1, 2] if form == "order" else 0
    attempt = _item(
        fact,
        form=form,
        stem="Which came first?",
        options=["1860", "A", "B"],
        correct=correct,
        chosen=correct,
        right=True,
    )
    _correct(fact)
    assert regrade.regrade_fact(fact, by=teacher_user("editor")) == 0
    assert _scores(attempt) == [1]


def test_a_hand_picked_generated_question_is_regraded_like_any_generated_item(corrected):
    """A generated question a teacher froze into their quiz is still a generated item of the
    fact: its students are regraded with everyone else's."""
    fact = corrected
    quiz = Quiz.objects.create(topic=fact.topic, slug="picked", title="Picked", hand_picked=True)
    attempt = _item(
        fact,
        form="multiple_choice",
        stem="Aigun?",
        options=["1858", "1860"],
        correct=1,
        chosen=0,
        right=False,
    )
    Attempt.objects.filter(pk=attempt.pk).update(quiz=quiz)
    _correct(fact)
    assert regrade.regrade_fact(fact, by=teacher_user("editor")) == 1
    assert _scores(attempt) == [1]
    assert Question.objects.count() == 0
