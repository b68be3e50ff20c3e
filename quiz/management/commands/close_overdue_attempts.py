"""Finish every timed attempt whose time ran out while nobody was looking.

Pages that count attempts (leaderboards, history, class results) close overdue attempts
themselves before counting, so this command is not needed for correctness; run it from a
scheduler (e.g. every few minutes from cron) to keep the table tidy between visits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quiz.models import Attempt


class Command(BaseCommand):
    help = "Finish timed attempts whose deadline has passed (at their deadline)."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = Attempt.objects.close_overdue()
        self.stdout.write(f"Closed {closed} overdue attempt{'' if closed == 1 else 's'}.")
