"""The "Which of these did NOT happen before <year>?" form: right by construction, linted,
and played like any choice question, with and without htmx."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from content.models import TimelineEvent, Topic
from quiz.generation import generate_questions
from quiz.generation.lint import LintContext, lint_question
from quiz.models import Item
from tests.factories import UserFactory
from tests.quiz.conftest import make_attempt

pytestmark = pytest.mark.django_db

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "north-korea-russia.yaml"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shipped():
    call_command("import_dossier", str(SHIPPED), stdout=StringIO())
    return Topic.objects.get(slug="north-korea-russia")


def not_before_questions(topic):
    return [
        q
        for seed in range(40)
        for q in generate_questions(topic, count=10, seed=seed)
        if q.form == Item.Form.NOT_BEFORE
    ]


def test_exactly_one_option_did_not_happen_before_the_year(shipped):
    events = {e.title: e for e in TimelineEvent.objects.filter(topic=shipped)}
    questions = not_before_questions(shipped)
    assert questions
    for question in questions:
        year = int(re.fullmatch(r"Which of these did NOT happen before (\d{3,4})\?", question.stem)[1])
        for index, title in enumerate(question.options):
            event = events[title]
            if index == question.answer:
                assert event.year >= year
            else:
                assert (event.end_year or event.year) < year
        assert all(note.split(":")[0] for note in question.notes), "each event is explained with its date"


def test_the_linter_passes_them_and_catches_a_wrong_boundary(shipped):
    context = LintContext.for_topics([shipped])
    question = not_before_questions(shipped)[0]
    assert lint_question(question, context) == []
    year = int(re.findall(r"\d{4}", question.stem)[0])
    from dataclasses import replace

    shifted = replace(question, stem=f"Which of these did NOT happen before {year - 400}?")
    assert {f.defect for f in lint_question(shifted, context)} == {"span"}


def not_before_attempt(user):
    attempt = make_attempt(user=user, length=1)
    item = attempt.items.get()
    item.form = Item.Form.NOT_BEFORE
    item.stem = "Which of these did NOT happen before 1900?"
    item.options = ["Treaty of Nerchinsk", "Treaty of Aigun", "Korean War", "Convention of Peking"]
    item.correct = 2
    item.notes = ["1689: ...", "1858: ...", "1950–1953: ...", "1860: ..."]
    item.save()
    return attempt


@pytest.mark.parametrize("headers", [{}, HX], ids=["no-js", "htmx"])
def test_it_is_played_by_keyboard_buttons_with_and_without_htmx(client, headers):
    user = UserFactory()
    client.force_login(user)
    attempt = not_before_attempt(user)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    page = client.get(url).content.decode()
    assert "data-answer-keys" in page  # keys 1-4 answer it, as for any choice question
    assert page.count('name="choice"') == 4
    assert "1950" not in page  # no date (nor the answer) before answering
    response = client.post(url, {"choice": "0"}, **headers)
    html = client.get(url).content.decode() if not headers else response.content.decode()
    assert "What Treaty of Nerchinsk really is:" in html
    assert "The right answer is <strong>Korean War</strong>" in html


# Typed recall -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "right"),
    [
        ("Yongbyon", True),
        ("yongbyon", True),
        ("Yongbion", True),  # 8 letters: one slip forgiven
        ("Yongbuin", False),  # two slips are not
        ("kim il sung", True),  # case, hyphens
        ("Kim Il-song", True),  # 9 letters folded ("kim il song" is 11 with spaces): 1 edit
        ("the Tumen River", True),  # a leading article
        ("Tumen Rievr", True),  # two neighbours swapped: one edit
        ("Yalu River", False),
        ("1689", True),
        ("1,689", True),
        ("1698", False),  # numbers exactly
        ("17 km", True),
        ("17.5", False),
        ("UN", True),
        ("US", False),  # under 5 characters: no slip
        ("", False),
    ],
)
def test_the_recall_rule(typed, right):
    from quiz.generation.checking import accepts

    accepted = {
        "Yongbyon": ["Yongbyon"],
        "yongbyon": ["Yongbyon"],
        "Yongbion": ["Yongbyon"],
        "Yongbuin": ["Yongbyon"],
        "kim il sung": ["Kim Il-sung"],
        "Kim Il-song": ["Kim Il-sung"],
        "the Tumen River": ["Tumen River"],
        "Tumen Rievr": ["Tumen River"],
        "Yalu River": ["Tumen River"],
        "1689": ["1689"],
        "1,689": ["1689"],
        "1698": ["1689"],
        "17 km": ["17 km", "17"],
        "17.5": ["17 km", "17"],
        "UN": ["United Nations", "UN"],
        "US": ["United Nations", "UN"],
        "": ["Yongbyon"],
    }[typed]
    assert accepts(accepted, typed) is right


def test_recall_questions_are_settled_short_and_never_close_to_another_answer(shipped):
    from content.models import Fact, normalise
    from quiz.generation.checking import RECALL_MIN_GAP, distance

    facts = {f.pk: f for f in Fact.objects.filter(topic=shipped)}
    recalled = [
        q
        for seed in range(60)
        for q in generate_questions(shipped, count=10, seed=seed)
        if q.form == "recall"
    ]
    assert recalled
    for question in recalled:
        fact = facts[question.fact_ids[0]]
        assert not fact.disputed
        assert " and " not in fact.answer  # two names to type in a guessed order: never
        assert question.answer == 0
        assert normalise(question.options[0]) in {
            normalise(f"{fact.answer} {fact.unit}"),
            normalise(fact.answer),
        }
        if fact.kind in (Fact.Kind.YEAR, Fact.Kind.NUMBER):
            continue  # numbers must be typed exactly: no slip can turn one into another
        for other in facts.values():
            if other.kind == fact.kind and other.pk != fact.pk:
                gap = distance(normalise(fact.answer), normalise(other.answer))
                assert gap == 0 or gap >= RECALL_MIN_GAP, (fact.answer, other.answer)


def recall_attempt(user):
    attempt = make_attempt(user=user, length=1)
    item = attempt.items.get()
    item.form = Item.Form.RECALL
    item.stem = "Which nuclear reactor did North Korea announce in December 2002 that it would restart?"
    item.options = ["Yongbyon", "Yongbyon Nuclear Scientific Research Center"]
    item.correct = 0
    item.notes = ["North Korea announced it would restart the Yongbyon reactor.", ""]
    item.save()
    return attempt


@pytest.mark.parametrize("headers", [{}, HX], ids=["no-js", "htmx"])
def test_recall_is_typed_and_forgives_a_slip_with_and_without_htmx(client, headers):
    user = UserFactory()
    client.force_login(user)
    attempt = recall_attempt(user)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    page = client.get(url).content.decode()
    assert 'name="typed"' in page
    assert '<label for="typed-answer">' in page
    assert "Yongbyon" not in page.split("December 2002")[1]  # the answer is not in the page
    assert "data-answer-keys" not in page
    response = client.post(url, {"typed": "  yongbion "}, **headers)
    html = client.get(url).content.decode() if not headers else response.content.decode()
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert "Correct!" in html
    assert attempt.items.get().chosen == "yongbion"


def test_a_blank_typed_answer_is_refused_and_nothing_is_lost(client):
    user = UserFactory()
    client.force_login(user)
    attempt = recall_attempt(user)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    client.get(url)
    response = client.post(url, {"typed": "   "}, **HX)
    assert response.status_code == 400
    assert "Type your answer" in response.content.decode()
    assert attempt.items.get().answered_at is None
    wrong = client.post(url, {"typed": "Punggye-ri"}, **HX).content.decode()
    assert "You answered <strong>Punggye-ri</strong>. The right answer is <strong>Yongbyon</strong>." in wrong
