"""The attempt lifecycle (quiz.play): snapshots, ownership, parsing and storing answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Fact
from quiz.models import Attempt, Item, Player, Quiz
from quiz.play import answers, attempts, cards
from tests.factories import AttemptFactory, ChoiceFactory, ItemFactory, QuestionFactory, UserFactory
from tests.quiz.conftest import make_attempt

pytestmark = pytest.mark.django_db


def test_start_attempt_snapshots_every_question_in_one_go(bank):
    """Starting snapshots the generated questions as items 1..N, with the server-only answer."""
    quiz = Quiz.default_for(bank.topic)
    user = UserFactory()
    attempt = attempts.start_attempt(quiz, length=5, player=Player(user_id=user.pk, session_key=""))
    items = list(attempt.items.order_by("position"))
    assert [item.position for item in items] == [1, 2, 3, 4, 5]
    assert attempt.length == 5
    assert attempt.user == user
    assert 0 <= attempt.seed < 2**31
    for item in items:
        assert item.stem
        assert item.options
        assert item.correct is not None
        assert item.served_at is None
        assert item.answered_at is None
        assert item.sources, "every generated question names its sources"


def test_snapshot_does_not_follow_later_edits(bank):
    """Editing a fact after the attempt started changes nothing in the attempt."""
    quiz = Quiz.default_for(bank.topic)
    attempt = attempts.start_attempt(quiz, length=5, player=Player(user_id=UserFactory().pk, session_key=""))
    before = list(attempt.items.order_by("position").values("stem", "options", "correct", "explanation"))
    Fact.objects.update(answer="9999", statement="Edited.", explanation="Edited.")
    after = list(attempt.items.order_by("position").values("stem", "options", "correct", "explanation"))
    assert after == before


def test_timed_quiz_gets_a_deadline(bank):
    """A quiz with a time limit gives its attempts a deadline that far from the start."""
    quiz = Quiz.default_for(bank.topic)
    quiz.time_limit_seconds = 120
    quiz.save()
    attempt = attempts.start_attempt(quiz, length=5, player=Player(user_id=UserFactory().pk, session_key=""))
    assert attempt.deadline is not None
    assert timedelta(seconds=115) < attempt.deadline - timezone.now() <= timedelta(seconds=120)


def test_anonymous_attempt_belongs_to_the_session_key():
    """An anonymous attempt has no user and the session's key; other sessions own nothing of it."""
    attempt = make_attempt(session_key="key-a")
    assert attempt.user is None
    assert list(Attempt.objects.owned_by(Player(None, "key-a"))) == [attempt]
    assert not Attempt.objects.owned_by(Player(None, "key-b")).exists()
    assert not Attempt.objects.owned_by(Player(None, "")).exists()


def test_a_users_attempts_are_only_theirs():
    """A signed-in player owns their attempts and nobody else's, anonymous ones included."""
    mine = make_attempt()
    make_attempt()
    make_attempt(session_key="anon")
    assert list(Attempt.objects.owned_by(Player(mine.user_id, ""))) == [mine]


def test_owned_item_loads_the_item_with_its_attempt_and_quiz_for_its_owner_only(
    django_assert_num_queries,
):
    """One query gives the item, its attempt and its quiz title, with values as the ORM
    gives them; anyone else (another user, an anonymous session, no session) gets None."""
    mine = make_attempt(deadline=timezone.now() + timedelta(minutes=5))
    anonymous = make_attempt(session_key="anon")
    with django_assert_num_queries(1):
        item = attempts.owned_item(Player(mine.user_id, ""), mine.pk, 1)
        assert (item.attempt.pk, item.position, item.options, item.correct) == (
            mine.pk,
            1,
            ["1689", "1858", "1860", "1945"],
            0,
        )
        assert item.attempt.quiz.title == mine.quiz.title
        assert item.attempt.deadline == mine.deadline
        assert item.served_at is not None
        assert item.answered_at is None
    stored = mine.items.get(position=1).fact_ids
    with django_assert_num_queries(0):  # loaded with the item: the answer reviews its facts
        assert item.fact_ids == stored
    assert attempts.owned_item(Player(None, "anon"), anonymous.pk, 2).position == 2
    assert attempts.owned_item(Player(UserFactory().pk, ""), mine.pk, 1) is None
    assert attempts.owned_item(Player(mine.user_id, ""), anonymous.pk, 1) is None
    assert attempts.owned_item(Player(None, "anon"), mine.pk, 1) is None
    assert attempts.owned_item(Player(None, "other"), anonymous.pk, 1) is None
    assert attempts.owned_item(Player(None, ""), anonymous.pk, 1) is None
    assert attempts.owned_item(Player(mine.user_id, ""), mine.pk, 4) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [({"choice": "0"}, 0), ({"choice": "3"}, 3)],
)
def test_parse_choice_accepts_an_option_index(data, expected):
    """A choice is the index of one of the item's options."""
    assert answers.parse_choice(Item.Form.MULTIPLE_CHOICE, 4, data) == expected


