"""A student at an assignment: their status, and starting an attempt inside its window.

The server decides: an attempt is refused before the assignment opens, after its due date
(unless late work is accepted), beyond the attempt limit, and to anyone not in the class
now. Without late work the attempt's deadline is the due date, so the answer machinery
(:mod:`quiz.play.answers`) refuses any answer after it; with late work, an attempt
finished after the due date is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from quiz import generation
from quiz.assignments.models import Assignment
from quiz.assignments.picks import picked_questions
from quiz.models import Attempt, Membership, Player
from quiz.play import attempts

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User


class Refused(Exception):
    """The server will not start an attempt now; the message says why."""


NOT_STARTED, IN_PROGRESS, DONE, LATE = "not started", "in progress", "done", "late"


def is_late(assignment: Assignment, attempt: Attempt) -> bool:
    finished = attempt.finished_at
    return finished is not None and finished > assignment.due_at


@dataclass(frozen=True)
class Standing:
    """Where one student is on one assignment."""

    assignment: Assignment
    status: str
    used: int
    open_attempt: Attempt | None

    @property
    def attempts_left(self) -> int:
        return max(0, self.assignment.attempt_limit - self.used)


def standing(
    assignment: Assignment, attempts_made: Iterable[Attempt], now: datetime | None = None
) -> Standing:
    """The status of a student given their attempts at it (graded ones only)."""
    now = now or timezone.now()
    made = [a for a in attempts_made if a.mode == Attempt.Mode.NORMAL]
    for attempt in made:
        if attempt.finished_at is None and attempt.is_expired(now):
            attempt.finished_at = attempt.deadline
    finished = [a for a in made if a.finished_at is not None]
    unfinished = next((a for a in made if a.finished_at is None), None)
    if finished:
        status = LATE if all(is_late(assignment, a) for a in finished) else DONE
    elif unfinished is not None:
        status = IN_PROGRESS
    else:
        status = LATE if assignment.is_past_due(now) else NOT_STARTED
    return Standing(assignment, status, len(made), unfinished)


def is_member(assignment: Assignment, user: User) -> bool:
    return Membership.objects.current().filter(classroom_id=assignment.classroom_id, student=user).exists()


def refusal(assignment: Assignment, used: int, now: datetime | None = None) -> str:
    """Why an attempt may not start now, or "" when it may."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    if not assignment.is_open(now):
        return (
            f"This assignment opens on {timezone.localtime(assignment.opens_at, zone):%A %d %B at %H:%M %Z}."
        )
    if assignment.is_past_due(now) and not assignment.late_allowed:
        return "This assignment was due and late work is not accepted."
    if used >= assignment.attempt_limit:
        plural = "attempt" if assignment.attempt_limit == 1 else "attempts"
        return f"You have used your {assignment.attempt_limit} {plural} at this assignment."
    return ""


def start(assignment: Assignment, user: User) -> Attempt:
    """A new attempt at the assignment, or :class:`Refused`."""
    now = timezone.now()
    with transaction.atomic():
        # Lock the membership row, so two tabs cannot both take the last attempt.
        member = (
            Membership.objects.current()
            .select_for_update()
            .filter(classroom_id=assignment.classroom_id, student=user)
            .first()
        )
        if member is None:
            raise Refused("You are not in this class.")
        used = assignment.graded_attempts().filter(user=user).count()
        reason = refusal(assignment, used, now)
        if reason:
            raise Refused(reason)
        quiz = assignment.quiz
        seed = assignment.seed
        if quiz.hand_picked:
            questions = picked_questions(quiz, seed)
        else:
            questions = generation.build_quiz(quiz, length=quiz.question_count, seed=seed)
        items = [
            attempts.item_from(question, position) for position, question in enumerate(questions, start=1)
        ]
        try:
            attempt = attempts.create_attempt(quiz, items, player=Player(user.pk, ""), seed=seed)
        except attempts.NoQuestions:
            raise Refused("This quiz has no questions to ask yet; tell your teacher.") from None
        attempt.assignment = assignment
        attempt.deadline = assignment.attempt_deadline(now)
        attempt.answers_hidden_until = assignment.hides_answers_until()
        attempt.save(update_fields=["assignment", "deadline", "answers_hidden_until"])
    return attempt
