"""Two regrades at once (a double click, two tabs) re-score each attempt once."""

from __future__ import annotations

import pytest

from quiz.models import Attempt, Question
from quiz.reports import regrade
from quiz.reports.models import AttemptCorrection
from tests.conftest import in_thread, run_threads, threads_database
from tests.factories import UserFactory
from tests.quiz.reports.conftest import RIGHT, fix_key, play

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_regrades_rescore_once(loop, tmp_path):
    attempts = [play(UserFactory(), loop.quiz, RIGHT)[0] for _ in range(3)]
    fix_key(loop.question)

    def run() -> int:
        return regrade.regrade_question(Question.objects.get(pk=loop.question.pk), by=None)

    def outcome() -> tuple[list[int], int]:
        scores = list(Attempt.objects.filter(pk__in=[a.pk for a in attempts]).values_list("score", flat=True))
        return scores, AttemptCorrection.objects.count()

    with threads_database(tmp_path) as db:
        changed = run_threads([in_thread(db, run) for _ in range(4)])
        scores, records = run_threads([in_thread(db, outcome)])[0]
    assert sorted(changed) == [0, 0, 0, 3]
    assert scores == [1, 1, 1]
    assert records == 3
