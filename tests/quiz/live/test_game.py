"""The game's rules as plain functions: joining, the window, one answer, scoring, the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.live import game as live
from quiz.live.models import LiveAnswer, LiveGame, LivePlayer
from quiz.models import Attempt
from tests.factories import UserFactory
from tests.quiz.live.conftest import right_choice

pytestmark = pytest.mark.django_db(transaction=True)


def opened(game: LiveGame) -> live.Opened:
    game.refresh_from_db()
    return live.Opened(game.position, game.opened_at.timestamp(), game.window_seconds, game.scoring)


def test_a_game_freezes_its_questions_and_has_a_six_digit_pin(game):
    assert len(game.pin) == 6
    assert game.pin.isdigit()
    assert game.state == LiveGame.State.LOBBY
    assert game.question_count == 5
    assert [q.correct for q in game.questions.all()] == [right_choice(n) for n in range(1, 6)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Choose a nickname."),
        ("x" * 21, "at most 20"),
        ("F.u.c.k", "Choose another"),
        ("5h1t head", "Choose another"),
        ("a\x00b", "control"),
        ("!!!", "letter or digit"),
    ],
)
def test_nicknames_are_checked(raw, message):
    with pytest.raises(live.JoinRefused, match=message):
        live.clean_nickname(raw)


def test_nicknames_are_tidied_and_unique_in_a_game_whatever_the_case(game):
    assert live.clean_nickname("  Ada   Lovelace ") == "Ada Lovelace"
    live.join(game, "Ada", user_id=None, session_key="s1")
    with pytest.raises(live.JoinRefused, match="taken"):
        live.join(game, "ADA", user_id=None, session_key="s2")


def test_rejoining_from_the_same_browser_keeps_the_player(game):
    first = live.join(game, "Ada", user_id=None, session_key="s1")
    again = live.join(game, "Other name", user_id=None, session_key="s1")
    assert again.pk == first.pk
    assert LivePlayer.objects.count() == 1


def test_a_removed_player_cannot_come_back(game):
    player = live.join(game, "Ada", user_id=None, session_key="s1")
    assert live.remove_player(game, player.pk)
    with pytest.raises(live.JoinRefused, match="removed"):
        live.join(game, "Ada 2", user_id=None, session_key="s1")


def test_one_answer_per_player_per_question_and_the_first_stands(game):
    player = live.join(game, "Ada", user_id=None, session_key="s1")
    assert live.open_next_question(game)
    o = opened(game)
    first = live.record_answer(game.pk, player.pk, o, 2)
    second = live.record_answer(game.pk, player.pk, o, 0)
    assert first == live.Answered(choice=2, stored=True)
    assert second == live.Answered(choice=2, stored=False)
    assert LiveAnswer.objects.get().choice == 2


def test_a_batch_judges_each_answer_on_its_own(game):
    """What the WebSocket side writes in one transaction (the PostgreSQL path sends it in one
    round trip): a first answer, the same player's second (the first stands), an answer to a
    stale question, an option that does not exist, a removed player's; then one more player."""
    ada, bob, cy, dee = (
        live.join(game, name, user_id=None, session_key=name) for name in ("Ada", "Bob", "Cy", "Dee")
    )
    live.open_next_question(game)
    o = opened(game)
    stale = live.Opened(o.position + 1, o.opened_at, o.window, o.scoring)
    live.remove_player(game, cy.pk)
    results = live.record_answers(
        [
            (game.pk, ada.pk, o, 2),
            (game.pk, ada.pk, o, 0),
            (game.pk, bob.pk, stale, 1),
            (game.pk, bob.pk, o, 7),
            (game.pk, cy.pk, o, 1),
            (game.pk, dee.pk, o, right_choice(1)),
        ]
    )
    assert results == [
        live.Answered(choice=2, stored=True),
        live.Answered(choice=2, stored=False),
        None,
        None,
        None,
        live.Answered(choice=right_choice(1), stored=True),
    ]
    assert sorted(LiveAnswer.objects.values_list("player__nickname", "choice")) == [
        ("Ada", 2),
        ("Dee", right_choice(1)),
    ]
    assert LiveAnswer.objects.get(player=dee).points > 0


def test_an_answer_after_the_deadline_is_refused(game):
    player = live.join(game, "Ada", user_id=None, session_key="s1")
    live.open_next_question(game)
    o = opened(game)
    LiveGame.objects.filter(pk=game.pk).update(deadline=timezone.now() - timedelta(milliseconds=1))
    assert live.record_answer(game.pk, player.pk, o, 0) is None
    assert not LiveAnswer.objects.exists()


def test_an_answer_to_another_question_or_an_option_that_does_not_exist_is_refused(game):
    player = live.join(game, "Ada", user_id=None, session_key="s1")
    live.open_next_question(game)
    o = opened(game)
    stale = live.Opened(o.position + 1, o.opened_at, o.window, o.scoring)
    assert live.record_answer(game.pk, player.pk, stale, 0) is None
    assert live.record_answer(game.pk, player.pk, o, 4) is None
    assert not LiveAnswer.objects.exists()


def test_a_removed_player_cannot_answer(game):
    player = live.join(game, "Ada", user_id=None, session_key="s1")
    live.open_next_question(game)
    live.remove_player(game, player.pk)
    assert live.record_answer(game.pk, player.pk, opened(game), 0) is None