@pytest.mark.parametrize("value", ["4", "-1", "one", "", "1.0", " 1", "١", "99999", None])
def test_parse_choice_refuses_anything_else(value):
    """Out of range, negative, not a plain decimal integer, or missing: refused."""
    data = {} if value is None else {"choice": value}
    with pytest.raises(answers.InvalidAnswer):
        answers.parse_choice(Item.Form.MULTIPLE_CHOICE, 4, data)


def test_parse_order_turns_places_into_the_order():
    """The order form gives each option a place; the answer is the options from first to last."""
    data = {"place_0": "3", "place_1": "1", "place_2": "2"}
    assert answers.parse_choice(Item.Form.ORDER, 3, data) == [1, 2, 0]


@pytest.mark.parametrize(
    "data",
    [
        {"place_0": "1", "place_1": "1", "place_2": "2"},
        {"place_0": "0", "place_1": "1", "place_2": "2"},
        {"place_0": "4", "place_1": "1", "place_2": "2"},
        {"place_0": "1", "place_1": "2"},
    ],
)
def test_parse_order_needs_a_permutation(data):
    """Each option needs its own place between 1 and N."""
    with pytest.raises(answers.InvalidAnswer):
        answers.parse_choice(Item.Form.ORDER, 3, data)


def test_parse_matching_gives_each_item_its_value():
    """The matching form gives each left-hand item (0..N-1) a value, by its index (N..2N-1)."""
    data = {"match_0": "4", "match_1": "5", "match_2": "3"}
    assert answers.parse_choice(Item.Form.MATCH, 6, data) == [4, 5, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"match_0": "4", "match_1": "4", "match_2": "3"}, answers.MATCH_ONCE),
        ({"match_0": "4", "match_1": "", "match_2": "3"}, answers.MATCH_EACH),
        ({"match_0": "4", "match_2": "3"}, answers.MATCH_EACH),
        ({"match_0": "4", "match_1": "1", "match_2": "3"}, "not one of this question's options"),
        ({"match_0": "4", "match_1": "6", "match_2": "3"}, "not one of this question's options"),
        ({"match_0": "4", "match_1": "five", "match_2": "3"}, "Choose one of the options shown"),
        ({"place_0": "1", "place_1": "2", "place_2": "3"}, answers.MATCH_EACH),
    ],
)
def test_parse_matching_needs_every_value_once(data, message):
    """Each item needs a value, a value of this question (not an item), and no value twice."""
    with pytest.raises(answers.InvalidAnswer, match=message):
        answers.parse_choice(Item.Form.MATCH, 6, data)


def test_record_answer_counts_once():
    """The first answer is stored and scored; a second changes nothing."""
    attempt = make_attempt()
    item = attempt.items.get(position=1)
    assert answers.record_answer(attempt, item, 0) is True
    assert answers.record_answer(attempt, attempt.items.get(position=1), 1) is False
    item.refresh_from_db()
    attempt.refresh_from_db()
    assert (item.chosen, item.is_correct) == (0, True)
    assert (attempt.score, attempt.answered_count, attempt.finished_at) == (1, 1, None)


def test_record_answer_finishes_with_the_last_item():
    """Answering the last item sets finished_at in the same update."""
    attempt = make_attempt(length=1)
    answers.record_answer(attempt, attempt.items.get(), 2)
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert (attempt.score, attempt.answered_count) == (0, 1)


