"""What the "when a question is wrong" loop keeps: reports, regrades, facts' answers as seen.

Loaded with :mod:`quiz.models` (it imports this module), so these belong to ``quiz``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.models import Fact


class ReportQuerySet(models.QuerySet["Report"]):
    def open(self) -> ReportQuerySet:
        return self.filter(status=Report.Status.OPEN)

    def visible_to(self, user: object, *, editor: bool) -> ReportQuerySet:
        """The reports ``user`` decides on: those on their own written questions, and for a
        dossier editor those on generated questions too."""
        mine = Q(question__author=user)
        return self.filter(mine | Q(question__isnull=True)) if editor else self.filter(mine)


class Report(models.Model):
    """A student's report that the question they answered (``item``) is wrong."""

    class Reason(models.TextChoices):
        WRONG_ANSWER = "wrong_answer", "The answer marked right is wrong"
        TWO_RIGHT = "two_right", "Two answers are right"
        UNCLEAR = "unclear", "The question is unclear"
        TYPO = "typo", "There is a typo"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FIXED = "fixed", "Fixed"
        DISMISSED = "dismissed", "Dismissed"

    item = models.ForeignKey("quiz.Item", on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    # Copied from the item, so the queue filters by owner without reading items.
    question = models.ForeignKey(
        "quiz.Question", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    question_version = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(max_length=2000, blank=True)
    passage = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="report_one_per_user_item"),
        ]
        # Dossier editors' right (migration 0014): the reports on generated questions and
        # the facts whose answer was corrected. A teacher decides on their own questions.
        permissions = [
            ("handle_generated_reports", "Can handle reports on generated questions and corrected facts"),
        ]
        indexes = [models.Index(fields=["question", "status"], name="report_question_status")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.item.stem[:60]}"


class Correction(models.Model):
    """One regrade: the key of a written question (or a fact's generated items) changed."""

    question = models.ForeignKey(
        "quiz.Question", null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    fact = models.ForeignKey(Fact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_answer = models.CharField(max_length=300)
    note = models.CharField(max_length=500, blank=True, help_text="Shown to students on their results.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Corrected to {self.new_answer}"


class AttemptCorrection(models.Model):
    """What one regrade did to one item of one attempt (its results page says so)."""

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="changes")
    attempt = models.ForeignKey("quiz.Attempt", on_delete=models.CASCADE, related_name="corrections")
    position = models.PositiveSmallIntegerField()
    old_score = models.PositiveSmallIntegerField()
    new_score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["attempt", "correction__created_at", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["correction", "attempt", "position"], name="attempt_correction_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.position}: {self.old_score} → {self.new_score}"


def answer_hash(answer: str) -> str:
    return hashlib.sha256(answer.encode()).hexdigest()


class FactAnswer(models.Model):
    """A fact's answer as the quiz last saw it. When the dossier's answer differs, the
    change waits here (``previous_answer`` set, ``pending``) for an editor's decision."""

    fact = models.OneToOneField(Fact, primary_key=True, on_delete=models.CASCADE, related_name="+")
    answer_hash = models.CharField(max_length=64)
    answer = models.CharField(max_length=200)
    previous_answer = models.CharField(max_length=200, blank=True)
    pending = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.fact_id}: {self.answer}"