def test_speed_points_follow_kahoot_and_accuracy_gives_a_flat_thousand():
    o = live.Opened(1, 100.0, 20.0, "speed")
    assert live.points_for(o, 100.0) == 1000
    assert live.points_for(o, 110.0) == 750
    assert live.points_for(o, 130.0) == 500
    assert live.points_for(live.Opened(1, 100.0, 20.0, "accuracy"), 119.0) == 1000
    assert live.points_for(live.Opened(1, 100.0, 0, "untimed"), 500.0) == 1000


def test_a_question_opens_and_closes_once(game):
    assert live.open_next_question(game)
    assert not live.open_next_question(game)  # stale object: the game moved on
    game.refresh_from_db()
    assert not live.close_if_due(game.pk)  # before its deadline
    LiveGame.objects.filter(pk=game.pk).update(deadline=timezone.now())
    assert live.close_if_due(game.pk)
    assert not live.close_if_due(game.pk)
    assert not live.close_question(game.pk, 1)


def test_extra_time_makes_the_window_half_as_long_again(live_quiz, host):
    game = live.create_game(host.pk, live_quiz, length=5, scoring="speed", seconds=20, extra_time=True)
    live.open_next_question(game)
    game.refresh_from_db()
    assert (game.deadline - game.opened_at).total_seconds() == pytest.approx(30)


def test_untimed_questions_have_no_deadline_and_close_when_everyone_answered(live_quiz, host):
    game = live.create_game(host.pk, live_quiz, length=5, scoring="untimed", seconds=20)
    a = live.join(game, "Ada", user_id=None, session_key="s1")
    b = live.join(game, "Bob", user_id=None, session_key="s2")
    live.open_next_question(game)
    game.refresh_from_db()
    assert game.deadline is None
    live.record_answer(game.pk, a.pk, opened(game), 0)
    assert not live.close_if_all_answered(game.pk, 1)
    live.record_answer(game.pk, b.pk, opened(game), 1)
    assert live.close_if_all_answered(game.pk, 1)


def test_the_stage_holds_no_answer_while_the_question_is_open(game):
    live.join(game, "Ada", user_id=None, session_key="s1")
    live.open_next_question(game)
    stage = live.stage(game.pk)
    assert "reveal" not in stage
    assert "standings" not in stage
    assert "correct" not in stage["question"]
    live.close_question(game.pk, 1)
    assert live.stage(game.pk)["reveal"]["correct"] == right_choice(1)


def test_standings_rank_by_points_with_ties_sharing_a_rank(game):
    players = [live.join(game, n, user_id=None, session_key=f"s{n}") for n in ("Ada", "Bob", "Cy")]
    live.open_next_question(game)
    o = live.Opened(1, opened(game).opened_at, 20.0, "accuracy")
    live.record_answer(game.pk, players[0].pk, o, right_choice(1))
    live.record_answer(game.pk, players[1].pk, o, right_choice(1))
    live.record_answer(game.pk, players[2].pk, o, right_choice(1) + 1)
    live.close_question(game.pk, 1)
    stage = live.stage(game.pk)
    assert stage["reveal"]["counts"] == [2, 1, 0, 0]
    assert stage["standings"][str(players[0].pk)][:4] == [1, 1000, 1000, True]
    assert stage["standings"][str(players[1].pk)][:2] == [1, 1000]
    assert stage["standings"][str(players[2].pk)][:4] == [3, 0, 0, False]
    assert stage["top"][0] == ["Ada", 1000, 1]


def test_the_end_gives_signed_in_players_a_live_attempt(game):
    student = UserFactory()
    signed_in = live.join(game, "Stu", user_id=student.pk, session_key="")
    live.join(game, "Anon", user_id=None, session_key="s1")
    live.open_next_question(game)
    live.record_answer(game.pk, signed_in.pk, opened(game), right_choice(1))
    live.close_question(game.pk, 1)
    assert live.finish(game.pk)
    assert not live.finish(game.pk)
    attempt = Attempt.objects.get()
    assert (attempt.user, attempt.mode, attempt.score, attempt.length) == (student, "live", 1, 1)
    assert attempt.finished_at is not None
    assert attempt.items.get().chosen == right_choice(1)


def test_a_game_whose_host_is_gone_ends_by_itself(game):
    LiveGame.objects.filter(pk=game.pk).update(
        host_seen_at=timezone.now() - live.HOST_GONE_AFTER - timedelta(seconds=1)
    )
    assert live.end_abandoned() == 1
    game.refresh_from_db()
    assert game.state == LiveGame.State.ENDED


def test_live_sweep_ends_abandoned_games(game):
    from io import StringIO

    from django.core.management import call_command

    LiveGame.objects.filter(pk=game.pk).update(host_seen_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("live_sweep", stdout=out)
    assert out.getvalue().strip() == "Ended 1 abandoned live game."
    assert LiveGame.objects.get(pk=game.pk).ended_at is not None


def test_a_live_game_counts_in_the_class_results_as_a_live_game(game):
    from quiz.classes import results as stats
    from tests.factories import ClassroomFactory, MembershipFactory

    student = UserFactory()
    classroom = ClassroomFactory()
    MembershipFactory(classroom=classroom, student=student)
    player = live.join(game, "Stu", user_id=student.pk, session_key="")
    live.open_next_question(game)
    live.record_answer(game.pk, player.pk, opened(game), right_choice(1))
    live.close_question(game.pk, 1)
    live.finish(game.pk)
    attempt = stats.class_attempts(classroom).get()
    assert attempt.get_mode_display() == "Live game"
    assert stats.class_progress(classroom).get().average == 100
