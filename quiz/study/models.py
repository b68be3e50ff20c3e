"""The study tables: one memory card per (player, fact), its review log, a player's settings.

A *player* is a string key, ``u<user id>`` or ``s<session key>`` (:func:`player_key`): the
same two identities attempts use, in one indexed column, so "this player's due cards" is
one range scan of the ``(player, due)`` index and the card upsert has one conflict target
``(player, fact)`` on SQLite and PostgreSQL alike. ``user`` is kept beside it so deleting
an account deletes its cards.

The FSRS state (``state``, ``step``, ``stability``, ``difficulty``, ``due``,
``last_review``) is stored in columns, exactly the fields of ``fsrs.Card``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from content.models import Fact

MIN_RETENTION = 0.7
MAX_RETENTION = 0.97
DEFAULT_RETENTION = 0.9
DEFAULT_NEW_PER_DAY = 10
MAX_NEW_PER_DAY = 100


def player_key(user_id: int | None, session_key: str) -> str:
    """The ``player`` column for a user id or, without one, a session key ("" when neither)."""
    if user_id is not None:
        return f"u{user_id}"
    return f"s{session_key}" if session_key else ""


class MemoryCard(models.Model):
    """What the player remembers of one fact, as FSRS schedules it."""

    class State(models.IntegerChoices):  # fsrs.State's values
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    player = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="memory_cards"
    )
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="memory_cards")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    last_form = models.CharField(max_length=20, blank=True, help_text="The question form of the last review.")
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    introduced_at = models.DateTimeField(help_text="When the player first met the fact.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["player", "fact"], name="memory_card_player_fact"),
        ]
        indexes = [models.Index(fields=["player", "due"], name="memory_card_player_due")]

    def __str__(self) -> str:
        return f"{self.player}: fact {self.fact_id} due {self.due:%Y-%m-%d %H:%M}"


class ReviewLog(models.Model):
    """One review of one card, kept for fitting the model's parameters later."""

    class Rating(models.IntegerChoices):  # fsrs.Rating's values
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    player = models.CharField(max_length=80, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="review_logs"
    )
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="review_logs")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    form = models.CharField(max_length=20, blank=True)
    reviewed_at = models.DateTimeField()
    state = models.PositiveSmallIntegerField(choices=MemoryCard.State.choices, help_text="After the review.")
    stability = models.FloatField(help_text="After the review.")
    difficulty = models.FloatField(help_text="After the review.")
    due = models.DateTimeField(help_text="The next review, as scheduled by this one.")

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.player}: fact {self.fact_id} {self.get_rating_display()} at {self.reviewed_at}"


class StudySettings(models.Model):
    """A signed-in player's study settings (anonymous players get the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_settings"
    )
    desired_retention = models.FloatField(
        default=DEFAULT_RETENTION,
        validators=[
            MinValueValidator(
                MIN_RETENTION, f"Choose a retention between {MIN_RETENTION} and {MAX_RETENTION}."
            ),
            MaxValueValidator(
                MAX_RETENTION, f"Choose a retention between {MIN_RETENTION} and {MAX_RETENTION}."
            ),
        ],
        help_text="The share of facts you want to still recall when they come up for review.",
    )
    new_per_day = models.PositiveSmallIntegerField(
        default=DEFAULT_NEW_PER_DAY,
        validators=[MaxValueValidator(MAX_NEW_PER_DAY, f"At most {MAX_NEW_PER_DAY} new facts a day.")],
        help_text="New facts a review session may introduce each day.",
    )

    class Meta:
        verbose_name_plural = "study settings"

    def __str__(self) -> str:
        return f"{self.user}: retention {self.desired_retention}, {self.new_per_day} new a day"
