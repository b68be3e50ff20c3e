"""End every live game whose host has not been seen for a while (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quiz.live.game import HOST_GONE_AFTER, end_abandoned


class Command(BaseCommand):
    help = f"End live games whose host has been gone for {HOST_GONE_AFTER}."

    def handle(self, *args: Any, **options: Any) -> None:
        ended = end_abandoned()
        self.stdout.write(f"Ended {ended} abandoned live game{'s' if ended != 1 else ''}.")
