"""An Open Trivia DB client, written from Open Trivia DB's documentation, against our
``/opentdb/`` endpoints on a live server: only its base address is changed."""

from __future__ import annotations

import html
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.api.models import TriviaToken
from tests.quiz.api.conftest import BANK_SIZE, TRICKY
from tests.quiz.api.opentdb_client import (
    INVALID_PARAMETER,
    NO_RESULTS,
    RATE_LIMIT,
    SUCCESS,
    TOKEN_EMPTY,
    TOKEN_NOT_FOUND,
    OpenTriviaClient,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server) -> OpenTriviaClient:
    return OpenTriviaClient(live_server.url + "/opentdb")


def _ids(reply) -> list[str]:
    return [q.extra["id"] for q in reply.questions]


def test_a_token_never_repeats_a_question_until_the_bank_is_empty_then_a_reset_starts_over(
    client, bank, no_rate_limit
):
    """Three questions at a time with a token: every entry of the bank once, then code 4
    (and no results); after a reset the whole bank comes again."""
    client.request_token()
    seen: list[str] = []
    for _ in range(BANK_SIZE // 3):
        reply = client.questions(3)
        assert reply.response_code == SUCCESS
        seen += _ids(reply)
    last = client.questions(BANK_SIZE % 3)
    assert last.response_code == SUCCESS
    seen += _ids(last)
    assert len(seen) == BANK_SIZE
    assert Counter(seen).most_common(1)[0][1] == 1, "a question came twice"

    empty = client.questions(1)
    assert (empty.response_code, empty.questions) == (TOKEN_EMPTY, [])

    assert client.reset_token() == SUCCESS
    again = client.questions(BANK_SIZE)
    assert again.response_code == SUCCESS
    assert sorted(_ids(again)) == sorted(seen)


def test_a_token_asking_for_more_than_is_left_gets_code_4_and_keeps_what_is_left(client, bank, no_rate_limit):
    client.request_token()
    assert client.questions(BANK_SIZE - 2).response_code == SUCCESS
    assert client.questions(3).response_code == TOKEN_EMPTY
    assert len(client.questions(2).questions) == 2


def test_without_a_token_more_than_the_bank_is_code_1(client, bank, no_rate_limit):
    assert client.questions(BANK_SIZE).response_code == SUCCESS
    reply = client.questions(BANK_SIZE + 1, use_token=False)
    assert (reply.response_code, reply.questions) == (NO_RESULTS, [])


@pytest.mark.parametrize("encoding", [None, "urlLegacy", "url3986", "base64"])
def test_every_encoding_decodes_back_to_the_text(client, bank, no_rate_limit, encoding):
    """The tag carried only by the teacher question with quotes, an ampersand, markup,
    a percent sign, a plus, a tilde and non-ASCII letters: decoded, it is the text stored."""
    lone = 2 * bank.lone_tag.pk + 1
    reply = client.questions(1, category=lone, encode=encoding)
    assert reply.response_code == SUCCESS
    [question] = reply.questions
    assert question.question == TRICKY
    assert question.correct_answer == "Danton"
    assert sorted(question.incorrect_answers) == ["Marat", "Robespierre & co"]
    assert (question.type, question.difficulty, question.category) == ("multiple", "medium", "Tag: Songs")
    assert question.extra["passage_url"] == client.base_url.removesuffix("/opentdb") + (
        "/dossiers/north-korea-russia/#section-signing"
    )


def test_the_default_encoding_is_html_entities_as_php_writes_them(client, bank, no_rate_limit):
    raw = client.http.get(
        f"{client.base_url}/api.php", params={"amount": 1, "category": 2 * bank.lone_tag.pk + 1}
    ).json()
    question = raw["results"][0]["question"]
    assert "&quot;Ça ira&quot; &amp; &lt;b&gt;why&lt;/b&gt;? It&#039;s" in question
    assert html.unescape(question) == TRICKY


def test_categories_are_dossiers_and_tags_and_the_counts_add_up(client, bank, no_rate_limit):
    categories = client.categories()
    dossier, tag = 2 * bank.topic.pk, 2 * bank.tag.pk + 1
    assert categories[dossier] == "Dossier: Treaties of the East"
    assert categories[tag] == "Tag: Treaties"
    assert client.count(dossier) == {
        "total_question_count": BANK_SIZE,
        "total_easy_question_count": 5,  # four true/false facts, one easy teacher question
        "total_medium_question_count": 5,  # four settled facts, one medium teacher question
        "total_hard_question_count": 1,  # the disputed fact
    }
    assert client.count(tag)["total_question_count"] == 8
    overall = client.count_global()
    assert overall["overall"]["total_num_of_questions"] == BANK_SIZE
    assert overall["categories"][str(dossier)]["total_num_of_questions"] == BANK_SIZE
    assert overall["categories"][str(tag)]["total_num_of_questions"] == 8


def test_filters_by_category_difficulty_and_type(client, bank, no_rate_limit):
    tag = 2 * bank.tag.pk + 1
    reply = client.questions(8, category=tag)
    assert reply.response_code == SUCCESS
    assert {q.category for q in reply.questions} == {"Tag: Treaties"}
    booleans = client.questions(5, type="boolean", use_token=False)
    assert booleans.response_code == SUCCESS
    assert all(
        q.type == "boolean" and {q.correct_answer, *q.incorrect_answers} == {"True", "False"}
        for q in booleans.questions
    )
    hard = client.questions(1, difficulty="hard")
    [question] = hard.questions
    assert question.question.startswith("According to ")  # a disputed fact, source-scoped
    assert question.extra["id"] == f"m{bank.disputed.pk}"
    assert client.questions(2, difficulty="hard").response_code == NO_RESULTS
    multiple = client.questions(6, type="multiple")
    assert all(q.type == "multiple" and len(q.incorrect_answers) >= 1 for q in multiple.questions)


def test_results_carry_their_sources_and_the_passage_that_proves_them(client, bank, no_rate_limit):
    reply = client.questions(8, category=2 * bank.tag.pk + 1)
    for question in reply.questions:
        assert question.extra["sources"] == ["The Annals"]
        assert question.extra["passage_url"].endswith("/dossiers/north-korea-russia/#section-signing")
        assert question.extra["explanation"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"amount": 0},
        {"amount": 51},
        {"amount": "ten"},
        {"amount": 1, "category": 999_999},
        {"amount": 1, "category": "history"},
        {"amount": 1, "difficulty": "extreme"},
        {"amount": 1, "type": "essay"},
        {"amount": 1, "encode": "rot13"},
    ],
)
def test_an_invalid_parameter_is_code_2(client, bank, no_rate_limit, params):
    body = client.http.get(f"{client.base_url}/api.php", params=params).json()
    assert (body["response_code"], body["results"]) == (INVALID_PARAMETER, [])


