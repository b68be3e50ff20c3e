"""The life of a live game, as plain functions: create, join, open, answer, close, finish.

Decisions written down here:

- Every change of state is one conditional UPDATE of the game (``WHERE state = … AND
  position = …``): two app servers, a double click or the host's timer racing a player's
  last answer cannot open or close a question twice. Whoever changed the row broadcasts.
- An answer is one ``INSERT … SELECT … WHERE`` the game is on that question and before
  its deadline, ``ON CONFLICT DO NOTHING``: the window check and the write are one
  statement, and the unique (player, question) constraint makes a replay or a second tab
  change nothing. The points are computed before (they depend only on when the question
  opened and now) and stored only if the row is written.
- What the screens show is a :func:`stage` (a plain dict, serialisable for the channel
  layer), built from the database once per change and sent to every consumer of the game,
  each of which renders its own player's part. The right answer, the counts and the
  standings are put in a stage only once the question is closed.
- A game ends when the host ends it, after its last question, or when its host has not
  been seen for :data:`HOST_GONE_AFTER` (:func:`end_abandoned`, run on joins, on game
  creation and by ``manage.py live_sweep``).
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from content.models import Tag
from quiz import generation
from quiz.live.models import LiveAnswer, LiveGame, LivePlayer, LiveQuestion
from quiz.models import Attempt, Item, Quiz
from quiz.play.attempts import NoQuestions, new_seed

__all__ = ["NoQuestions"]

PIN_DIGITS = 6
NICKNAME_MAX = 20
HOST_GONE_AFTER = timedelta(minutes=15)
MAX_POINTS = 1000
TOP = 5
#: Question forms a phone can answer with one button; "put in order" needs a list.
BUTTON_FORMS = frozenset({"multiple_choice", "true_false", "first"})
LENGTHS = (5, 10, 20)
SECONDS = (10, 20, 30, 60)


def group_name(game_id: Any) -> str:
    """The channel-layer group of every screen of a game."""
    return f"live-{_hex(game_id)}"


def host_group_name(game_id: Any) -> str:
    """The group of the host's screens only (lobby changes, answer counts)."""
    return f"live-{_hex(game_id)}-host"


def _hex(game_id: Any) -> str:
    return game_id.hex if hasattr(game_id, "hex") else str(game_id).replace("-", "")


# Creating -----------------------------------------------------------------------


def new_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def create_game(
    host_id: int,
    quiz: Quiz,
    *,
    length: int,
    scoring: str,
    seconds: int,
    extra_time: bool = False,
    tag: Tag | None = None,
    classroom_id: int | None = None,
    title: str = "",
) -> LiveGame:
    """A game in its lobby with ``length`` frozen questions (fewer if the bank is short).

    Raises :class:`NoQuestions` if the quiz yields no question a phone can answer.
    """
    end_abandoned()
    seed = new_seed()
    built = [
        q
        for q in generation.build_quiz(quiz, length=length * 2, seed=seed, tag=tag)
        if q.form in BUTTON_FORMS and isinstance(q.answer, int)
    ][:length]
    if not built:
        raise NoQuestions
    for _ in range(20):
        try:
            with transaction.atomic():
                game = LiveGame.objects.create(
                    pin=new_pin(),
                    host_id=host_id,
                    quiz=quiz,
                    tag=tag,
                    classroom_id=classroom_id,
                    title=title or (f"{quiz.title}: {tag.name}" if tag else quiz.title),
                    scoring=scoring,
                    seconds=seconds,
                    extra_time=extra_time,
                    question_count=len(built),
                    host_seen_at=timezone.now(),
                )
                LiveQuestion.objects.bulk_create(
                    LiveQuestion(
                        game=game,
                        position=position,
                        form=q.form,
                        stem=q.stem,
                        options=list(q.options),
                        correct=int(q.answer),  # type: ignore[arg-type]  # BUTTON_FORMS answer with an index
                        explanation=q.explanation,
                        notes=list(q.notes),
                        fact_id=q.fact_ids[0] if q.fact_ids else None,
                        question_id=q.question_id,
                        fact_ids=list(q.fact_ids),
                        passage_url=q.passage_url,
                        passage_title=q.passage_title,
                        sources=list(q.sources),
                        tag_slugs=list(q.tags),
                        section_slug=q.section_slug,
                    )
                    for position, q in enumerate(built, start=1)
                )
                return game
        except IntegrityError:  # the PIN is in use by an open game: draw another
            continue
    raise RuntimeError("No free PIN after 20 draws")  # pragma: no cover - 10**6 PINs


