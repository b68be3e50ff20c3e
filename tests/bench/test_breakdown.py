"""The bench's breakdown of an answer's server time (bench.breakdown), on a real database."""

from __future__ import annotations

import pytest

from bench import breakdown
from bench.data import create_bank
from bench.run import _answer_fields, prepare_answers
from quiz.models import Item, Player
from quiz.play import answers, attempts, views


@pytest.mark.django_db(transaction=True)  # create_bank sets a PRAGMA, outside any transaction
def test_the_breakdown_answers_every_item_and_times_each_part_of_the_path():
    bank = create_bank(60, slug="breakdown")
    sessions = prepare_answers(bank["quiz_id"], 3, 4, prefix="breakdown-player")
    figures = breakdown.measure(sessions, _answer_fields)
    assert figures["count"] == 3 * 4 - 3  # the first round warms up
    assert figures["statuses"] == {"200": figures["count"]}
    assert (
        Item.objects.filter(
            attempt__user__username__startswith="breakdown-player", answered_at__isnull=False
        ).count()
        == 12
    )
    assert set(figures["parts"]) == {label for label, _, _ in breakdown.PARTS}
    assert all(spent > 0 for spent in figures["parts"].values())
    assert sum(figures["parts"].values()) < figures["answer_us"]
    assert figures["bare_us"] > 0


def test_the_timers_come_off_afterwards():
    before = (Player.__dict__["of"], attempts.owned_item, answers.record_answer, views.render)
    with breakdown.timing_parts():
        assert attempts.owned_item is not before[1]
    assert (Player.__dict__["of"], attempts.owned_item, answers.record_answer, views.render) == before
