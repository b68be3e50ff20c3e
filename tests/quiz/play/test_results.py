"""Results, "Review my mistakes" and "Challenge a friend"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.models import Attempt, Question
from tests.factories import AttemptFactory, ChoiceFactory, ItemFactory, QuestionFactory, UserFactory
from tests.quiz.conftest import answer_data, make_attempt

pytestmark = pytest.mark.django_db


def results_url(attempt: Attempt) -> str:
    return reverse("attempt_results", args=[attempt.pk])


def play_through(client: Client, attempt: Attempt, right: list[bool], **extra) -> None:
    """Answer every item of ``attempt`` in order, right or wrong as asked."""
    for item, is_right in zip(attempt.items.order_by("position"), right, strict=True):
        url = reverse("attempt_question", args=[attempt.pk, item.position])
        client.get(url, **extra)
        client.post(url, answer_data(item, right=is_right), **extra)


@pytest.fixture
def player(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize("extra", [{}, {"HTTP_HX_REQUEST": "true"}], ids=["form", "htmx"])
def test_a_whole_quiz_from_the_dossier_to_the_results(client, player, bank, extra):
    """Start from the dossier, answer five generated questions (3 right), see 3 / 5 with every answer."""
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    play_through(client, attempt, [True, False, True, False, True], **extra)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.answered_count) == (3, 5)
    assert attempt.finished_at is not None
    html = client.get(results_url(attempt)).content.decode()
    assert "<strong>3</strong> <span>/ 5</span>" in html
    assert html.count('class="answer-row') == 5
    assert "Time taken:" in html
    assert "Review my mistakes (2)" in html
    for item in attempt.items.all():
        assert item.passage_url in html


def test_results_show_each_answer_and_the_right_one(client, player):
    """Each row: the stem, the player's answer, the right answer when missed, the passage to re-read."""
    attempt = make_attempt(user=player, length=2)
    play_through(client, attempt, [True, False])
    html = client.get(results_url(attempt)).content.decode()
    assert "<dt>Your answer</dt><dd>1858</dd>" in html
    assert "<dt>Right answer</dt><dd>1689</dd>" in html
    assert html.count('href="/dossiers/nk/#section-borders"') == 2


def test_results_of_an_unfinished_attempt_send_back_to_the_game(client, player):
    """Before the end there are no results: back to the current question."""
    attempt = make_attempt(user=player)
    response = client.get(results_url(attempt))
    assert response["Location"] == attempt.get_absolute_url()


@pytest.mark.parametrize("length", [3, 20])
def test_results_page_queries_do_not_grow(client, player, django_assert_max_num_queries, length):
    """Session, user, attempt (with quiz, topic, tag, rival), items, the friends who took
    the challenge, the regrades that corrected it, the header's teacher check: however
    many items."""
    attempt = make_attempt(user=player, length=length)
    play_through(client, attempt, [True] * length)
    with django_assert_max_num_queries(9):  # + the header's review and assigned counts, the corrections
        assert client.get(results_url(attempt)).status_code == 200


def test_challenge_results_queries_do_not_grow(client, player, django_assert_max_num_queries):
    """A challenge adds one query for the rival's answers."""
    original = make_attempt(length=10, finished_at=timezone.now())
    challenge = make_attempt(user=player, length=10, challenge_of=original, mode=Attempt.Mode.CHALLENGE)
    play_through(client, challenge, [True] * 10)
    with django_assert_max_num_queries(10):  # + the header's review and assigned counts, the corrections
        assert client.get(results_url(challenge)).status_code == 200


# Review my mistakes ---------------------------------------------------------------


def test_review_starts_a_new_attempt_on_the_missed_facts(client, player, bank):
    """Review asks again, in a new attempt, about exactly the facts missed."""
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    play_through(client, attempt, [False, True, True, False, True])
    missed = {tuple(item.fact_ids) for item in attempt.items.filter(is_correct=False) if not item.question_id}
    response = client.post(reverse("attempt_review", args=[attempt.pk]))
    review = Attempt.objects.get(mode=Attempt.Mode.REVIEW)
    assert response["Location"] == review.get_absolute_url()
    assert review.user == player
    assert review.length == 2  # one question per missed item
    asked = {fact_id for item in review.items.all() for fact_id in item.fact_ids}
    assert asked <= {fact_id for ids in missed for fact_id in ids}


def test_review_asks_one_question_per_missed_item_and_the_button_says_how_many(client, player, bank):
    """A missed "put in order" item stands on several facts: it is still one question. The
    count on the button is the count the review asks."""
    order_facts = [bank.facts[key].pk for key in ("nerchinsk", "aigun", "peking")]
    attempt = AttemptFactory(user=player, length=3, answered_count=3, finished_at=timezone.now())
    ItemFactory(
        attempt=attempt,
        position=1,
        form="order",
        options=["a", "b", "c"],
        correct=[0, 1, 2],
        fact_ids=order_facts,
        chosen=[2, 1, 0],
        is_correct=False,
    )
    ItemFactory(attempt=attempt, position=2, fact_ids=[bank.facts["nerchinsk"].pk], is_correct=False)
    ItemFactory(attempt=attempt, position=3, fact_ids=[bank.facts["aigun"].pk], is_correct=True)

    results = client.get(reverse("attempt_results", args=[attempt.pk])).content.decode()
    client.post(reverse("attempt_review", args=[attempt.pk]))

    assert "Review my mistakes (2)" in results
    review = Attempt.objects.get(mode=Attempt.Mode.REVIEW)
    assert review.length == review.items.count() == 2
    first, second = review.items.order_by("position")
    assert set(first.fact_ids) <= set(order_facts)
    assert set(first.fact_ids) != set(second.fact_ids)  # the two items ask about different facts


