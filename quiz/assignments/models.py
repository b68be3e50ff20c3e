"""What an assignment keeps: the class, the quiz, its window and its grading policy.

Loaded with :mod:`quiz.models` (it imports this module), so it belongs to ``quiz``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from content.models import Topic
from quiz.models import Attempt, Classroom, Question, Quiz

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_ATTEMPT_LIMIT = 20


def new_seed() -> int:
    return secrets.randbits(31)


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def for_student(self, user: User) -> AssignmentQuerySet:
        """Assignments of the classes the student belongs to now (one query with the join)."""
        return self.filter(
            classroom__memberships__student=user, classroom__memberships__left_at__isnull=True
        ).distinct()

    def set_by(self, teacher: User) -> AssignmentQuerySet:
        return self.filter(classroom__teacher=teacher)


class Assignment(models.Model):
    """A quiz given to one class, open from ``opens_at`` and due at ``due_at``."""

    class Counts(models.TextChoices):
        BEST = "best", "Best attempt"
        FIRST = "first", "First attempt"
        LAST = "last", "Last attempt"

    class Answers(models.TextChoices):
        EACH = "each", "After each question"
        AFTER_DUE = "after_due", "Only after the due date"

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="assignments")
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    attempt_limit = models.PositiveSmallIntegerField(
        default=1,
        validators=[
            MinValueValidator(1, "Allow at least 1 attempt."),
            MaxValueValidator(MAX_ATTEMPT_LIMIT, f"Allow at most {MAX_ATTEMPT_LIMIT} attempts."),
        ],
    )
    counts = models.CharField(
        "attempt that counts", max_length=5, choices=Counts.choices, default=Counts.BEST
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "A time limit is at least 1 minute; leave it empty for none."),
            MaxValueValidator(600, "A time limit is at most 600 minutes."),
        ],
    )
    answers_shown = models.CharField(max_length=10, choices=Answers.choices, default=Answers.EACH)
    late_allowed = models.BooleanField("accept late work", default=False)
    # Every student gets the same questions in the same order (item analysis compares them).
    seed = models.BigIntegerField(default=new_seed, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("opens_at")), name="assignment_due_after_open"
            ),
            models.CheckConstraint(
                condition=Q(attempt_limit__gte=1), name="assignment_attempt_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} for {self.classroom}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The dossier's cached page lists public quizzes, and an assigned one is not.
        Topic.objects.filter(quizzes=self.quiz_id).touch()

    def get_absolute_url(self) -> str:
        return reverse("assignment_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        quiz_id = self.quiz_id
        deleted = super().delete(*args, **kwargs)
        Topic.objects.filter(quizzes=quiz_id).touch()
        return deleted

    def is_open(self, now: datetime | None = None) -> bool:
        return self.opens_at <= (now or timezone.now())

    def is_past_due(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.due_at

    def time_limit_seconds(self) -> int | None:
        return self.time_limit_minutes * 60 if self.time_limit_minutes else None

    def graded_attempts(self) -> models.QuerySet[Attempt]:
        """The attempts that may count: made for this assignment, in the Quiz mode (never
        a review, practice or replay)."""
        return self.attempts.filter(mode=Attempt.Mode.NORMAL)

    def attempt_deadline(self, started_at: datetime) -> datetime | None:
        """When an attempt started at ``started_at`` must end: its time limit, and without
        late work the due date, whichever comes first."""
        limit = self.time_limit_seconds()
        deadline = started_at + timedelta(seconds=limit) if limit else None
        if not self.late_allowed:
            deadline = min(deadline, self.due_at) if deadline else self.due_at
        return deadline

    def hides_answers_until(self) -> datetime | None:
        return self.due_at if self.answers_shown == Assignment.Answers.AFTER_DUE else None

    def apply_to_attempts(self) -> None:
        """After an edit: its attempts keep the answers hidden until the due date as it is
        now (or no longer), and those still open end when the new window says."""
        self.attempts.update(answers_hidden_until=self.hides_answers_until())
        still_open = list(self.attempts.filter(finished_at__isnull=True).only("pk", "started_at"))
        for attempt in still_open:
            attempt.deadline = self.attempt_deadline(attempt.started_at)
        Attempt.objects.bulk_update(still_open, ["deadline"])

    def delete_keeping_attempts(self) -> int:
        """Delete the assignment; the attempts made for it stay in their students' history
        as plain plays of the quiz (practice: out of every gradebook), answers shown. How
        many attempts were kept."""
        with transaction.atomic():
            kept = self.attempts.update(answers_hidden_until=None, assignment=None)
            self.delete()
        return kept


def school_zone_name() -> str:
    return settings.SCHOOL_TIME_ZONE


class QuizPick(models.Model):
    """A question a teacher picked by hand for their quiz, at ``position``.

    A written question is asked as it stands (its owner may fix it); a generated one is
    frozen as it was picked: ``snapshot`` holds the whole question (stem, options, key,
    explanation, sources), so a later edit of its facts never changes it.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="picks")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="picks"
    )
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False) | Q(snapshot__isnull=False),
                name="quizpick_has_a_question",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.question or (self.snapshot or {}).get('stem', '')}"
