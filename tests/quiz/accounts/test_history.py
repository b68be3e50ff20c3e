"""A student's history: the stats functions and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quiz.accounts import history as stats
from quiz.models import Attempt, Item
from tests.factories import (
    AttemptFactory,
    FactFactory,
    ItemFactory,
    QuizFactory,
    SectionFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def answer(attempt: Attempt, *, correct: bool, at: dt.datetime = NOW, **fields) -> Item:
    """An answered item of ``attempt``."""
    return ItemFactory(
        attempt=attempt, answered_at=at, chosen=0 if correct else 1, is_correct=correct, **fields
    )


# Accuracy ----------------------------------------------------------------------


def test_accuracy_per_tag_counts_each_tag_of_an_item():
    """An item with two tags counts once for each; names and links come from the Tag rows."""
    treaties = TagFactory(slug="treaties", name="Treaties")
    borders = TagFactory(slug="borders", name="Borders")
    attempt = AttemptFactory()
    answer(attempt, correct=True, tag_slugs=["treaties", "borders"])
    answer(attempt, correct=False, tag_slugs=["treaties"])
    answer(attempt, correct=False, tag_slugs=["treaties"])
    ItemFactory(attempt=attempt, tag_slugs=["treaties"])  # not answered: ignored
    report = stats.accuracy(Item.objects.filter(attempt__user=attempt.user))
    by_label = {row.label: row for row in report.tags}
    assert (by_label["Treaties"].correct, by_label["Treaties"].answered) == (1, 3)
    assert (by_label["Borders"].correct, by_label["Borders"].answered) == (1, 1)
    assert by_label["Treaties"].percent == 33
    assert by_label["Treaties"].url == treaties.get_absolute_url()
    assert by_label["Borders"].url == borders.get_absolute_url()
    assert [row.label for row in report.tags] == ["Treaties", "Borders"]  # weakest first
    assert (report.correct, report.answered) == (1, 3)


def test_accuracy_keeps_an_unknown_tag_as_its_slug_without_link():
    """A tag deleted since the attempt shows its slug and no link."""
    attempt = AttemptFactory()
    answer(attempt, correct=True, tag_slugs=["gone"])
    report = stats.accuracy(Item.objects.filter(attempt__user=attempt.user))
    assert [(row.label, row.url) for row in report.tags] == [("gone", "")]


def test_accuracy_per_section_tells_apart_equal_slugs_of_two_dossiers():
    """Section slugs are unique per dossier: the item's fact says which dossier it is."""
    first = SectionFactory(slug="trade", context="trade")
    second = SectionFactory(slug="trade", context="commerce")
    attempt = AttemptFactory(quiz__topic=first.topic)
    answer(attempt, correct=True, section_slug="trade", fact=FactFactory(topic=first.topic))
    answer(attempt, correct=False, section_slug="trade", fact=FactFactory(topic=second.topic))
    answer(attempt, correct=False, section_slug="trade", fact=FactFactory(topic=second.topic))
    report = stats.accuracy(Item.objects.filter(attempt__user=attempt.user))
    rows = {row.url: (row.label, row.correct, row.answered) for row in report.sections}
    assert rows == {
        first.get_absolute_url(): (first.heading, 1, 1),
        second.get_absolute_url(): (second.heading, 0, 2),
    }


def test_accuracy_only_reads_the_items_it_is_given():
    """Another player's answers do not count in my accuracy."""
    mine, theirs = AttemptFactory(), AttemptFactory()
    answer(mine, correct=True, tag_slugs=["t"])
    answer(theirs, correct=False, tag_slugs=["t"])
    report = stats.accuracy(Item.objects.filter(attempt__user=mine.user))
    assert [(row.correct, row.answered) for row in report.tags] == [(1, 1)]


# Streak ------------------------------------------------------------------------


TODAY = dt.date(2026, 3, 18)


@pytest.mark.parametrize(
    ("days_ago", "streak"),
    [
        ({0, 1, 2}, 3),  # up to today
        ({1, 2, 3, 4}, 4),  # up to yesterday: still alive today
        ({0, 2, 3}, 1),  # a gap yesterday breaks it
        ({2, 3}, 0),  # last played two days ago: broken
        (set(), 0),
        ({0}, 1),
    ],
)
def test_current_streak(days_ago, streak):
    """Consecutive days played ending today or yesterday."""
    days = {TODAY - dt.timedelta(days=n) for n in days_ago}
    assert stats.current_streak(days, TODAY) == streak


def test_days_played_are_utc_days_with_an_answered_item():
    """Answers at 23:30 and 00:30 UTC fall on two days; an unanswered item is no day."""
    attempt = AttemptFactory()
    late = dt.datetime(2026, 3, 16, 23, 30, tzinfo=dt.UTC)
    answer(attempt, correct=True, at=late)
    answer(attempt, correct=False, at=late + dt.timedelta(hours=1))
    answer(attempt, correct=False, at=late + dt.timedelta(hours=1, minutes=5))
    ItemFactory(attempt=attempt)
    days = stats.days_played(Item.objects.filter(attempt__user=attempt.user))
    assert days == {dt.date(2026, 3, 16), dt.date(2026, 3, 17)}
    assert stats.current_streak(days, dt.date(2026, 3, 18)) == 2


