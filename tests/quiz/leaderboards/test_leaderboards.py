"""Leaderboards: who counts, the ordering, the week window, the visitor's own rank, the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quiz.leaderboards import standings as stats
from quiz.models import Attempt
from tests.factories import AttemptFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
MONDAY = stats.week_start(NOW)


def finish(user, *, quiz=None, score: int, length: int = 10, at: dt.datetime = NOW, **fields) -> Attempt:
    """A finished attempt (``at`` is when it finished; it started a few minutes before)."""
    extra = {"quiz": quiz} if quiz is not None else {}
    attempt = AttemptFactory(user=user, score=score, length=length, finished_at=at, **extra, **fields)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=at - dt.timedelta(minutes=5))
    return attempt


def names(board: list[stats.Standing]) -> list[str]:
    return [row.username for row in board]


# The week ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        (dt.datetime(2026, 3, 18, 15, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 16, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 16, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 16, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 22, 23, 59, tzinfo=dt.UTC), dt.datetime(2026, 3, 16, tzinfo=dt.UTC)),
    ],
)
def test_week_starts_on_monday_at_midnight_utc(now, monday):
    """Wednesday, Monday 00:00 and Sunday 23:59 all belong to the week of that Monday."""
    assert stats.week_start(now) == monday


# Overall -----------------------------------------------------------------------


def test_overall_ranks_by_total_correct_answers_in_finished_attempts():
    """Totals of correct answers, most first; unfinished, anonymous and review attempts do not count."""
    ann, bob, cat = UserFactory(username="ann"), UserFactory(username="bob"), UserFactory(username="cat")
    finish(ann, score=4)
    finish(ann, score=5)
    finish(bob, score=10)
    finish(cat, score=3)
    AttemptFactory(user=cat, score=10, length=10, finished_at=None)  # unfinished
    finish(cat, score=10, mode=Attempt.Mode.REVIEW)  # practice
    finish(None, score=10, session_key="anon")  # anonymous
    board = stats.overall_leaderboard()
    assert [(row.rank, row.username, row.score) for row in board] == [
        (1, "bob", 10),
        (2, "ann", 9),
        (3, "cat", 3),
    ]


def test_overall_tie_goes_to_whoever_got_there_first():
    """Equal totals: the earlier last finish ranks higher."""
    early, late = UserFactory(username="zed"), UserFactory(username="amy")
    finish(early, score=5, at=NOW - dt.timedelta(hours=2))
    finish(late, score=5, at=NOW - dt.timedelta(hours=1))
    assert names(stats.overall_leaderboard()) == ["zed", "amy"]


def test_this_week_counts_only_attempts_finished_since_monday():
    """An attempt finished a second before Monday 00:00 UTC is last week's."""
    old_hand, newcomer = UserFactory(username="old"), UserFactory(username="new")
    finish(old_hand, score=10, at=MONDAY - dt.timedelta(seconds=1))
    finish(old_hand, score=1, at=MONDAY + dt.timedelta(seconds=1))
    finish(newcomer, score=3, at=MONDAY + dt.timedelta(seconds=1))
    assert [(r.username, r.score) for r in stats.overall_leaderboard()] == [("old", 11), ("new", 3)]
    assert [(r.username, r.score) for r in stats.overall_leaderboard(MONDAY)] == [("new", 3), ("old", 1)]


def test_overall_standing_outside_the_top():
    """The visitor's rank is computed wherever they are; None when they have nothing counted."""
    players = [UserFactory(username=f"p{n:02}") for n in range(25)]
    for n, player in enumerate(players):
        finish(player, score=25 - n, length=30)
    last = players[-1]
    assert stats.overall_standing(last).rank == 25
    assert stats.overall_standing(players[3]).rank == 4
    assert stats.overall_standing(UserFactory()) is None
    assert len(stats.overall_leaderboard()) == stats.LEADERBOARD_SIZE


# Per quiz ----------------------------------------------------------------------


def test_quiz_board_ranks_each_players_best_percentage():
    """One row per player, their best percentage; other quizzes do not count."""
    quiz = QuizFactory()
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    finish(ann, quiz=quiz, score=3, length=10)
    finish(ann, quiz=quiz, score=9, length=10)
    finish(bob, quiz=quiz, score=4, length=5)
    finish(bob, score=10, length=10)  # another quiz
    board = stats.quiz_leaderboard(quiz)
    assert [(r.rank, r.username, r.score, r.length, r.percent) for r in board] == [
        (1, "ann", 9, 10, 90),
        (2, "bob", 4, 5, 80),
    ]


def test_quiz_board_tie_goes_to_the_earlier_finish_of_the_best():
    """8/10 and 4/5 are both 80%: whoever reached it first ranks higher, and keeps that time."""
    quiz = QuizFactory()
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    finish(bob, quiz=quiz, score=4, length=5, at=NOW - dt.timedelta(days=2))
    finish(ann, quiz=quiz, score=8, length=10, at=NOW - dt.timedelta(days=1))
    finish(bob, quiz=quiz, score=8, length=10, at=NOW)  # same best, later: changes nothing
    assert names(stats.quiz_leaderboard(quiz)) == ["bob", "ann"]
    assert stats.quiz_standing(ann, quiz).rank == 2
    assert stats.quiz_standing(bob, quiz).rank == 1


