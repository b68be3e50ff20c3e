"""Playing a matching question: a labelled select per item, with and without htmx; right
only when every pair is right, each pair explained after; a value used twice refused; and
the results, class statistics, review of mistakes and spaced review that follow."""

from __future__ import annotations

import random
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from content.models import Topic
from quiz.assignments import analysis
from quiz.classes.results import question_stats
from quiz.generation import matching
from quiz.models import Attempt, Item, Player, Quiz
from quiz.play import attempts, cards
from tests.factories import FactFactory, UserFactory
from tests.quiz.conftest import answer_data, make_attempt

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shipped():
    call_command("import_dossier", str(SHIPPED), stdout=StringIO())
    return Topic.objects.get(slug="north-korea-russia")


def shipped_matching(topic: Topic):
    question, _ = matching.quiz_matching(topic.pk, random.Random(0))
    assert question is not None
    return question


LEFTS = ["Treaty of Nerchinsk", "Treaty of Aigun", "Convention of Peking"]
VALUES = ["1860", "1689", "1858"]
KEY = [4, 5, 3]
NOTES = [
    "Russia and Qing China signed the Treaty of Nerchinsk in 1689.",
    "The Treaty of Aigun was signed in 1858.",
    "The Convention of Peking was signed in 1860.",
]


def matching_attempt(user) -> Attempt:
    attempt = make_attempt(user=user, length=1)
    attempt.items.update(
        form=Item.Form.MATCH,
        stem=matching.STEM_TREATIES,
        options=LEFTS + VALUES,
        correct=KEY,
        notes=[*NOTES, "", "", ""],
        explanation="In date order: Treaty of Nerchinsk (1689); Treaty of Aigun (1858); "
        "Convention of Peking (1860).",
    )
    return attempt


@pytest.fixture
def player(client):
    user = UserFactory()
    client.force_login(user)
    return user


def url(attempt: Attempt) -> str:
    return reverse("attempt_question", args=[attempt.pk, 1])


def test_each_item_has_a_labelled_select_offering_every_value_in_one_order(client, player):
    html = client.get(url(matching_attempt(player))).content.decode()
    assert '<legend class="match-legend small muted">' in html
    menus = re.findall(r'<select id="match-(\d)" name="match_\1" required>(.*?)</select>', html, re.S)
    assert [int(i) for i, _ in menus] == [0, 1, 2]
    assert len({menu for _, menu in menus}) == 1, "every select offers the same values in the same order"
    offered = re.findall(r'<option value="(\d*)">([^<]*)</option>', menus[0][1])
    assert offered == [("", "Choose…"), ("3", "1860"), ("4", "1689"), ("5", "1858")]
    for index, left in enumerate(LEFTS):
        assert f'<label for="match-{index}">{left}</label>' in html
    assert "Submit matches" in html
    assert "data-answer-keys" not in html  # keys 1-4 do not answer it
    for secret in (*NOTES, "In date order"):
        assert secret not in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["no-js", "htmx"])