# Best per quiz ---------------------------------------------------------------------


def test_best_per_quiz_takes_the_best_finished_percentage():
    """Best percentage over finished attempts, per quiz; unfinished and reviews do not count."""
    user = UserFactory()
    quiz, other = QuizFactory(title="Alpha"), QuizFactory(title="Beta")
    AttemptFactory(user=user, quiz=quiz, score=3, length=10, finished_at=NOW)
    AttemptFactory(user=user, quiz=quiz, score=4, length=5, finished_at=NOW)
    AttemptFactory(user=user, quiz=quiz, score=10, length=10, finished_at=None)
    AttemptFactory(user=user, quiz=quiz, score=5, length=5, finished_at=NOW, mode=Attempt.Mode.REVIEW)
    AttemptFactory(user=user, quiz=other, score=1, length=5, finished_at=NOW)
    AttemptFactory(quiz=other, score=5, length=5, finished_at=NOW)  # someone else
    rows = [(row["quiz__title"], row["plays"], row["best"]) for row in stats.best_per_quiz(user)]
    assert rows == [("Alpha", 2, 80), ("Beta", 1, 20)]


# The page ------------------------------------------------------------------------


def test_history_needs_login(client):
    """Anonymous visitors are sent to log in."""
    response = client.get(reverse("history"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_history_empty_state(client):
    """A new user is invited to play their first quiz."""
    client.force_login(UserFactory())
    response = client.get(reverse("history"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Play your first quiz" in html
    assert f'href="{reverse("home")}"' in html


def test_history_lists_my_attempts_with_links_to_results(client):
    """Every attempt with quiz, score and a results link (or carry on if unfinished); not others'."""
    user = UserFactory()
    finished = AttemptFactory(user=user, quiz__title="Border treaties", score=4, length=5, finished_at=NOW)
    going = AttemptFactory(user=user, quiz__title="Famine years", score=1, length=10)
    AttemptFactory(quiz__title="Someone else's quiz", finished_at=NOW)
    TagFactory(slug="treaties", name="Treaties")
    answer(finished, correct=True, tag_slugs=["treaties"])
    client.force_login(user)
    response = client.get(reverse("history"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Border treaties" in html
    assert "4/5" in html
    assert reverse("attempt_results", args=[finished.pk]) in html
    assert reverse("quiz_leaderboard", args=[finished.quiz.slug]) in html  # its best, linked to its board
    assert "Famine years" in html
    assert going.get_absolute_url() in html
    assert "Someone else" not in html
    assert "Treaties" in html
    assert '<meter min="0" max="100"' in html
    assert "style=" not in html


def test_history_shows_the_streak_and_totals(client):
    """Totals and today's streak appear on the page."""
    user = UserFactory()
    attempt = AttemptFactory(user=user, finished_at=NOW)
    answer(attempt, correct=True)
    answer(attempt, correct=False, at=NOW - dt.timedelta(days=1))
    client.force_login(user)
    html = client.get(reverse("history")).content.decode()
    assert "1/2" in html
    assert "2</span> days in a row" in html


def play(user, count: int) -> None:
    """``count`` finished attempts on distinct quizzes, each with tagged, sectioned answers."""
    for n in range(count):
        attempt = AttemptFactory(user=user, score=1, length=2, finished_at=NOW)
        section = SectionFactory(topic=attempt.quiz.topic)
        tag = TagFactory()
        fact = FactFactory(topic=attempt.quiz.topic, section=section)
        answer(attempt, correct=True, tag_slugs=[tag.slug], section_slug=section.slug, fact=fact)
        answer(attempt, correct=n % 2 == 0, tag_slugs=[tag.slug], section_slug=section.slug, fact=fact)


@pytest.mark.parametrize("count", [2, 20])
def test_history_query_count_does_not_grow_with_attempts(client, django_assert_max_num_queries, count):
    """The page reads a fixed number of queries whether there are 2 or 20 attempts (one of
    them looks for overdue timed attempts to close first)."""
    user = UserFactory()
    play(user, count)
    client.force_login(user)
    with django_assert_max_num_queries(14):  # + the header's review and assigned counts
        response = client.get(reverse("history"))
    assert response.status_code == 200


def test_history_query_count_is_the_same_for_2_and_20_attempts(client):
    """Exactly as many queries for 20 attempts as for 2."""
    counts = []
    for count in (2, 20):
        user = UserFactory()
        play(user, count)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("history"))
        counts.append(len(queries))
    assert counts[0] == counts[1]
