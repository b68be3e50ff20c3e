"""Playing through the views: start pages, one question at a time, feedback, with and without htmx."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from quiz.models import Attempt, Item, Question, Quiz
from tests.factories import ChoiceFactory, QuestionFactory, QuizFactory, TagFactory, TopicFactory, UserFactory
from tests.quiz.conftest import make_attempt

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def q_url(attempt: Attempt, position: int) -> str:
    return reverse("attempt_question", args=[attempt.pk, position])


@pytest.fixture
def player(client):
    user = UserFactory()
    client.force_login(user)
    return user


# Start pages ------------------------------------------------------------------


def test_dossier_start_page_offers_the_lengths(client, bank):
    """The dossier's start page names it, offers 5, 10 or 20 questions and a Start button."""
    response = client.get(reverse("play_topic", args=[bank.topic.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "North Korea–Russia relations" in html
    for length in (5, 10, 20):
        assert f'name="length" value="{length}"' in html
    assert ">Start</button>" in html
    assert 'method="post"' in html


def test_starting_from_a_dossier_redirects_to_question_one(client, player, bank):
    """POST starts an attempt of the chosen length on the dossier's default quiz."""
    response = client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "10"})
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()
    assert (attempt.user, attempt.length, attempt.quiz) == (player, 10, Quiz.default_for(bank.topic))
    assert attempt.items.count() == 10
    assert client.get(response["Location"])["Location"] == q_url(attempt, 1)


def test_anonymous_start_keeps_the_attempt_in_the_session(client, bank):
    """An anonymous player gets a session (and its cookie); the attempt is tied to its key."""
    response = client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    assert attempt.user is None
    assert attempt.session_key
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == attempt.session_key
    assert client.get(q_url(attempt, 1)).status_code == 200


@pytest.mark.parametrize("length", ["7", "", "ten", "100"])
def test_a_length_not_offered_is_refused(client, bank, length):
    """Only the lengths offered (5, 10 or 20, those the bank can fill) can be chosen;
    anything else re-shows the page with an error."""
    response = client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": length})
    assert response.status_code == 400
    offered = re.findall(r'name="length" value="(\d+)"', response.content.decode())
    assert offered[0] == "5"
    assert f"Choose {', '.join(offered[:-1])} or {offered[-1]} questions." in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_quiz_without_length_choice_uses_its_count(client, bank):
    """A quiz that fixes its length ignores the posted length and shows no choice."""
    quiz = QuizFactory(topic=bank.topic, slug="fixed", question_count=5, allow_length_choice=False)
    page = client.get(reverse("quiz_detail", args=["fixed"])).content.decode()
    assert 'name="length"' not in page
    client.post(reverse("quiz_detail", args=["fixed"]), {"length": "20"})
    assert Attempt.objects.get().length == 5 == quiz.question_count


def test_a_one_question_quiz_says_question_in_the_singular(client, bank):
    """A fixed length of one reads "1 question"; five read "5 questions"."""
    QuizFactory(topic=bank.topic, slug="one", question_count=1, allow_length_choice=False)
    QuizFactory(topic=bank.topic, slug="five", question_count=5, allow_length_choice=False)
    one = client.get(reverse("quiz_detail", args=["one"])).content.decode()
    five = client.get(reverse("quiz_detail", args=["five"])).content.decode()
    assert "<strong>1</strong> question</p>" in one
    assert "<strong>5</strong> questions</p>" in five


def test_quiz_page_shows_only_published_quizzes(client, bank):
    """A draft quiz is not found; a published one shows its title, dossier and time limit."""
    QuizFactory(topic=bank.topic, slug="draft", published=False)
    QuizFactory(topic=bank.topic, slug="timed", title="Borders sprint", time_limit_seconds=180)
    assert client.get(reverse("quiz_detail", args=["draft"])).status_code == 404
    html = client.get(reverse("quiz_detail", args=["timed"])).content.decode()
    assert "Borders sprint" in html
    assert "North Korea–Russia relations" in html
    assert "Time limit: <strong>3 min</strong>" in html


def test_tag_play_uses_the_dossier_with_most_facts_of_that_tag(client, player, bank):
    """A tag is played on the dossier with the most facts of that tag, filtered to the tag."""
    other = TopicFactory(title="Elsewhere")
    from tests.factories import FactFactory

    FactFactory(topic=other).tags.add(bank.tags["treaties"])
    page = client.get(reverse("play_tag", args=["treaties"])).content.decode()
    assert "from the North Korea–Russia relations dossier" in page
    client.post(reverse("play_tag", args=["treaties"]), {"length": "5"})
    attempt = Attempt.objects.get()
    assert attempt.tag == bank.tags["treaties"]
    assert attempt.quiz.topic == bank.topic
    assert all("treaties" in item.tag_slugs for item in attempt.items.all())


def test_a_tag_without_facts_cannot_be_started(client):
    """A tag no fact carries says so, and has no Start button."""
    TagFactory(slug="empty", name="Empty")
    response = client.get(reverse("play_tag", args=["empty"]))
    assert response.status_code == 200
    assert "No facts carry the empty tag yet." in response.content.decode()
    assert "<form" not in response.content.decode().split('id="main"')[1]


def test_an_empty_dossier_says_so(client):
    """A dossier without facts cannot produce questions: the start page explains, nothing starts."""
    topic = TopicFactory()
    response = client.post(reverse("play_topic", args=[topic.slug]), {"length": "5"})
    assert response.status_code == 409
    assert "no questions here yet" in response.content.decode()
    assert not Attempt.objects.exists()


def test_unknown_dossier_is_not_found(client):
    """No such dossier: 404."""
    assert client.get(reverse("play_topic", args=["nope"])).status_code == 404


# One question at a time ---------------------------------------------------------


def test_attempt_url_sends_to_the_current_question(client, player):
    """/play/<id>/ redirects to the first unanswered question."""
    attempt = make_attempt(user=player)
    assert client.get(attempt.get_absolute_url())["Location"] == q_url(attempt, 1)
    client.post(q_url(attempt, 1), {"choice": "0"})
    assert client.get(attempt.get_absolute_url())["Location"] == q_url(attempt, 2)


def test_question_page_shows_one_question_with_big_buttons(client, player):
    """The page shows the question, its options as numbered submit buttons in a form that
    posts with and without htmx, and a progress bar."""
    attempt = make_attempt(user=player, length=4)
    html = client.get(q_url(attempt, 1)).content.decode()
    assert html.count('name="choice"') == 4
    assert f'action="{q_url(attempt, 1)}"' in html
    assert f'hx-post="{q_url(attempt, 1)}"' in html
    assert 'method="post"' in html
    assert 'hx-target="#play-card"' in html
    assert '<progress class="play-bar" max="4" value="0"' in html
    assert "Question <strong>1</strong> of 4" in html


def test_showing_a_question_marks_it_served_once(client, player):
    """served_at is set the first time the question is shown, and kept on reload."""
    attempt = make_attempt(user=player, served=False)
    client.get(q_url(attempt, 1))
    first = attempt.items.get(position=1).served_at
    assert first is not None
    client.get(q_url(attempt, 1))
    assert attempt.items.get(position=1).served_at == first


def test_a_question_ahead_redirects_to_the_current_one(client, player):
    """Asking for question 3 while on question 1 sends the player back to question 1 (unserved)."""
    attempt = make_attempt(user=player)
    response = client.get(q_url(attempt, 3))
    assert response.status_code == 302
    assert response["Location"] == q_url(attempt, 1)
    assert attempt.items.get(position=3).served_at is None


def test_a_question_that_does_not_exist_is_not_found(client, player):
    """Positions outside the attempt are 404."""
    attempt = make_attempt(user=player)
    assert client.get(q_url(attempt, 4)).status_code == 404
    assert client.get(q_url(attempt, 0)).status_code == 404
    assert client.get(q_url(attempt, 10**30)).status_code == 404
    assert client.post(q_url(attempt, 10**30), {"choice": "0"}, **HX).status_code == 404


def test_answer_without_htmx_redirects_to_the_feedback(client, player):
    """A plain form POST is answered by post/redirect/get to the same question's feedback."""
    attempt = make_attempt(user=player)
    response = client.post(q_url(attempt, 1), {"choice": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{q_url(attempt, 1)}#feedback"
    html = client.get(q_url(attempt, 1)).content.decode()
    assert "Not quite" in html
    assert "The right answer is <strong>1689</strong>" in html
    assert "The Treaty of Aigun" in html  # what the chosen distractor really is
    assert 'href="/dossiers/nk/#section-borders"' in html
    assert "Sources: Wikipedia" in html
    assert 'name="choice"' not in html


def test_answer_with_htmx_returns_the_feedback_fragment(client, player):
    """With htmx the answer returns the card only: feedback, live-region update, Next button."""
    attempt = make_attempt(user=player)
    response = client.post(q_url(attempt, 1), {"choice": "0"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="play-card"' in html
    assert "Correct!" in html
    assert 'role="status"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'id="feedback-title"' in html
    assert 'tabindex="-1"' in html
    assert f'hx-get="{q_url(attempt, 2)}"' in html
    assert 'hx-push-url="true"' in html
    assert "Score <strong>1</strong>" in html
    assert response["Vary"].count("HX-Request") == 1


def test_the_feedback_card_counts_the_answer_it_shows(client, player):
    """The card after an answer shows the score and progress with that answer counted, as
    stored; after the last answer of a timed quiz the clock is gone."""
    attempt = make_attempt(user=player, length=2, deadline=timezone.now() + timedelta(minutes=5))
    html = client.post(q_url(attempt, 1), {"choice": "1"}, **HX).content.decode()
    assert "Score <strong>0</strong>" in html
    assert 'value="1" aria-label="1 of 2 questions answered"' in html
    assert "Time left" in html
    client.get(q_url(attempt, 2))
    html = client.post(q_url(attempt, 2), {"choice": "0"}, **HX).content.decode()
    attempt.refresh_from_db()
    assert (attempt.score, attempt.answered_count) == (1, 2)
    assert attempt.finished_at is not None
    assert "Score <strong>1</strong>" in html
    assert 'value="2" aria-label="2 of 2 questions answered"' in html
    assert "Time left" not in html


def test_next_question_with_htmx_is_a_fragment_and_without_a_page(client, player):
    """The Next link works both ways: htmx gets the card, a plain GET the whole page."""
    attempt = make_attempt(user=player)
    client.post(q_url(attempt, 1), {"choice": "0"})
    fragment = client.get(q_url(attempt, 2), **HX).content.decode()
    page = client.get(q_url(attempt, 2)).content.decode()
    assert fragment.lstrip().startswith('<article id="play-card"')
    assert page.startswith("<!doctype html>")
    assert 'id="play-card"' in page


def test_history_restore_gets_the_whole_page(client, player):
    """htmx restoring history (back button, cache miss) needs the full page."""
    attempt = make_attempt(user=player)
    html = client.get(q_url(attempt, 1), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX).content.decode()
    assert html.startswith("<!doctype html>")


def test_reloading_an_answered_question_shows_its_feedback(client, player):
    """Going back to an answered question shows it with the answer given."""
    attempt = make_attempt(user=player)
    client.post(q_url(attempt, 1), {"choice": "0"}, **HX)
    html = client.get(q_url(attempt, 1)).content.decode()
    assert "Correct!" in html
    assert 'name="choice"' not in html


def test_the_last_answer_leads_to_the_results(client, player):
    """After the last question the button says See your results, and the attempt is finished."""
    attempt = make_attempt(user=player, length=1)
    html = client.post(q_url(attempt, 1), {"choice": "0"}, **HX).content.decode()
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert "See your results" in html
    assert reverse("attempt_results", args=[attempt.pk]) in html
    assert client.get(attempt.get_absolute_url())["Location"] == reverse("attempt_results", args=[attempt.pk])


def test_order_question_uses_one_labelled_select_per_event(client, player):
    """An order question has a labelled select per event and a Submit button; a permutation is scored."""
    attempt = make_attempt(user=player, length=1)
    attempt.items.update(form=Item.Form.ORDER, options=["B", "A", "C"], correct=[1, 0, 2], notes=[])
    html = client.get(q_url(attempt, 1)).content.decode()
    for option in range(3):
        assert f'<label for="place-{option}">' in html
        assert f'name="place_{option}"' in html
    assert "Submit order" in html
    client.post(q_url(attempt, 1), {"place_0": "2", "place_1": "1", "place_2": "3"})
    item = attempt.items.get()
    assert (item.chosen, item.is_correct) == ([1, 0, 2], True)


def test_order_with_a_repeated_place_reshows_the_form(client, player):
    """Two events in the same place: 400 and the form again with a clear message, htmx or not."""
    attempt = make_attempt(user=player, length=1)
    attempt.items.update(form=Item.Form.ORDER, options=["B", "A", "C"], correct=[1, 0, 2], notes=[])
    for extra in ({}, HX):
        response = client.post(q_url(attempt, 1), {"place_0": "1", "place_1": "1", "place_2": "3"}, **extra)
        assert response.status_code == 400
        assert "Give each event a different place" in response.content.decode()
        assert 'name="place_0"' in response.content.decode()
    assert attempt.items.get().answered_at is None


def test_true_false_has_two_buttons(client, player):
    """A true/false question is two buttons."""
    attempt = make_attempt(user=player, length=1)
    attempt.items.update(form=Item.Form.TRUE_FALSE, options=["True", "False"], correct=1, notes=[])
    html = client.get(q_url(attempt, 1)).content.decode()
    assert html.count('name="choice"') == 2
    assert "options-pair" in html
    client.post(q_url(attempt, 1), {"choice": "1"})
    assert attempt.items.get().is_correct is True


# The answer never reaches the page ------------------------------------------------

_PER_REQUEST = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken": ""'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
]


def _normalised(html: str, attempt: Attempt) -> str:
    html = html.replace(str(attempt.pk), "ATTEMPT")
    for pattern, blank in _PER_REQUEST:
        html = pattern.sub(blank, html)
    return html


@pytest.mark.parametrize(
    "form", [Item.Form.MULTIPLE_CHOICE, Item.Form.TRUE_FALSE, Item.Form.ORDER, Item.Form.MATCH]
)
@pytest.mark.parametrize("extra", [{}, HX], ids=["page", "htmx"])
def test_question_page_is_identical_whichever_option_is_right(client, player, form, extra):
    """Two items that differ only in which option is right render byte-identical pages
    (once the per-request CSRF token, CSP nonce and attempt id are blanked)."""
    answers = {
        Item.Form.MULTIPLE_CHOICE: (0, 3),
        Item.Form.TRUE_FALSE: (0, 1),
        Item.Form.ORDER: ([0, 1, 2, 3], [3, 1, 0, 2]),
        Item.Form.MATCH: ([2, 3], [3, 2]),
    }[form]
    pages = []
    quiz = QuizFactory()
    for correct in answers:
        attempt = make_attempt(user=player, length=2, quiz=quiz)
        attempt.items.update(form=form, correct=correct)
        if form == Item.Form.TRUE_FALSE:
            attempt.items.update(options=["True", "False"], notes=["", ""])
        if form == Item.Form.MATCH:  # two treaties and two years; the notes prove each pair
            attempt.items.update(notes=["The Treaty of Aigun", "The Convention of Peking", "", ""])
        pages.append(_normalised(client.get(q_url(attempt, 1), **extra).content.decode(), attempt))
    assert pages[0] == pages[1]
    assert "The Treaty of Aigun" not in pages[0]  # notes stay on the server too


# Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("length", [3, 20])
def test_question_page_queries_do_not_grow(client, player, django_assert_max_num_queries, length):
    """Session, user, item with attempt and quiz, served_at update, and on a whole page the
    header's teacher check, review count and assigned count: whatever the length. The card
    alone (already served) needs only three."""
    attempt = make_attempt(user=player, length=length, served=False)
    with django_assert_max_num_queries(7):
        assert client.get(q_url(attempt, 1)).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(q_url(attempt, 1), **HX).status_code == 200


@pytest.mark.parametrize("length", [3, 20])
def test_answer_post_queries_do_not_grow(client, player, django_assert_max_num_queries, length):
    """Session, user, item with attempt, item UPDATE, attempt UPDATE (plus the test's savepoints)."""
    attempt = make_attempt(user=player, length=length)
    with django_assert_max_num_queries(7):
        assert client.post(q_url(attempt, 1), {"choice": "0"}, **HX).status_code == 200
    client.get(q_url(attempt, 2))
    with django_assert_max_num_queries(7):
        assert client.post(q_url(attempt, 2), {"choice": "0"}).status_code == 302


def test_every_answer_to_a_question_url_varies_on_htmx(client, player):
    """One URL answers a page, a card, a redirect or a client redirect depending on
    HX-Request, so every response says so: a cache never serves one for the other."""
    attempt = make_attempt(user=player)
    responses = [
        client.get(q_url(attempt, 1)),
        client.get(q_url(attempt, 1), **HX),
        client.post(q_url(attempt, 1), {"choice": "0"}),  # post/redirect/get
        client.post(q_url(attempt, 1), {"choice": "0"}, **HX),  # a replay: the stored card
    ]
    assert [r.status_code for r in responses] == [200, 200, 302, 200]
    for response in responses:
        assert "HX-Request" in response["Vary"]


def _written_quiz(count: int, **fields) -> Quiz:
    """A published written-only quiz of 10 on a dossier with ``count`` published questions."""
    quiz = QuizFactory(mix=Quiz.Mix.WRITTEN, question_count=10, **fields)
    for n in range(count):
        question = QuestionFactory(topic=quiz.topic, stem=f"Question {n}?", status=Question.Status.PUBLISHED)
        ChoiceFactory(question=question, text="Right", is_correct=True)
        ChoiceFactory(question=question, text="Wrong")
    return quiz


def test_the_start_page_promises_only_what_the_quiz_has(client):
    """Five questions exist: the page offers 5, never 10 or 20, and the quiz asks 5."""
    quiz = _written_quiz(5)
    html = client.get(quiz.get_absolute_url()).content.decode()
    offered = re.findall(r'name="length" value="(\d+)"', html)
    assert offered == ["5"]
    client.post(quiz.get_absolute_url(), {"length": "10"})  # forged: refused, nothing started
    assert not Attempt.objects.exists()
    client.post(quiz.get_absolute_url(), {"length": "5"})
    assert Attempt.objects.get().length == 5


def test_a_fixed_length_quiz_states_what_it_will_ask(client):
    quiz = _written_quiz(3, allow_length_choice=False)
    html = client.get(quiz.get_absolute_url()).content.decode()
    assert "<strong>3</strong> questions: all this quiz has for now" in html
    client.post(quiz.get_absolute_url())
    assert Attempt.objects.get().length == 3


def test_an_empty_written_quiz_has_no_start_button_and_cannot_be_published(client):
    """No questions: no Start button, a POST starts nothing; the model refuses publishing."""
    quiz = _written_quiz(0)
    html = client.get(quiz.get_absolute_url()).content.decode()
    assert "There are no questions here yet" in html
    assert ">Start<" not in html
    assert client.post(quiz.get_absolute_url(), {"length": "5"}).status_code == 409
    assert not Attempt.objects.exists()
    with pytest.raises(ValidationError) as refused:
        quiz.full_clean()
    assert "no questions to ask yet" in str(refused.value)
