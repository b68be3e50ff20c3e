"""The bench helpers read forms as a browser does, and the load test's audit catches losses."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from bench.http import answer_data, answer_form, attempt_id, chosen
from bench.loadtest import Player, Post, _choices, audit
from tests.factories import AttemptFactory, ItemFactory

CHOICE_PAGE = """
<form method="post" action="/accounts/logout/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
</form>
<form class="answer-form" method="post" action="/play/x/q/2/" hx-post="/play/x/q/2/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <ul>
    <li><button name="choice" value="0">A</button></li>
    <li><button name="choice" value="1">B</button></li>
  </ul>
</form>
"""

PLACES = "".join(f'<option value="{n}">{n}</option>' for n in (1, 2, 3))
ORDER_PAGE = f"""
<form method="post" action="/play/x/q/3/" hx-post="/play/x/q/3/">
  <select name="place_0"><option value="">Place…</option>{PLACES}</select>
  <select name="place_1"><option value="">Place…</option>{PLACES}</select>
  <select name="place_2"><option value="">Place…</option>{PLACES}</select>
  <button type="submit">Submit order</button>
</form>
"""

VALUES = '<option value="">Choose…</option>' + "".join(
    f'<option value="{n}">{1600 + n}</option>' for n in (3, 4, 5)
)
MATCH_PAGE = f"""
<form method="post" action="/play/x/q/4/" hx-post="/play/x/q/4/">
  <fieldset><legend>Use each answer once.</legend>
  <label for="match-0">A</label><select id="match-0" name="match_0">{VALUES}</select>
  <label for="match-1">B</label><select id="match-1" name="match_1">{VALUES}</select>
  <label for="match-2">C</label><select id="match-2" name="match_2">{VALUES}</select>
  </fieldset>
  <button type="submit">Submit matches</button>
</form>
"""
TYPED_PAGE = """
<form method="post" action="/play/x/q/5/"><input id="typed-answer" name="typed" type="text"></form>
"""


def test_answer_form_is_the_form_with_choice_buttons_not_the_first_post_form():
    """The header's logout form comes first; the answer form is found by its fields."""
    form = answer_form(CHOICE_PAGE, "http://127.0.0.1:8000/play/x/q/2/")
    assert form is not None
    assert form.action == "http://127.0.0.1:8000/play/x/q/2/"
    assert form.hidden == {"csrfmiddlewaretoken": "tok"}
    assert form.choices == {"choice": ["0", "1"]}
    data = answer_data(form, random.Random(1))
    assert data["choice"] in {"0", "1"}
    assert data["csrfmiddlewaretoken"] == "tok"


def test_an_order_answer_gives_every_option_a_different_place():
    """The order form's answer is a permutation of places 1..n, one per select."""
    form = answer_form(ORDER_PAGE, "http://127.0.0.1:8000/play/x/q/3/")
    assert form is not None
    data = answer_data(form, random.Random(3))
    assert sorted(data) == ["place_0", "place_1", "place_2"]
    assert sorted(data.values()) == ["1", "2", "3"]


def test_a_matching_answer_gives_every_item_a_different_value():
    """The matching form's answer gives each select one of the values offered, each once;
    what the server stores is those values, item by item."""
    form = answer_form(MATCH_PAGE, "http://127.0.0.1:8000/play/x/q/4/")
    assert form is not None
    assert form.matches == ["match_0", "match_1", "match_2"]
    data = answer_data(form, random.Random(3))
    assert sorted(data) == ["match_0", "match_1", "match_2"]
    assert sorted(data.values()) == ["3", "4", "5"]
    assert chosen(data) == [int(data[f"match_{i}"]) for i in range(3)]
    first, second = _choices(form, random.Random(4))
    assert chosen(first) != chosen(second)
    assert sorted(chosen(first)) == sorted(chosen(second)) == [3, 4, 5]


def test_the_load_test_answers_a_typed_question_two_ways():
    form = answer_form(TYPED_PAGE, "http://h/play/x/q/5/")
    assert form is not None
    first, second = _choices(form, random.Random(5))
    assert first["typed"] != second["typed"]


def test_a_page_without_an_answer_form_has_none():
    """A search form (GET, a text field) is not mistaken for an answer form."""
    assert answer_form('<form method="get" action="/search/"><input name="q"></form>', "http://h/") is None


def test_attempt_id_is_read_from_a_play_url():
    """The start redirect's Location names the attempt; other URLs name none."""
    url = "/play/0b7e6a52-3f7c-4c8e-9a51-2d3c4b5a6f70/q/1/"
    assert attempt_id(url) == "0b7e6a52-3f7c-4c8e-9a51-2d3c4b5a6f70"
    assert attempt_id("/accounts/login/") is None


def _answered(item, chosen):
    item.answered_at = timezone.now()
    item.chosen = chosen
    item.is_correct = chosen == item.correct
    item.save()


@pytest.mark.django_db
def test_audit_passes_when_the_database_matches_what_was_acknowledged():
    """A replay that got 200 but changed nothing, and counters that agree: no problem."""
    attempt = AttemptFactory(length=2, score=1, answered_count=1)
    first = ItemFactory(attempt=attempt, position=1, correct=0)
    ItemFactory(attempt=attempt, position=2, correct=0)
    _answered(first, 0)
    player = Player(number=4, username="p", attempt=str(attempt.pk))
    player.posts = [Post(1, 0, 200), Post(1, 2, 200)]
    assert audit([player]) == []


@pytest.mark.django_db
def test_audit_reports_a_lost_answer_an_unacknowledged_one_an_overwrite_and_a_wrong_score():
    """Each way the database can disagree with the responses is reported by name."""
    attempt = AttemptFactory(length=3, score=2, answered_count=2)
    first = ItemFactory(attempt=attempt, position=1, correct=0)
    second = ItemFactory(attempt=attempt, position=2, correct=1)
    ItemFactory(attempt=attempt, position=3, correct=0)
    _answered(first, 3)  # the replay's choice overwrote the first answer
    _answered(second, 1)  # stored, but the server answered 500
    player = Player(number=4, username="p", attempt=str(attempt.pk))
    player.posts = [Post(1, 0, 200), Post(1, 3, 200), Post(2, 1, 500), Post(3, 2, 200)]
    problems = "\n".join(audit([player]))
    assert "acknowledged answers not stored: questions [3]" in problems
    assert "answers stored that nothing acknowledged: questions [2]" in problems
    assert "question 1 stored 3, first answer was 0" in problems
    assert "score 2 but 1 correct items" in problems