def test_quiz_board_this_week():
    """Last week's perfect score does not count this week."""
    quiz = QuizFactory()
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    finish(ann, quiz=quiz, score=10, at=MONDAY - dt.timedelta(minutes=1))
    finish(ann, quiz=quiz, score=2, at=MONDAY + dt.timedelta(minutes=1))
    finish(bob, quiz=quiz, score=5, at=MONDAY + dt.timedelta(minutes=1))
    assert names(stats.quiz_leaderboard(quiz)) == ["ann", "bob"]
    assert names(stats.quiz_leaderboard(quiz, MONDAY)) == ["bob", "ann"]
    assert stats.quiz_standing(ann, quiz, MONDAY).percent == 20


def test_quiz_standing_outside_the_top():
    """The rank agrees with the board's order for a player beyond the top 20."""
    quiz = QuizFactory()
    players = [UserFactory() for _ in range(23)]
    for n, player in enumerate(players):
        finish(player, quiz=quiz, score=30 - n, length=30, at=NOW - dt.timedelta(minutes=n))
    board = stats.quiz_leaderboard(quiz, limit=30)
    for player in (players[0], players[19], players[22]):
        standing = stats.quiz_standing(player, quiz)
        assert board[standing.rank - 1].user_id == player.pk


# The pages ---------------------------------------------------------------------


def test_leaderboards_page_highlights_my_row(client):
    """My row carries the highlight class; the page lists the quiz boards."""
    me, other = UserFactory(username="me"), UserFactory(username="other")
    quiz = QuizFactory(title="Border treaties")
    finish(me, quiz=quiz, score=5)
    finish(other, quiz=quiz, score=7)
    client.force_login(me)
    response = client.get(reverse("leaderboards"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<tr class="leaderboard-me" aria-current="true">' in html
    assert html.index("other") < html.index("(you)")
    assert reverse("quiz_leaderboard", args=[quiz.slug]) in html
    assert "Your rank" not in html  # already on the board


def test_leaderboards_page_shows_my_rank_outside_the_top_20(client):
    """Below the top 20, the page says where I stand."""
    for n in range(21):
        finish(UserFactory(), score=10 + n)
    me = UserFactory()
    finish(me, score=1)
    client.force_login(me)
    html = client.get(reverse("leaderboards")).content.decode()
    assert "Your rank: <strong>22</strong>" in html
    assert "leaderboard-me" in html


def test_leaderboards_week_view(client):
    """?period=week shows only this week's scores and marks the period as current."""
    finish(UserFactory(username="lastweek"), score=9, at=MONDAY - dt.timedelta(days=1))
    finish(UserFactory(username="thisweek"), score=2, at=MONDAY + dt.timedelta(seconds=1))
    html = client.get(reverse("leaderboards"), {"period": "week"}).content.decode()
    assert "thisweek" in html
    assert "lastweek" not in html
    assert '<a href="?period=week" aria-current="page">' in html
    html = client.get(reverse("leaderboards"), {"period": "nonsense"}).content.decode()
    assert "lastweek" in html


def test_quiz_leaderboard_page(client):
    """The quiz page shows the best percentage and the score behind it."""
    quiz = QuizFactory(title="Famine years")
    finish(UserFactory(username="ann"), quiz=quiz, score=4, length=5)
    response = client.get(reverse("quiz_leaderboard", args=[quiz.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Famine years" in html
    assert "80%" in html
    assert "(4/5)" in html


def test_quiz_leaderboard_of_an_unpublished_quiz_is_404(client):
    """Unpublished quizzes have no public board."""
    quiz = QuizFactory(published=False)
    assert client.get(reverse("quiz_leaderboard", args=[quiz.slug])).status_code == 404


def populate(count: int) -> tuple:
    """``count`` finished attempts of ``count`` players on one quiz, plus a visitor ranked last."""
    quiz = QuizFactory()
    for n in range(count):
        finish(UserFactory(), quiz=quiz, score=5 + n % 5)
    me = UserFactory()
    finish(me, quiz=quiz, score=0)
    return quiz, me


@pytest.mark.parametrize("count", [2, 20])
def test_leaderboard_query_counts_do_not_grow(client, django_assert_max_num_queries, count):
    """Both pages read a fixed number of queries, whether 2 or 20 attempts (me outside the
    top); one of them looks for overdue timed attempts to close first."""
    quiz, me = populate(count)
    client.force_login(me)
    with django_assert_max_num_queries(10):  # + the header's review and assigned counts
        assert client.get(reverse("leaderboards")).status_code == 200
    with django_assert_max_num_queries(10):  # + the header's review and assigned counts
        assert client.get(reverse("quiz_leaderboard", args=[quiz.slug])).status_code == 200


def test_leaderboard_query_count_is_the_same_for_2_and_20_attempts(client):
    """Exactly as many queries for 20 players as for 2 (seen by a player who has not played)."""
    counts = []
    for count in (2, 20):
        quiz, _ = populate(count)
        client.force_login(UserFactory())
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("leaderboards"))
            client.get(reverse("quiz_leaderboard", args=[quiz.slug]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_replay_never_counts():
    """An attempt in the Replay mode (a question set its player had seen) is left off."""
    me = UserFactory(username="replayer")
    AttemptFactory(user=me, score=1, length=5, finished_at=timezone.now())
    AttemptFactory(user=me, score=5, length=5, finished_at=timezone.now(), mode=Attempt.Mode.REPLAY)
    assert [(row.username, row.score) for row in stats.overall_leaderboard()] == [("replayer", 1)]
