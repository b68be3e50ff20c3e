"""Memory cards: the rating rule, FSRS scheduling as days pass, one review per answer, claiming."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from fsrs import Rating

from quiz.models import Item, Player
from quiz.study import memory
from quiz.study.models import MemoryCard, ReviewLog, StudySettings
from tests.factories import FactFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture
def me():
    return Player(user_id=UserFactory().pk, session_key="")


def card(player: Player, fact) -> MemoryCard:
    return MemoryCard.objects.get(player=memory.key_of(player), fact=fact)


@pytest.mark.parametrize(
    ("form", "correct", "rating"),
    [
        (Item.Form.MULTIPLE_CHOICE, True, Rating.Good),
        (Item.Form.MULTIPLE_CHOICE, False, Rating.Again),
        (Item.Form.TRUE_FALSE, True, Rating.Hard),
        (Item.Form.TRUE_FALSE, False, Rating.Again),
        (Item.Form.ORDER, True, Rating.Good),
        (Item.Form.FIRST, False, Rating.Again),
        (Item.Form.MATCH, True, Rating.Good),
        (Item.Form.MATCH, False, Rating.Again),
    ],
)
def test_the_rating_rule(form, correct, rating):
    """Wrong is Again; a right true/false (a coin toss half the time) is Hard; other right answers Good."""
    assert memory.rating_for(form, correct) == rating


def test_a_first_right_answer_schedules_days_ahead_and_a_wrong_one_tomorrow(me):
    """Whole days, no minute-long learning steps: Good comes back in days, Again the next day."""
    right, wrong = FactFactory(), FactFactory()
    memory.record_review(me, [right], Rating.Good, T0, form="multiple_choice")
    memory.record_review(me, [wrong.pk], Rating.Again, T0, form="multiple_choice")
    good, again = card(me, right), card(me, wrong)
    assert good.state == again.state == MemoryCard.State.REVIEW
    assert days(2) <= good.due - T0 <= days(3)
    assert again.due - T0 == days(1)
    assert (good.reps, good.last_form, good.last_review, good.introduced_at) == (1, "multiple_choice", T0, T0)


def test_a_right_true_false_counts_for_less_than_a_right_multiple_choice(me):
    """Hard gives a shorter interval and lower stability than Good."""
    by_mc, by_tf = FactFactory(), FactFactory()
    memory.record_review(me, [by_mc], memory.rating_for("multiple_choice", True), T0)
    memory.record_review(me, [by_tf], memory.rating_for("true_false", True), T0)
    assert card(me, by_tf).stability < card(me, by_mc).stability
    assert card(me, by_tf).due < card(me, by_mc).due


def test_walking_days_forward_intervals_grow_and_a_lapse_brings_it_back(me):
    """Reviewed right on each due date, the gaps widen; a wrong answer resets to the next day."""
    fact = FactFactory()
    now, gaps = T0, []
    for _ in range(4):
        memory.record_review(me, [fact], Rating.Good, now)
        due = card(me, fact).due
        gaps.append(due - now)
        now = due
    assert gaps == sorted(gaps)
    assert gaps[-1] > gaps[0] * 4
    memory.record_review(me, [fact], Rating.Again, now)
    lapsed = card(me, fact)
    assert (lapsed.due - now, lapsed.lapses, lapsed.reps) == (days(1), 1, 5)
    assert ReviewLog.objects.filter(fact=fact).count() == 5
    assert list(ReviewLog.objects.filter(fact=fact).values_list("rating", flat=True)) == [3, 3, 3, 3, 1]


def test_retrievability_falls_as_days_pass(me):
    fact = FactFactory()
    memory.record_review(me, [fact], Rating.Good, T0)
    c = card(me, fact)
    today, later = memory.retrievability(c, T0), memory.retrievability(c, T0 + days(30))
    assert today == 1.0
    assert 0 < later < 0.8


def test_desired_retention_shortens_the_interval(me):
    """A player who wants to recall 97% is asked sooner than one content with 70%."""
    strict = Player(user_id=UserFactory().pk, session_key="")
    StudySettings.objects.create(user_id=strict.user_id, desired_retention=0.97)
    relaxed = Player(user_id=UserFactory().pk, session_key="")
    StudySettings.objects.create(user_id=relaxed.user_id, desired_retention=0.7)
    fact = FactFactory()
    for player in (strict, relaxed, me):
        memory.record_review(player, [fact], Rating.Good, T0)
    assert card(strict, fact).due < card(me, fact).due < card(relaxed, fact).due


def test_record_review_is_three_statements_whatever_the_number_of_facts(me, django_assert_num_queries):
    """One SELECT (facts, cards, retention), one upsert of the cards, one INSERT of the logs."""
    facts = [FactFactory() for _ in range(5)]
    with django_assert_num_queries(3):
        assert memory.record_review(me, facts[:2], Rating.Good, T0) == 2
    with django_assert_num_queries(3):
        assert memory.record_review(me, facts, Rating.Again, T0 + days(1)) == 5
    assert MemoryCard.objects.count() == 5
    assert ReviewLog.objects.count() == 7


def test_no_facts_no_player_or_deleted_facts_review_nothing(me, django_assert_num_queries):
    """An item without facts costs nothing; a fact deleted since the item was made is skipped."""
    with django_assert_num_queries(0):
        assert memory.record_review(me, [], Rating.Good, T0) == 0
        assert memory.record_review(Player(None, ""), [1], Rating.Good, T0) == 0
    fact = FactFactory()
    gone = FactFactory()
    gone_pk = gone.pk
    gone.delete()
    assert memory.record_review(me, [fact.pk, gone_pk], Rating.Good, T0) == 1
    assert list(MemoryCard.objects.values_list("fact_id", flat=True)) == [fact.pk]


def test_naive_times_are_refused(me):
    with pytest.raises(ValueError, match="timezone-aware"):
        memory.record_review(me, [FactFactory()], Rating.Good, dt.datetime(2026, 1, 1))


def test_due_count_walks_with_time(me):
    """Nothing due at once; the wrong one the next day; both three days later."""
    right, wrong = FactFactory(), FactFactory()
    memory.record_review(me, [right], Rating.Good, T0)
    memory.record_review(me, [wrong], Rating.Again, T0)
    assert [memory.due_count(me, T0 + days(n)) for n in (0, 1, 3)] == [0, 1, 2]
    assert memory.due_count(Player(None, ""), T0 + days(3)) == 0


def test_due_count_is_one_query_on_the_player_due_index(me, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        memory.due_count(me, T0)
    sql = captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            assert "memory_card_player_due" in " ".join(str(row) for row in cursor.fetchall())
        else:  # a tiny table may be scanned (bench/study.py shows the plan at 100k); the index exists
            constraints = connection.introspection.get_constraints(cursor, MemoryCard._meta.db_table)
            assert constraints["memory_card_player_due"]["columns"] == ["player", "due"]


def test_anonymous_cards_move_to_the_account_and_the_latest_review_wins():
    """Claiming keeps, per fact, the card reviewed last, and moves the review logs too."""
    user = UserFactory()
    mine, anonymous = Player(user.pk, ""), Player(None, "sess-abc")
    only_anon, only_mine, both_newer_anon, both_newer_mine = (FactFactory() for _ in range(4))
    memory.record_review(mine, [only_mine, both_newer_anon], Rating.Good, T0)
    memory.record_review(anonymous, [both_newer_mine], Rating.Again, T0)
    memory.record_review(mine, [both_newer_mine], Rating.Good, T0 + days(1))
    memory.record_review(anonymous, [only_anon, both_newer_anon], Rating.Again, T0 + days(2))
    assert memory.claim_anonymous_cards(user, "sess-abc") == 2
    cards = {c.fact_id: c for c in MemoryCard.objects.all()}
    assert set(cards) == {only_anon.pk, only_mine.pk, both_newer_anon.pk, both_newer_mine.pk}
    assert all(c.player == f"u{user.pk}" and c.user_id == user.pk for c in cards.values())
    assert cards[both_newer_anon.pk].last_review == T0 + days(2)
    assert cards[both_newer_mine.pk].last_review == T0 + days(1)
    assert not ReviewLog.objects.filter(player="ssess-abc").exists()
    assert memory.claim_anonymous_cards(user, "") == 0
    assert memory.claim_anonymous_cards(user, None) == 0


def test_deleting_an_account_deletes_its_cards(me):
    memory.record_review(me, [FactFactory()], Rating.Good, T0)
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=me.user_id).delete()
    assert not MemoryCard.objects.exists()
    assert not ReviewLog.objects.exists()