def test_record_answer_after_the_deadline_is_rolled_back():
    """Past the deadline the attempt refuses, and the item's answer is rolled back too."""
    attempt = make_attempt(deadline=timezone.now() - timedelta(seconds=1))
    item = attempt.items.get(position=1)
    assert answers.record_answer(attempt, item, 0) is False
    item.refresh_from_db()
    attempt.refresh_from_db()
    assert item.answered_at is None
    assert item.chosen is None
    assert (attempt.score, attempt.answered_count) == (0, 0)


def test_question_view_has_no_answer():
    """What an unanswered page receives holds no correct answer and no notes."""
    view = cards.question_view(make_attempt().items.get(position=1))
    assert not hasattr(view, "correct")
    assert not hasattr(view, "notes")
    assert [option.text for option in view.options] == ["1689", "1858", "1860", "1945"]


def test_feedback_explains_the_chosen_distractor():
    """Feedback names the right answer and what the chosen option really is."""
    attempt = make_attempt()
    item = attempt.items.get(position=1)
    answers.record_answer(attempt, item, 1)
    shown = cards.feedback(item)
    assert not shown.is_correct
    assert (shown.chosen_text, shown.correct_text) == ("1858", "1689")
    assert shown.chosen_note == "The Treaty of Aigun"


def test_challenge_copies_the_same_questions_in_the_same_order():
    """A challenge gets the original's snapshots, unanswered, in order, linked to it."""
    original = make_attempt(length=3)
    original.items.filter(position=2).update(stem="The second question", correct=3)
    challenger = UserFactory()
    copy = attempts.start_challenge(original, player=Player(challenger.pk, ""))
    fields = ("position", "stem", "options", "correct", "notes", "passage_url", "sources")
    assert list(copy.items.values(*fields)) == list(original.items.values(*fields))
    assert copy.items.filter(served_at__isnull=True, answered_at__isnull=True).count() == 3
    assert (copy.mode, copy.challenge_of, copy.user, copy.length) == (
        Attempt.Mode.CHALLENGE,
        original,
        challenger,
        3,
    )


def test_review_asks_again_what_was_missed(bank):
    """Review builds questions from the facts and teacher questions of the missed items only."""
    user = UserFactory()
    missed_fact, right_fact = bank.facts["nerchinsk"], bank.facts["aigun"]
    written = QuestionFactory(topic=bank.topic, stem="Who signed it?")
    ChoiceFactory(question=written, text="Right", is_correct=True)
    ChoiceFactory(question=written, text="Wrong")
    attempt = AttemptFactory(user=user, length=3, finished_at=timezone.now())
    ItemFactory(attempt=attempt, position=1, fact_ids=[missed_fact.pk], is_correct=False)
    ItemFactory(attempt=attempt, position=2, fact_ids=[right_fact.pk], is_correct=True)
    ItemFactory(attempt=attempt, position=3, question=written, fact_ids=[], is_correct=False)
    review = attempts.start_review(attempt, player=Player(user.pk, ""))
    items = list(review.items.all())
    assert review.mode == Attempt.Mode.REVIEW
    assert sorted(item.question_id or 0 for item in items) == [0, written.pk]
    assert [item.fact_ids for item in items if item.question_id is None] == [[missed_fact.pk]]


def test_review_with_nothing_missed_starts_nothing():
    """All right: there is nothing to review."""
    user = UserFactory()
    attempt = AttemptFactory(user=user, length=1, finished_at=timezone.now())
    ItemFactory(attempt=attempt, position=1, is_correct=True)
    with pytest.raises(attempts.NoQuestions):
        attempts.start_review(attempt, player=Player(user.pk, ""))
    assert Attempt.objects.count() == 1


def test_feedback_lists_sources_the_explanation_does_not_name():
    """Sources are listed under the explanation unless it already names every one."""
    attempt = make_attempt(length=2)
    attempt.items.filter(position=2).update(explanation="It was 1689. Sources: Wikipedia.")
    first, second = attempt.items.order_by("position")
    assert cards.feedback(first).sources_to_list == ("Wikipedia",)
    assert cards.feedback(second).sources_to_list == ()