# Joining ------------------------------------------------------------------------

#: Words a nickname may not contain (after folding case, accents, spaces, digits-for-letters).
#: A short list of the obvious, not a censor: the host can still remove any nickname.
BLOCKED_WORDS = (
    "fuck",
    "shit",
    "cunt",
    "bitch",
    "nigger",
    "nigga",
    "faggot",
    "fag",
    "whore",
    "slut",
    "dick",
    "cock",
    "pussy",
    "penis",
    "vagina",
    "rape",
    "nazi",
    "hitler",
    "wank",
    "twat",
    "bastard",
    "asshole",
    "arsehole",
    "retard",
    "porn",
    "sex",
    "kys",
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)


class JoinRefused(Exception):
    """The player cannot join; the message says why, for the form."""


def clean_nickname(raw: str) -> str:
    """The nickname as shown: NFC, whitespace runs collapsed; raises :class:`JoinRefused`."""
    nickname = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not nickname:
        raise JoinRefused("Choose a nickname.")
    if len(nickname) > NICKNAME_MAX:
        raise JoinRefused(f"A nickname has at most {NICKNAME_MAX} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in nickname):
        raise JoinRefused("A nickname cannot contain control characters.")
    if not any(ch.isalnum() for ch in nickname):
        raise JoinRefused("A nickname needs at least one letter or digit.")
    squashed = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", nickname.casefold().translate(_LEET))
        if ch.isalpha() and not unicodedata.combining(ch)
    )
    if any(word in squashed for word in BLOCKED_WORDS):
        raise JoinRefused("Choose another nickname.")
    return nickname


def nickname_key(nickname: str) -> str:
    return nickname.casefold()


def open_game_with_pin(pin: str) -> LiveGame | None:
    if not re.fullmatch(rf"\d{{{PIN_DIGITS}}}", pin):
        return None
    return LiveGame.objects.filter(pin=pin, ended_at__isnull=True).first()


def player_of(game_id: Any, user_id: int | None, session_key: str) -> LivePlayer | None:
    """The player this browser is in the game: by account when signed in, else by session."""
    if user_id is not None:
        return LivePlayer.objects.filter(game_id=game_id, user_id=user_id).first()
    if not session_key:
        return None
    return LivePlayer.objects.filter(game_id=game_id, user__isnull=True, session_key=session_key).first()


def join(game: LiveGame, raw_nickname: str, *, user_id: int | None, session_key: str) -> LivePlayer:
    """The browser's player in ``game``: the one it already has (rejoining), or a new one."""
    existing = player_of(game.pk, user_id, session_key)
    if existing is not None:
        if existing.removed:
            raise JoinRefused("The host removed you from this game.")
        return existing
    if game.ended_at is not None:
        raise JoinRefused("This game has ended.")
    nickname = clean_nickname(raw_nickname)
    try:
        with transaction.atomic():
            player = LivePlayer.objects.create(
                game=game,
                nickname=nickname,
                nickname_key=nickname_key(nickname),
                user_id=user_id,
                session_key="" if user_id is not None else session_key,
            )
    except IntegrityError:
        existing = player_of(game.pk, user_id, session_key)  # a second tab joined first
        if existing is not None and not existing.removed:
            return existing
        raise JoinRefused("That nickname is taken in this game: choose another.") from None
    return player


def remove_player(game: LiveGame, player_id: int) -> bool:
    return bool(LivePlayer.objects.filter(game=game, pk=player_id, removed=False).update(removed=True))


# Moving the game on -------------------------------------------------------------


def open_next_question(game: LiveGame) -> bool:
    """From the lobby or a question's results to the next question; False if someone else
    moved the game on first, or there is no next question."""
    if game.position >= game.question_count or game.state not in (
        LiveGame.State.LOBBY,
        LiveGame.State.REVEAL,
    ):
        return False
    now = timezone.now()
    deadline = now + timedelta(seconds=game.window_seconds) if game.is_timed else None
    moved = LiveGame.objects.filter(
        pk=game.pk, state=game.state, position=game.position, ended_at__isnull=True
    ).update(state=LiveGame.State.QUESTION, position=game.position + 1, opened_at=now, deadline=deadline)
    return bool(moved)


def close_question(game_id: Any, position: int) -> bool:
    """Close question ``position`` now (the host's button, or everyone has answered)."""
    return bool(
        LiveGame.objects.filter(pk=game_id, state=LiveGame.State.QUESTION, position=position).update(
            state=LiveGame.State.REVEAL, deadline=timezone.now()
        )
    )


