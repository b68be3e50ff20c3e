"""A class's gradebook: its students × its assignments, each cell the score the
assignment's policy counts (best, first or last finished attempt), late and missing marked.

The students are the class's current members and its former members who handed in work
for one of its assignments (marked as former members: leaving does not take back what was
submitted). Only attempts made for the assignment in the Quiz mode count: a review of one's
mistakes, practice on the public quiz and replays never do. Four queries whatever the class
size: the memberships, the assignments, their attempts, and closing overdue timed attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from quiz.assignments.models import Assignment
from quiz.assignments.play import is_late
from quiz.models import Attempt, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from quiz.models import Classroom


@dataclass(frozen=True)
class Cell:
    attempt: Attempt | None
    late: bool = False
    missing: bool = False
    in_progress: bool = False

    @property
    def percent(self) -> int | None:
        if self.attempt is None or not self.attempt.length:
            return None
        return round(self.attempt.score * 100 / self.attempt.length)

    @property
    def label(self) -> str:
        if self.attempt is not None:
            text = f"{self.attempt.score}/{self.attempt.length}"
            return f"{text} (late)" if self.late else text
        if self.missing:
            return "missing"
        return "in progress" if self.in_progress else ""


@dataclass
class Row:
    student: User
    cells: list[Cell] = field(default_factory=list)
    #: When a former member left the class; None for a current member.
    left_at: datetime | None = None

    @property
    def is_former(self) -> bool:
        return self.left_at is not None


@dataclass
class Gradebook:
    classroom: Classroom
    assignments: list[Assignment]
    rows: list[Row]


def counted(assignment: Assignment, finished: list[Attempt]) -> Attempt | None:
    """The attempt the policy counts among a student's finished ones (oldest first)."""
    if not finished:
        return None
    if assignment.counts == Assignment.Counts.FIRST:
        return finished[0]
    if assignment.counts == Assignment.Counts.LAST:
        return finished[-1]
    return max(finished, key=lambda a: (a.score / a.length if a.length else 0, -finished.index(a)))


def cell(assignment: Assignment, made: list[Attempt], left_at: datetime | None = None) -> Cell:
    """A student's cell; nothing handed in is "missing" once the assignment is past due,
    unless they left the class before it was due (it was no longer theirs to do)."""
    finished = [a for a in made if a.finished_at is not None]
    chosen = counted(assignment, finished)
    if chosen is not None:
        return Cell(chosen, late=is_late(assignment, chosen))
    in_progress = any(a.finished_at is None for a in made)
    expected = left_at is None or assignment.due_at <= left_at
    return Cell(
        None, missing=expected and assignment.is_past_due() and not in_progress, in_progress=in_progress
    )


def build(classroom: Classroom) -> Gradebook:
    assignments = list(
        Assignment.objects.filter(classroom=classroom).select_related("quiz").order_by("due_at", "pk")
    )
    # Every membership, ended ones too: a student's latest says whether they are in the class.
    students: dict[int, tuple[User, datetime | None]] = {}
    for membership in (
        Membership.objects.filter(classroom=classroom).select_related("student").order_by("joined_at", "pk")
    ):
        students[membership.student_id] = (membership.student, membership.left_at)
    graded = Attempt.objects.filter(
        assignment__in=[a.pk for a in assignments],
        mode=Attempt.Mode.NORMAL,
        user__in=list(students),
    )
    graded.close_overdue(timezone.now())
    by_key: dict[tuple[int | None, int | None], list[Attempt]] = {}
    for attempt in graded.order_by("started_at", "pk").only(
        "user_id", "assignment_id", "score", "length", "started_at", "finished_at", "deadline", "mode"
    ):
        by_key.setdefault((attempt.user_id, attempt.assignment_id), []).append(attempt)
    handed_in = {user_id for user_id, _ in by_key}
    rows = [
        Row(
            student,
            [
                cell(assignment, by_key.get((student.pk, assignment.pk), []), left_at)
                for assignment in assignments
            ],
            left_at=left_at,
        )
        for student, left_at in sorted(students.values(), key=lambda pair: pair[0].get_username())
        if left_at is None or student.pk in handed_in
    ]
    return Gradebook(classroom, assignments, rows)