def test_review_leaves_out_teacher_questions_unpublished_since(client, player, bank):
    """A teacher unpublished a question after the attempt: review neither counts nor asks it."""
    kept = QuestionFactory(topic=bank.topic, stem="Kept?")
    dropped = QuestionFactory(topic=bank.topic, stem="Dropped?")
    for question in (kept, dropped):
        ChoiceFactory(question=question, text="Right", is_correct=True)
        ChoiceFactory(question=question, text="Wrong")
    attempt = AttemptFactory(user=player, length=2, answered_count=2, finished_at=timezone.now())
    ItemFactory(attempt=attempt, position=1, question=kept, is_correct=False)
    ItemFactory(attempt=attempt, position=2, question=dropped, is_correct=False)
    dropped.status = Question.Status.DRAFT
    dropped.save()

    results = client.get(reverse("attempt_results", args=[attempt.pk])).content.decode()
    client.post(reverse("attempt_review", args=[attempt.pk]))

    assert "Review my mistakes (1)" in results
    review = Attempt.objects.get(mode=Attempt.Mode.REVIEW)
    assert list(review.items.values_list("question_id", flat=True)) == [kept.pk]


def test_review_with_no_mistakes_says_so(client, player):
    """All right: no new attempt, a message on the results page."""
    attempt = make_attempt(user=player, length=1)
    play_through(client, attempt, [True])
    response = client.post(reverse("attempt_review", args=[attempt.pk]), follow=True)
    assert "Nothing to review" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_review_needs_a_post(client, player):
    """Review starts something, so GET is not allowed."""
    attempt = make_attempt(user=player, length=1)
    assert client.get(reverse("attempt_review", args=[attempt.pk])).status_code == 405


# Challenge a friend ---------------------------------------------------------------


def test_results_give_a_challenge_link(client, player):
    """The results page shows the link built from the attempt's share code."""
    attempt = make_attempt(user=player, length=1)
    play_through(client, attempt, [True])
    html = client.get(results_url(attempt)).content.decode()
    assert f"http://testserver/challenge/{attempt.share_code}/" in html


@pytest.mark.parametrize("signed_in", [True, False], ids=["user", "anonymous"])
def test_a_friend_plays_the_same_questions_and_sees_you_vs_them(client, player, signed_in):
    """Whoever opens the link plays a copy of the same questions in the same order, then
    sees their score against the sharer's."""
    original = make_attempt(user=player, length=3)
    original.items.filter(position=2).update(stem="Second, as asked", options=["a", "b"], correct=1)
    play_through(client, original, [True, True, False])
    friend = Client()
    if signed_in:
        friend.force_login(UserFactory(username="friend"))
    url = reverse("challenge", args=[original.share_code])
    page = friend.get(url).content.decode()
    assert f"{player.username} scored on these 3 questions" in page
    assert "Accept the challenge" in page
    response = friend.post(url)
    challenge = Attempt.objects.get(mode=Attempt.Mode.CHALLENGE)
    assert response["Location"] == challenge.get_absolute_url()
    assert challenge.challenge_of == original
    assert list(challenge.items.values_list("stem", "options", "correct")) == list(
        original.items.values_list("stem", "options", "correct")
    )
    play_through(friend, challenge, [True, True, True])
    html = friend.get(results_url(challenge)).content.decode()
    assert "You win!" in html
    assert f'<span class="versus-name">{player.username}</span> <strong>2</strong>' in html
    assert f"{player.username}: wrong" in html


def test_an_unfinished_attempt_cannot_be_challenged(client):
    """The link only works once the sharer has finished."""
    attempt = make_attempt(length=2)
    assert client.get(reverse("challenge", args=[attempt.share_code])).status_code == 404
    assert client.post(reverse("challenge", args=[attempt.share_code])).status_code == 404
    assert Attempt.objects.count() == 1


def challenge_of(original: Attempt, *, score: int, finished: bool = True, **fields) -> Attempt:
    """A challenge of ``original`` taken by someone else, with ``score`` right answers."""
    return AttemptFactory(
        quiz=original.quiz,
        length=original.length,
        score=score,
        mode=Attempt.Mode.CHALLENGE,
        challenge_of=original,
        finished_at=timezone.now() if finished else None,
        **fields,
    )


