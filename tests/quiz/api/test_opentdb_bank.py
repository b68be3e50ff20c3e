"""The Open Trivia DB bank in process: unaskable entries, query counts, categories' ids."""

from __future__ import annotations

import pytest

from content.models import Fact
from quiz.api import bank as trivia_bank
from quiz.api.models import TriviaToken, TriviaTokenSeen
from tests.factories import ChoiceFactory, FactFactory, QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mostly_unaskable(db):
    """Six text facts without author distractors (no question can be made of them) and two
    teacher questions: a dossier whose bank has 8 entries, of which 2 can be asked."""
    topic = TopicFactory(slug="mostly-unaskable", title="Mostly unaskable")
    for n in range(6):
        FactFactory(topic=topic, kind=Fact.Kind.TEXT, stem=f"What is text {n}?", answer=f"Text {n}")
    for n in range(2):
        question = QuestionFactory(topic=topic, stem=f"Teacher question {n}?")
        ChoiceFactory(question=question, text="Right", is_correct=True)
        ChoiceFactory(question=question, text="Wrong")
    return topic


def test_unaskable_entries_are_skipped_and_the_draw_still_fills_up(client, mostly_unaskable, no_rate_limit):
    category = 2 * mostly_unaskable.pk
    for _ in range(5):  # whatever order the shuffle puts them in
        body = client.get("/opentdb/api.php", {"amount": 2, "category": category}).json()
        assert body["response_code"] == 0
        assert sorted(r["id"][0] for r in body["results"]) == ["q", "q"]
    assert client.get("/opentdb/api.php", {"amount": 3, "category": category}).json()["response_code"] == 1


def test_a_token_marks_unaskable_entries_seen_so_it_runs_out(client, mostly_unaskable, no_rate_limit):
    token = client.get("/opentdb/api_token.php", {"command": "request"}).json()["token"]
    category = 2 * mostly_unaskable.pk
    first = client.get("/opentdb/api.php", {"amount": 2, "category": category, "token": token}).json()
    assert first["response_code"] == 0
    assert (
        client.get("/opentdb/api.php", {"amount": 1, "category": category, "token": token}).json()[
            "response_code"
        ]
        == 4
    )
    seen = TriviaTokenSeen.objects.filter(token__token=token)
    assert seen.filter(kind=TriviaTokenSeen.Kind.QUESTION).count() == 2


def test_a_draw_takes_a_bounded_number_of_queries(client, bank, no_rate_limit, django_assert_max_num_queries):
    """About twenty whatever the amount (the throttle's upsert, the counts, the samples, the
    facts with their citations, tags and distractor pools, the teacher questions)."""
    for amount in (1, 11):
        with django_assert_max_num_queries(26):
            assert client.get("/opentdb/api.php", {"amount": amount}).json()["response_code"] == 0


def test_category_ids_are_stable_and_never_collide(bank):
    ids = [c.id for c in trivia_bank.categories()]
    assert len(ids) == len(set(ids))
    assert trivia_bank.find_category(2 * bank.topic.pk).topic == bank.topic
    assert trivia_bank.find_category(2 * bank.tag.pk + 1).tag == bank.tag
    assert trivia_bank.find_category(0) is None
    assert trivia_bank.find_category(2 * (bank.topic.pk + 1000)) is None


def test_a_token_row_is_all_that_an_app_server_needs(client, bank, no_rate_limit):
    """Tokens and what they were given live in the database: another server sees them."""
    token = client.get("/opentdb/api_token.php", {"command": "request"}).json()["token"]
    client.get("/opentdb/api.php", {"amount": 3, "token": token})
    assert TriviaToken.objects.get(token=token).seen.count() == 3