def close_if_due(game_id: Any) -> bool:
    """Close the open question if its deadline has passed; True if this call closed it."""
    return bool(
        LiveGame.objects.filter(
            pk=game_id, state=LiveGame.State.QUESTION, deadline__isnull=False, deadline__lte=timezone.now()
        ).update(state=LiveGame.State.REVEAL)
    )


def close_if_all_answered(game_id: Any, position: int) -> bool:
    """Close question ``position`` early once every player still in the game has answered."""
    players = LivePlayer.objects.filter(game_id=game_id, removed=False).count()
    answers = LiveAnswer.objects.filter(
        question__game_id=game_id, question__position=position, player__removed=False
    ).count()
    return players > 0 and answers >= players and close_question(game_id, position)


def touch_host(game_id: Any) -> None:
    LiveGame.objects.filter(pk=game_id, ended_at__isnull=True).update(host_seen_at=timezone.now())


@transaction.atomic
def finish(game_id: Any) -> bool:
    """End the game; signed-in players get a finished attempt (mode "live"). True if this
    call ended it."""
    now = timezone.now()
    if not LiveGame.objects.filter(pk=game_id, ended_at__isnull=True).update(
        state=LiveGame.State.ENDED, ended_at=now, deadline=None
    ):
        return False
    game = LiveGame.objects.get(pk=game_id)
    record_attempts(game, now)
    return True