def test_the_sharer_sees_how_their_friends_did_best_first(client, player):
    """Finished challenges only, best first, each with the friend's name (or Anonymous player) and score."""
    original = make_attempt(user=player, length=3)
    play_through(client, original, [True, True, False])
    challenge_of(original, score=1, user=UserFactory(username="bo"))
    challenge_of(original, score=3, user=UserFactory(username="ann"))
    challenge_of(original, score=2, user=None, session_key="guest")
    challenge_of(original, score=3, finished=False, user=UserFactory(username="still-playing"))
    AttemptFactory(
        quiz=original.quiz,
        challenge_of=original,
        score=3,
        finished_at=timezone.now(),
        mode=Attempt.Mode.REVIEW,
        user=UserFactory(username="not-a-challenge"),
    )
    html = client.get(results_url(original)).content.decode()
    assert "How your friends did" in html
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>(\d+/\d+)</td>", html)
    assert rows == [("ann", "3/3"), ("Anonymous player", "2/3"), ("bo", "1/3")]
    assert "still-playing" not in html
    assert "not-a-challenge" not in html


def test_friends_results_show_only_on_the_sharers_page(client, player):
    """A challenger's own results, and another player's results, do not list the sharer's friends."""
    original = make_attempt(user=player, length=1)
    play_through(client, original, [True])
    challenge_of(original, score=0, user=UserFactory(username="carla"))
    other = make_attempt(user=player, length=1)
    play_through(client, other, [True])
    assert "carla" not in client.get(results_url(other)).content.decode()
    assert "How your friends did" not in client.get(results_url(other)).content.decode()
    friend = Client()
    friend_user = UserFactory(username="dan")
    friend.force_login(friend_user)
    mine = challenge_of(original, score=1, user=friend_user)
    html = friend.get(results_url(mine)).content.decode()
    assert "How your friends did" not in html
    assert "carla" not in html
    assert friend.get(results_url(original)).status_code == 404


def test_friends_list_queries_do_not_grow(client, player, django_assert_max_num_queries):
    """One query for the friends, however many took the challenge."""
    original = make_attempt(user=player, length=2)
    play_through(client, original, [True, True])
    for n in range(15):
        challenge_of(original, score=n % 3, user=UserFactory() if n % 2 else None)
    with django_assert_max_num_queries(9):  # + the header's review and assigned counts, the corrections
        response = client.get(results_url(original))
    assert len(response.context["challengers"]) == 15


def test_the_sharer_cannot_replay_their_own_challenge(client, player):
    """Your own link sends you to your attempt: you have seen the answers on the results page."""
    original = make_attempt(user=player, length=2)
    play_through(client, original, [False, False])
    url = reverse("challenge", args=[original.share_code])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == original.get_absolute_url()
    assert not Attempt.objects.filter(mode=Attempt.Mode.CHALLENGE).exists()
    assert "already played these questions" in client.get(results_url(original)).content.decode()


def test_a_challenge_of_a_challenge_cannot_bring_the_sharer_back(client, player):
    """A friend's challenge link copies the sharer's own questions: the sharer is refused it too."""
    original = make_attempt(user=player, length=2)
    play_through(client, original, [True, False])
    friend = Client()
    friend.force_login(UserFactory(username="friend"))
    friend.post(reverse("challenge", args=[original.share_code]))
    friends_attempt = Attempt.objects.get(mode=Attempt.Mode.CHALLENGE)
    play_through(friend, friends_attempt, [True, True])
    response = client.post(reverse("challenge", args=[friends_attempt.share_code]))
    assert response["Location"] == original.get_absolute_url()
    assert Attempt.objects.filter(mode=Attempt.Mode.CHALLENGE).count() == 1


def test_a_friend_takes_a_challenge_once(client, player):
    """A second go at the same link leads back to the first one."""
    original = make_attempt(user=player, length=2)
    play_through(client, original, [True, True])
    friend = Client()
    friend.force_login(UserFactory(username="friend"))
    url = reverse("challenge", args=[original.share_code])
    first = friend.post(url)
    second = friend.post(url)
    assert second["Location"] == first["Location"]
    assert Attempt.objects.filter(mode=Attempt.Mode.CHALLENGE).count() == 1


def test_a_review_attempt_is_not_a_challenge(client, player):
    """Review attempts are practice on one's mistakes; their link leads nowhere."""
    review = make_attempt(user=player, length=2, mode=Attempt.Mode.REVIEW)
    play_through(client, review, [True, True])
    friend = Client()
    assert friend.get(reverse("challenge", args=[review.share_code])).status_code == 404
    assert friend.post(reverse("challenge", args=[review.share_code])).status_code == 404


def test_a_review_offers_no_challenge_link(client, player):
    """A review of one's mistakes is practice: its results page offers no challenge link
    (the challenge view would answer it with a 404); a normal quiz's page does."""
    normal = make_attempt(user=player, length=1)
    review = make_attempt(user=player, length=1, mode=Attempt.Mode.REVIEW)
    play_through(client, normal, [True])
    play_through(client, review, [True])
    results = [client.get(reverse("attempt_results", args=[a.pk])).content.decode() for a in (normal, review)]
    assert "Challenge a friend" in results[0]
    assert "Challenge a friend" not in results[1]
