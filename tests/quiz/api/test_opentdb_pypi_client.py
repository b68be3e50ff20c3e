"""An Open Trivia DB client from PyPI (open-trivia-database-wrapper), unchanged but for its
base address, against ``/opentdb/`` on a live server.

Its category parameter only takes Open Trivia DB's own ids (9–32) and it never sends its
session token, so categories and token exhaustion are covered by the client written from
the documentation (``opentdb_client.py``, ``test_opentdb_live.py``).
"""

from __future__ import annotations

import base64

import pytest
from opentdb import opentdb as wrapper
from opentdb.enums import QuestionDifficulties, QuestionEncodings, QuestionTypes

from quiz.api.models import TriviaToken
from tests.quiz.api.conftest import BANK_SIZE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pointed_at_us(live_server, monkeypatch):
    monkeypatch.setattr(wrapper, "base_url", live_server.url + "/opentdb/")


def test_it_gets_a_token_and_the_whole_bank(pointed_at_us, bank, no_rate_limit):
    trivia = wrapper.openTriviaDB(generate_token=True)
    assert TriviaToken.objects.filter(token=trivia.token).exists()
    results = trivia.get_questions(number_of_questions=BANK_SIZE)
    assert results.response_code == 0
    assert len(results.results) == BANK_SIZE
    assert {q.type for q in results.results} == {"multiple", "boolean"}
    assert {q.difficulty for q in results.results} == {"easy", "medium", "hard"}


def test_it_filters_and_decodes_base64(pointed_at_us, bank, no_rate_limit):
    results = wrapper.openTriviaDB().get_questions(
        question_type=QuestionTypes.BOOLEAN,
        difficulty=QuestionDifficulties.EASY,
        encodings=QuestionEncodings.BASE64,
        number_of_questions=5,
    )
    assert results.response_code == 0
    decoded = [base64.b64decode(q.type).decode() for q in results.results]
    assert decoded == ["boolean"] * 5


def test_it_reads_code_1_when_the_bank_is_too_small(pointed_at_us, bank, no_rate_limit):
    results = wrapper.openTriviaDB().get_questions(number_of_questions=BANK_SIZE + 1)
    assert (results.response_code, results.results) == (1, [])