def test_an_unknown_or_expired_token_is_code_3(client, bank, no_rate_limit):
    client.token = "0" * 64
    assert client.questions(1).response_code == TOKEN_NOT_FOUND
    assert client.reset_token() == TOKEN_NOT_FOUND
    client.request_token()
    TriviaToken.objects.filter(token=client.token).update(
        last_used_at=timezone.now() - timedelta(hours=6, seconds=1)
    )
    assert client.questions(1).response_code == TOKEN_NOT_FOUND


def test_a_token_used_within_six_hours_lives_on(client, bank, no_rate_limit):
    client.request_token()
    TriviaToken.objects.filter(token=client.token).update(
        last_used_at=timezone.now() - timedelta(hours=5, minutes=59)
    )
    assert client.questions(1).response_code == SUCCESS


def test_requesting_a_token_deletes_the_expired_ones(client, bank, no_rate_limit):
    client.request_token()
    old = client.token
    TriviaToken.objects.filter(token=old).update(last_used_at=timezone.now() - timedelta(hours=7))
    client.request_token()
    assert not TriviaToken.objects.filter(token=old).exists()


def test_the_sixth_call_in_five_seconds_is_code_5_with_http_429(client, bank):
    """The real limit (no override): 5 calls per 5 seconds per address, counted in the database."""
    codes = [client.questions(1, use_token=False) for _ in range(6)]
    assert [r.response_code for r in codes[:5]] == [SUCCESS] * 5
    assert (codes[5].response_code, codes[5].http_status, codes[5].questions) == (RATE_LIMIT, 429, [])
    limited = client.http.get(f"{client.base_url}/api_token.php", params={"command": "request"})
    assert limited.status_code == 429
    assert limited.json()["response_code"] == RATE_LIMIT
    assert 1 <= int(limited.headers["Retry-After"]) <= 5