def test_right_only_when_every_pair_is_right_and_each_pair_is_explained(client, player, headers):
    right, wrong = matching_attempt(player), matching_attempt(player)
    for attempt, data in ((right, {"match_0": "4", "match_1": "5", "match_2": "3"}),
                          (wrong, {"match_0": "4", "match_1": "3", "match_2": "5"})):  # fmt: skip
        client.get(url(attempt))
        response = client.post(url(attempt), data, **headers)
        if not headers:
            assert response.status_code == 302
            assert response["Location"].endswith("#feedback")
        html = client.get(url(attempt)).content.decode() if not headers else response.content.decode()
        item = attempt.items.get()
        assert item.chosen == [int(data[f"match_{i}"]) for i in range(3)]
        for left, value, note in zip(LEFTS, ["1689", "1858", "1860"], NOTES, strict=True):
            assert f'{left}<span class="visually-hidden">:</span>' in html
            assert f"<strong>{value}</strong>" in html
            assert note in html
        assert "Read the proof:" in html
    assert right.items.get().is_correct is True
    assert wrong.items.get().is_correct is False
    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (right.score, wrong.score) == (1, 0)
    html = client.get(url(wrong)).content.decode()
    assert "You matched 1 of 3 right." in html
    assert html.count("matched right") == 1
    assert "you chose 1860" in html
    assert "you chose 1858" in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["no-js", "htmx"])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"match_0": "4", "match_1": "4", "match_2": "3"}, "Use each answer once"),
        ({"match_0": "4", "match_2": "3"}, "Choose a match for each item"),
    ],
)
def test_a_value_used_twice_or_an_item_left_out_shows_the_form_again(client, player, headers, data, message):
    attempt = matching_attempt(player)
    client.get(url(attempt))
    response = client.post(url(attempt), data, **headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'name="match_0"' in html
    assert attempt.items.get().answered_at is None


def test_results_history_and_class_statistics_show_the_pairs(client, player):
    attempt = matching_attempt(player)
    client.get(url(attempt))
    client.post(url(attempt), {"match_0": "4", "match_1": "3", "match_2": "5"})
    html = client.get(reverse("attempt_results", args=[attempt.pk])).content.decode()
    assert "Treaty of Nerchinsk: 1689; Treaty of Aigun: 1860; Convention of Peking: 1858" in html
    assert "Treaty of Nerchinsk: 1689; Treaty of Aigun: 1858; Convention of Peking: 1860" in html
    item = attempt.items.get()
    item.fact = FactFactory()
    item.save()
    (stat,) = question_stats(Attempt.objects.filter(pk=attempt.pk))
    assert stat.right_matches == [
        "Treaty of Nerchinsk: 1689; Treaty of Aigun: 1858; Convention of Peking: 1860"
    ]
    assert stat.options == []
    assert stat.right_orders == []
    assert analysis.option_text(item, item.chosen).startswith(
        "Treaty of Nerchinsk: 1689; Treaty of Aigun: 1860"
    )


def test_a_missed_matching_is_reviewed_by_one_of_its_facts(client, player, shipped):
    question = shipped_matching(shipped)
    attempt = attempts.create_attempt(
        Quiz.default_for(shipped),
        [attempts.item_from(question, 1)],
        player=Player(user_id=player.pk, session_key=""),
        seed=1,
    )
    item = attempt.items.get()
    client.get(url(attempt))
    client.post(url(attempt), answer_data(item, right=False))
    assert attempt.items.get().is_correct is False
    client.post(reverse("attempt_review", args=[attempt.pk]))
    review = Attempt.objects.get(mode=Attempt.Mode.REVIEW)
    asked = review.items.get()
    assert asked.form == Item.Form.MULTIPLE_CHOICE
    assert asked.fact_id in question.fact_ids


def test_a_matching_asked_again_as_it_was_keeps_each_pair():
    row = dict.fromkeys(attempts._SNAPSHOT_FIELDS) | {
        "form": Item.Form.MATCH,
        "stem": matching.STEM_TREATIES,
        "options": LEFTS + VALUES,
        "correct": KEY,
        "notes": [*NOTES, "", "", ""],
        "fact_ids": [11, 12, 13],
    }
    before = set(matching.pairs_text(row["options"], row["correct"]).split("; "))
    for seed in range(6):
        item = attempts._reshuffled(dict(row), 1, random.Random(seed))
        assert set(matching.pairs_text(item.options, item.correct).split("; ")) == before
        lefts, _ = matching.split(item.options)
        assert [NOTES[LEFTS.index(left)] for left in lefts] == item.notes[:3]
        assert [11 + LEFTS.index(left) for left in lefts] == item.fact_ids


def test_a_right_matching_is_a_good_review_of_each_fact(client, player, shipped):
    from fsrs import Rating

    from quiz.study.models import ReviewLog

    question = shipped_matching(shipped)
    attempt = attempts.create_attempt(
        Quiz.default_for(shipped),
        [attempts.item_from(question, 1)],
        player=Player(user_id=player.pk, session_key=""),
        seed=1,
    )
    client.get(url(attempt))
    client.post(url(attempt), answer_data(attempt.items.get(), right=True))
    logs = ReviewLog.objects.all()
    assert sorted(logs.values_list("fact_id", flat=True)) == sorted(question.fact_ids)
    assert set(logs.values_list("rating", flat=True)) == {Rating.Good}
    assert set(logs.values_list("form", flat=True)) == {Item.Form.MATCH}


def test_the_card_view_never_holds_the_key():
    item = Item(form=Item.Form.MATCH, position=1, stem="?", options=LEFTS + VALUES, correct=KEY, notes=NOTES)
    view = cards.question_view(item)
    assert [o.text for o in view.options] == LEFTS
    assert [(o.index, o.text) for o in view.matches] == [(3, "1860"), (4, "1689"), (5, "1858")]
    assert not hasattr(view, "correct")
    assert not hasattr(view, "notes")
