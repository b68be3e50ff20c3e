"""Feedback that teaches: a wrong "True" learns what the swapped part really is; an order
shows each event with its date."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string

from content.models import Topic
from quiz.generation import generate_questions
from quiz.play.attempts import item_from
from quiz.play.cards import feedback

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"


@pytest.fixture
def questions():
    call_command("import_dossier", str(SHIPPED), stdout=StringIO())
    topic = Topic.objects.get(slug="north-korea-russia")
    return [q for seed in range(40) for q in generate_questions(topic, count=10, seed=seed)]


def answered(question, chosen):
    item = item_from(question, 1)
    item.chosen = chosen
    item.is_correct = chosen == question.answer
    return item


def test_a_wrong_true_is_told_what_the_swapped_part_really_is(questions):
    false_ones = [q for q in questions if q.form == "true_false" and q.answer == 1]
    assert false_ones
    for question in false_ones:
        shown = feedback(answered(question, 0))
        assert shown.chosen_note.startswith("The statement is false. The right value is not ")
        html = render_to_string("quiz/play/includes/feedback.html", {"feedback": shown})
        assert "In fact:" in html
        assert "What True really is" not in html


def test_a_wrong_false_is_told_the_statement_is_true(questions):
    true_ones = [q for q in questions if q.form == "true_false" and q.answer == 0]
    assert true_ones
    for question in true_ones:
        shown = feedback(answered(question, 1))
        assert (
            shown.chosen_note
            == f"The statement is true as written: {question.stem.removeprefix('True or false: ')}"
        )
        assert "What False really is" not in render_to_string(
            "quiz/play/includes/feedback.html", {"feedback": shown}
        )


def test_an_order_shows_each_event_with_its_date(questions):
    orders = [q for q in questions if q.form == "order"]
    assert orders
    for question in orders:
        shown = feedback(answered(question, list(reversed(question.answer))))
        html = render_to_string("quiz/play/includes/feedback.html", {"feedback": shown})
        for place, index in enumerate(question.answer):
            assert shown.options[place].text == question.options[index]
            date = question.notes[index].split(":", 1)[0]
            assert date
            assert f"{date}:" in shown.options[place].note
            assert date in html