def end_abandoned(now: datetime | None = None) -> int:
    """End every open game whose host has not been seen for :data:`HOST_GONE_AFTER`."""
    cutoff = (now or timezone.now()) - HOST_GONE_AFTER
    ended = 0
    for game_id in LiveGame.objects.filter(ended_at__isnull=True, host_seen_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        if finish(game_id):
            ended += 1
            broadcast_after_commit(game_id)
    return ended


def record_attempts(game: LiveGame, finished_at: datetime) -> None:
    """One finished Attempt (mode "live") with its items for each signed-in player, so the
    game counts in class results and history as a live game."""
    players = list(game.players.filter(user__isnull=False, removed=False, attempt__isnull=True))
    if not players:
        return
    questions = list(game.questions.filter(position__lte=game.position))
    answers: dict[tuple[int, int], LiveAnswer] = {
        (a.player_id, a.question_id): a
        for a in LiveAnswer.objects.filter(player__in=players, question__in=questions)
    }
    attempts = []
    items = []
    for player in players:
        mine = [answers.get((player.pk, q.pk)) for q in questions]
        attempt = Attempt(
            user_id=player.user_id,
            quiz_id=game.quiz_id,
            tag_id=game.tag_id,
            mode=Attempt.Mode.LIVE,
            seed=0,
            length=len(questions),
            score=sum(1 for a in mine if a is not None and a.is_correct),
            answered_count=sum(1 for a in mine if a is not None),
            finished_at=finished_at,
            share_code=secrets.token_urlsafe(9),
        )
        attempts.append(attempt)
        player.attempt = attempt
        for q, answer in zip(questions, mine, strict=True):
            items.append(
                Item(
                    attempt=attempt,
                    position=q.position,
                    form=q.form,
                    stem=q.stem,
                    options=q.options,
                    correct=q.correct,
                    explanation=q.explanation,
                    notes=q.notes,
                    fact_id=q.fact_id,
                    question_id=q.question_id,
                    fact_ids=q.fact_ids,
                    passage_url=q.passage_url,
                    passage_title=q.passage_title,
                    sources=q.sources,
                    tag_slugs=q.tag_slugs,
                    section_slug=q.section_slug,
                    served_at=game.opened_at if answer is None else None,
                    answered_at=answer.answered_at if answer else None,
                    chosen=answer.choice if answer else None,
                    is_correct=answer.is_correct if answer else None,
                )
            )
    Attempt.objects.bulk_create(attempts)
    Item.objects.bulk_create(items)
    LivePlayer.objects.bulk_update(players, ["attempt"])


# Answering ----------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """What a consumer knows of the open question to score an answer without reading."""

    position: int
    opened_at: float  # a POSIX timestamp
    window: float  # seconds; 0 when untimed
    scoring: str


def points_for(opened: Opened, now: float) -> int:
    """The points of a right answer given at ``now``: Kahoot's 1000 × (1 − t / T / 2) when
    speed counts, 1000 otherwise."""
    if opened.scoring != LiveGame.Scoring.SPEED or opened.window <= 0:
        return MAX_POINTS
    elapsed = min(max(now - opened.opened_at, 0.0), opened.window)
    return round(MAX_POINTS * (1 - elapsed / opened.window / 2))


@dataclass(frozen=True)
class Answered:
    choice: int
    stored: bool  # False: an earlier answer stands (a replay, another tab)


def record_answer(game_id: Any, player_id: int, opened: Opened, choice: int) -> Answered | None:
    """Store the player's answer to question ``opened.position``, if the game is still on it,
    before its deadline, and the player has not answered it. None if the window is closed
    (or the player was removed); ``Answered(stored=False)`` if an answer already stands.
    """
    return record_answers([(game_id, player_id, opened, choice)])[0]


def record_answers(batch: list[tuple[Any, int, Opened, int]]) -> list[Answered | None]:
    """:func:`record_answer` for several answers in one transaction (one commit): the
    WebSocket side gathers the answers that arrive while the previous batch is written.
    Each answer is still its own conditional INSERT, so each is judged on its own."""
    connection = connections[router.db_for_write(LiveAnswer)]
    sql = _insert_answer_sql(connection)
    rows = []
    for game_id, player_id, opened, choice in batch:
        now = timezone.now()
        at = connection.ops.adapt_datetimefield_value(now)
        rows.append(
            [
                choice,
                choice,
                choice,
                points_for(opened, now.timestamp()),
                max(0, round((now.timestamp() - opened.opened_at) * 1000)),
                at,
                player_id,
                LiveGame._meta.pk.get_db_prep_value(game_id, connection),
                False,
                LiveGame.State.QUESTION,
                opened.position,
                at,
                opened.position,
                choice,
            ]
        )
    stored: list[bool] = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1:
            # psycopg sends the whole batch in pipeline mode, one round trip for all the
            # INSERTs instead of one each, and gives each its own RETURNING result. A
            # 300-player burst on PostgreSQL (make bench-live, 2026-11-30, one uvicorn):
            # answer p99 217–696 ms → see the README's table for the figures after.
            raw = cursor.cursor
            raw.executemany(sql, rows, returning=True)
            stored = [result.fetchone() is not None for result in raw.results()]
        else:
            for row in rows:
                cursor.execute(sql, row)
                stored.append(cursor.fetchone() is not None)
    results: list[Answered | None] = []
    for (game_id, player_id, opened, choice), written in zip(batch, stored, strict=True):
        if written:
            results.append(Answered(choice=choice, stored=True))
            continue
        earlier = answered_choice(player_id, game_id, opened.position)
        results.append(Answered(choice=earlier, stored=False) if earlier is not None else None)
    return results


def _insert_answer_sql(connection: Any) -> str:
    quote = connection.ops.quote_name
    answers, games, players, questions = (
        quote(model._meta.db_table) for model in (LiveAnswer, LiveGame, LivePlayer, LiveQuestion)
    )
    # The choice must be one of the options: compared with their count by the same statement.
    length = "json_array_length" if connection.vendor == "sqlite" else "jsonb_array_length"
    return (
        f"INSERT INTO {answers} "
        f"(player_id, question_id, choice, is_correct, points, elapsed_ms, answered_at) "
        f"SELECT p.id, q.id, %s, q.correct = %s, CASE WHEN q.correct = %s THEN %s ELSE 0 END, %s, %s "
        f"FROM {players} p JOIN {games} g ON g.id = p.game_id "
        f"JOIN {questions} q ON q.game_id = g.id AND q.position = g.position "
        f"WHERE p.id = %s AND p.game_id = %s AND p.removed = %s AND g.state = %s AND g.position = %s "
        f"AND (g.deadline IS NULL OR g.deadline > %s) AND q.position = %s AND %s < {length}(q.options) "
        f"ON CONFLICT (player_id, question_id) DO NOTHING RETURNING choice"
    )


def answered_choice(player_id: int, game_id: Any, position: int) -> int | None:
    return (
        LiveAnswer.objects.filter(player_id=player_id, question__game_id=game_id, question__position=position)
        .values_list("choice", flat=True)
        .first()
    )


def answer_count(game_id: Any, position: int) -> int:
    return LiveAnswer.objects.filter(question__game_id=game_id, question__position=position).count()


# What the screens show ------------------------------------------------------------


def opened_of(stage: dict[str, Any]) -> Opened | None:
    question = stage.get("question")
    if stage["state"] != LiveGame.State.QUESTION or not question:
        return None
    return Opened(
        position=stage["position"],
        opened_at=question["opened_at"],
        window=question["window"],
        scoring=stage["scoring"],
    )


def stage(game_id: Any) -> dict[str, Any]:
    """Everything any screen of the game shows now, as plain data (JSON/msgpack-safe).

    Player ids are strings in ``standings`` (msgpack and JSON keep string keys). The right
    answer, the option counts and the standings are only here once the question is closed.
    """
    game = LiveGame.objects.get(pk=game_id)
    data: dict[str, Any] = {
        "built": time.time_ns(),
        "game": str(game.pk),
        "pin": game.pin,
        "title": game.title,
        "state": game.state,
        "position": game.position,
        "count": game.question_count,
        "scoring": game.scoring,
        "timed": game.is_timed,
        "players": game.players.filter(removed=False).count(),
    }
    if game.state == LiveGame.State.LOBBY:
        data["lobby"] = list(game.players.filter(removed=False).values_list("pk", "nickname"))
        return data
    question = game.questions.filter(position=game.position).first() if game.position else None
    if question is not None:
        data["question"] = {
            "stem": question.stem,
            "options": list(question.options),
            "form": question.form,
            "opened_at": game.opened_at.timestamp() if game.opened_at else 0.0,
            "deadline": game.deadline.timestamp() if game.deadline and game.is_timed else None,
            "window": game.window_seconds if game.is_timed else 0,
        }
    if game.state == LiveGame.State.QUESTION:
        data["answered"] = answer_count(game.pk, game.position)
        return data
    if question is not None:
        counts = dict(
            LiveAnswer.objects.filter(question=question).values_list("choice").annotate(n=Count("id"))
        )
        data["reveal"] = {
            "correct": question.correct,
            "counts": [counts.get(i, 0) for i in range(len(question.options))],
            "explanation": question.explanation,
            "passage_url": question.passage_url,
            "passage_title": question.passage_title,
            "sources": list(question.sources),
        }
    data.update(standings(game, question))
    return data


def standings(game: LiveGame, question: LiveQuestion | None) -> dict[str, Any]:
    """Each player's rank, total, and points on ``question``; the top five. Two queries."""
    rows = list(
        game.players.filter(removed=False)
        .annotate(
            total=Coalesce(Sum("answers__points"), 0),
            right=Count("answers", filter=Q(answers__is_correct=True)),
        )
        .values_list("pk", "nickname", "total", "right")
        .order_by("-total", "joined_at", "pk")
    )
    last: dict[int, tuple[bool, int]] = {}
    if question is not None:
        last = {
            player_id: (is_correct, points)
            for player_id, is_correct, points in LiveAnswer.objects.filter(question=question).values_list(
                "player_id", "is_correct", "points"
            )
        }
    table: dict[str, list[Any]] = {}
    rank = 0
    previous: int | None = None
    for index, (player_id, _nickname, total, right) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = index, total
        correct, points = last.get(player_id, (None, 0))
        table[str(player_id)] = [rank, total, points, correct, right]
    top = [[nickname, total, table[str(pk)][0]] for pk, nickname, total, _right in rows[:TOP]]
    return {"standings": table, "top": top, "ranked": len(rows)}


#: Stages built or received by this process, by :func:`stage_key`: a group message names a
#: stage instead of carrying it, so 300 screens do not each get a copy of 300 standings
#: (the in-memory layer deep-copies every message per receiver: 1.2 ms each at 300 players).
#: A process that has not built the stage builds it once from the database.
STAGES: OrderedDict[str, dict[str, Any]] = OrderedDict()
STAGES_KEPT = 256


def stage_key(data: dict[str, Any]) -> str:
    """A stage's name: its game, state, question, and when it was built."""
    return f"{data['game']}:{data['state']}:{data['position']}:{data['built']}"


def remember(data: dict[str, Any]) -> str:
    key = stage_key(data)
    STAGES[key] = data
    while len(STAGES) > STAGES_KEPT:
        STAGES.popitem(last=False)
    return key


def stage_message(data: dict[str, Any]) -> dict[str, Any]:
    """The group message that announces ``data`` (its key and what a receiver needs to
    rebuild an equivalent stage if it has not got this one)."""
    return {"type": "live.stage", "key": remember(data), "game": data["game"]}


def broadcast(game_id: Any) -> None:
    """Send the game's stage to every screen of it (from sync code)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - CHANNEL_LAYERS is always set
        return
    async_to_sync(layer.group_send)(group_name(game_id), stage_message(stage(game_id)))


def broadcast_after_commit(game_id: Any) -> None:
    transaction.on_commit(lambda: broadcast(game_id))
