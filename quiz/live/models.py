"""The tables of a live game: the game, its frozen questions, its players and their answers.

Game state lives here, not in any app server's memory, so several app servers can share a
game (they exchange only "something changed" messages through the channel layer). The
answer window is the ``deadline`` of the game's current question, written by the server;
an answer after it is refused by the same statement that would store it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from content.models import Tag


class LiveGame(models.Model):
    class State(models.TextChoices):
        LOBBY = "lobby", "Waiting for players"
        QUESTION = "question", "Question open"
        REVEAL = "reveal", "Results of the question"
        ENDED = "ended", "Ended"

    class Scoring(models.TextChoices):
        SPEED = "speed", "Speed and accuracy (up to 1000 points, faster earns more)"
        ACCURACY = "accuracy", "Accuracy only (1000 points for a right answer)"
        UNTIMED = "untimed", "No timer (1000 points for a right answer; the host closes each question)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pin = models.CharField(max_length=8)
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_games")
    quiz = models.ForeignKey("quiz.Quiz", on_delete=models.CASCADE, related_name="live_games")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_games")
    classroom = models.ForeignKey(
        "quiz.Classroom", null=True, blank=True, on_delete=models.SET_NULL, related_name="live_games"
    )
    title = models.CharField(max_length=200)
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.SPEED)
    seconds = models.PositiveSmallIntegerField(default=20, help_text="The answer window of each question.")
    extra_time = models.BooleanField(default=False, help_text="Every answer window is 1.5 times as long.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.LOBBY)
    position = models.PositiveSmallIntegerField(default=0, help_text="The current question; 0 in the lobby.")
    question_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    host_seen_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pin"], condition=Q(ended_at__isnull=True), name="live_pin_unique_open"
            ),
        ]
        indexes = [models.Index(fields=["ended_at", "host_seen_at"], name="live_game_open_seen")]

    def __str__(self) -> str:
        return f"{self.title} (PIN {self.pin})"

    def get_absolute_url(self) -> str:
        return reverse("live_host", args=[self.pk])

    @property
    def window_seconds(self) -> float:
        """The answer window in seconds, extra time included."""
        return self.seconds * (1.5 if self.extra_time else 1)

    @property
    def is_timed(self) -> bool:
        return self.scoring != self.Scoring.UNTIMED


class LiveQuestion(models.Model):
    """One question of a game, frozen when the game is created (like an attempt's Item).

    ``correct`` never reaches a phone or a page before the question's window has closed.
    """

    game = models.ForeignKey(LiveGame, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    form = models.CharField(max_length=20)
    stem = models.TextField()
    options = models.JSONField()
    correct = models.PositiveSmallIntegerField()
    explanation = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True)
    fact = models.ForeignKey(
        "content.Fact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.ForeignKey(
        "quiz.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fact_ids = models.JSONField(default=list, blank=True)
    passage_url = models.CharField(max_length=300, blank=True)
    passage_title = models.CharField(max_length=300, blank=True)
    sources = models.JSONField(default=list, blank=True)
    tag_slugs = models.JSONField(default=list, blank=True)
    section_slug = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["game", "position"]
        constraints = [
            models.UniqueConstraint(fields=["game", "position"], name="live_question_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.stem[:60]}"


class LivePlayer(models.Model):
    """A nickname in a game: a signed-in user, or an anonymous browser session."""

    game = models.ForeignKey(LiveGame, on_delete=models.CASCADE, related_name="players")
    nickname = models.CharField(max_length=20)
    nickname_key = models.CharField(max_length=40, help_text="The nickname case-folded: unique in a game.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_players",
    )
    session_key = models.CharField(max_length=64, blank=True)
    removed = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    attempt = models.OneToOneField(
        "quiz.Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="live_player"
    )

    class Meta:
        ordering = ["game", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["game", "nickname_key"], name="live_nickname_unique"),
            models.UniqueConstraint(
                fields=["game", "user"], condition=Q(user__isnull=False), name="live_one_player_per_user"
            ),
            models.UniqueConstraint(
                fields=["game", "session_key"],
                condition=Q(user__isnull=True) & ~Q(session_key=""),
                name="live_one_player_per_session",
            ),
        ]

    def __str__(self) -> str:
        return self.nickname


class LiveAnswer(models.Model):
    """A player's one answer to one question: the unique constraint makes it one."""

    player = models.ForeignKey(LivePlayer, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(LiveQuestion, on_delete=models.CASCADE, related_name="answers")
    choice = models.PositiveSmallIntegerField()
    is_correct = models.BooleanField()
    points = models.PositiveIntegerField()
    elapsed_ms = models.PositiveIntegerField()
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["player", "question"], name="live_one_answer_per_question"),
        ]
        indexes = [models.Index(fields=["question", "choice"], name="live_answer_question_choice")]

    def __str__(self) -> str:
        return f"{self.player} → {self.choice}"
