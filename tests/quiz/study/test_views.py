"""The study pages: /review/ and its sessions, the answer path's reviews, the dossier fragment,
progress with its chart, "practise my weakest", and the settings."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.urls import reverse
from django.utils import timezone
from fsrs import Rating

from content.models import Fact
from quiz.models import Attempt, Item, Player
from quiz.study import memory, sessions
from quiz.study.models import MemoryCard, ReviewLog, StudySettings
from tests.conftest import in_thread, run_threads, threads_database
from tests.factories import UserFactory
from tests.quiz.conftest import answer_data, make_attempt

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def me(user) -> Player:
    return Player(user_id=user.pk, session_key="")


def age(player: Player, delta: dt.timedelta) -> None:
    """Move the player's whole study history ``delta`` into the past: for FSRS, time passing."""
    key = memory.key_of(player)
    for card in MemoryCard.objects.filter(player=key):
        card.due -= delta
        card.last_review = card.last_review - delta if card.last_review else None
        card.introduced_at -= delta
        card.save()


def play_through(client, attempt: Attempt, *, right: bool = True) -> None:
    for item in attempt.items.order_by("position"):
        client.get(reverse("attempt_question", args=[attempt.pk, item.position]))
        client.post(reverse("attempt_question", args=[attempt.pk, item.position]), answer_data(item, right))


def askable_facts(bank, n: int = 4) -> list[Fact]:
    """Facts that can be asked both as multiple choice and as true/false."""
    names = ["border-river", "bridge", "summit-2019", "capital", "treaty-1689", "treaty-1860"]
    return [bank.facts[name] for name in names][:n]


# The answer path ---------------------------------------------------------------------


def first_item_with_facts(client, attempt: Attempt) -> Item:
    """Answer the items before the first one that stands on facts (a timeline question whose
    events carry none stands on nothing); show that one and return it."""
    for item in attempt.items.order_by("position"):
        url = reverse("attempt_question", args=[attempt.pk, item.position])
        client.get(url)
        if item.fact_ids:
            return item
        client.post(url, answer_data(item, True))
    raise AssertionError("no item stands on a fact")


def test_an_answer_reaches_the_cards_once_even_from_two_tabs(client, user, bank):
    """A right answer makes a card when the cards are next read (here the review page); the
    same answer posted again (second tab) stores no second review."""
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    item = first_item_with_facts(client, attempt)
    url = reverse("attempt_question", args=[attempt.pk, item.position])
    client.post(url, answer_data(item, True), **HX)
    client.post(url, answer_data(item, False), **HX)
    client.get(reverse("review"))
    client.get(reverse("review"))
    facts_answered = {pk for i in attempt.items.filter(answered_at__isnull=False) for pk in i.fact_ids}
    assert ReviewLog.objects.filter(fact_id__in=item.fact_ids).count() == len(item.fact_ids)
    assert set(MemoryCard.objects.values_list("fact_id", flat=True)) == facts_answered
    rating = Rating.Hard if item.form == Item.Form.TRUE_FALSE else Rating.Good
    logs = ReviewLog.objects.filter(fact_id__in=item.fact_ids)
    assert set(logs.values_list("rating", flat=True)) == {rating}
    assert set(logs.values_list("reviewed_at", flat=True)) == {Item.objects.get(pk=item.pk).answered_at}
    assert set(MemoryCard.objects.filter(fact_id__in=item.fact_ids).values_list("last_form", flat=True)) == {
        item.form
    }


def test_the_answer_does_no_card_work_until_the_attempt_finishes(
    client, user, bank, django_assert_num_queries
):
    """Session, user, item, the two conditional UPDATEs (with the test's savepoints): 7 queries
    whether or not the item stands on facts, and no card. The answer that finishes the
    attempt also takes every answer in: the pending answers, the cards they touch, then in
    one transaction (a savepoint here) the flags' UPDATE, the cards' upsert and the log's
    INSERT."""
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    items = list(attempt.items.order_by("position"))
    for item in items[:-1]:
        url = reverse("attempt_question", args=[attempt.pk, item.position])
        client.get(url)
        with django_assert_num_queries(7):
            assert client.post(url, answer_data(item, True), **HX).status_code == 200
    assert not MemoryCard.objects.exists()
    last = items[-1]
    url = reverse("attempt_question", args=[attempt.pk, last.position])
    client.get(url)
    with django_assert_num_queries(7 + 7):
        assert client.post(url, answer_data(last, True), **HX).status_code == 200
    answered_facts = {pk for item in items for pk in item.fact_ids}
    assert set(MemoryCard.objects.values_list("fact_id", flat=True)) == answered_facts
    assert ReviewLog.objects.count() == sum(len(item.fact_ids) for item in items)
    assert not Item.objects.filter(cards_updated=False).exists()


def test_catching_up_gives_the_cards_the_same_schedule_as_reviewing_at_once(bank):
    """Answers taken in later, in one batch, leave each card as reviewing each answer at
    its own time would have: same due date, stability, difficulty, reps and lapses."""
    fact = askable_facts(bank, 1)[0]
    start = timezone.now() - dt.timedelta(days=30)
    history = [
        (Rating.Good, start),
        (Rating.Again, start + dt.timedelta(days=4)),
        (Rating.Good, start + dt.timedelta(days=6)),
    ]
    once, batched = Player(user_id=None, session_key="one"), Player(user_id=None, session_key="two")
    for rating, at in history:
        memory.record_review(once, [fact], rating, at, form="multiple_choice")
    memory.apply_reviews(
        batched,
        [memory.Review((fact.pk,), rating, at, "multiple_choice") for rating, at in reversed(history)],
    )
    fields = ("state", "stability", "difficulty", "due", "last_review", "reps", "lapses", "introduced_at")
    one, two = (MemoryCard.objects.values(*fields).get(player=memory.key_of(p)) for p in (once, batched))
    assert one == two
    assert one["reps"] == 3
    assert one["lapses"] == 1


@pytest.mark.django_db(transaction=True)
def test_requests_catching_up_at_once_take_each_answer_in_once(tmp_path, bank):
    """Six threads, each on its own connection, catch the same player up at once: every
    answer reaches the cards exactly once (one review log per fact), whoever took it."""
    user = UserFactory()
    attempt = make_attempt(user=user, length=4)
    facts = askable_facts(bank, 4)
    for item, fact in zip(attempt.items.order_by("position"), facts, strict=True):
        Item.objects.filter(pk=item.pk).update(
            fact_ids=[fact.pk], answered_at=timezone.now(), chosen=0, is_correct=True
        )
    barrier = threading.Barrier(6)

    def catch_up() -> int:
        barrier.wait(timeout=30)
        return memory.catch_up(me(user), timezone.now())

    def outcome() -> tuple[int, int, int]:
        return (
            ReviewLog.objects.count(),
            MemoryCard.objects.count(),
            Item.objects.filter(cards_updated=False).count(),
        )

    with threads_database(tmp_path) as db:
        taken = run_threads([in_thread(db, catch_up) for _ in range(6)])
        logs, cards, pending = run_threads([in_thread(db, outcome)])[0]
    assert sum(taken) == 4
    assert (logs, cards, pending) == (4, 4, 0)


def test_a_card_reviewed_between_scheduling_and_writing_is_scheduled_again(user, bank, monkeypatch):
    """catch_up schedules before it takes the write lock; if another request reviews the
    same card in between, the guarded write changes nothing and the batch is done again
    under the lock, so neither review is lost."""
    fact = askable_facts(bank, 1)[0]
    attempt = make_attempt(user=user, length=1)
    answered = timezone.now() - dt.timedelta(minutes=5)
    Item.objects.filter(attempt=attempt).update(
        fact_ids=[fact.pk], answered_at=answered, chosen=0, is_correct=True
    )
    schedule = memory._schedule

    def schedule_then_someone_else_reviews(player, reviews):
        plan = schedule(player, reviews)
        monkeypatch.setattr(memory, "_schedule", schedule)  # once
        memory.record_review(player, [fact], Rating.Again, answered - dt.timedelta(minutes=1))
        return plan

    monkeypatch.setattr(memory, "_schedule", schedule_then_someone_else_reviews)
    assert memory.catch_up(me(user), timezone.now()) == 1
    card = MemoryCard.objects.get(player=memory.key_of(me(user)), fact=fact)
    assert card.reps == 2
    assert list(ReviewLog.objects.order_by("reviewed_at").values_list("rating", flat=True)) == [
        Rating.Again,
        Rating.Good,
    ]
    assert card.last_review == answered


def test_an_assignment_hiding_its_answers_keeps_them_from_the_cards_until_it_is_due(client, user, bank):
    """Cards' due dates would tell right from wrong: the answers wait until the due date,
    then reach the cards at the times they were given."""
    due = timezone.now() + dt.timedelta(days=2)
    attempt = make_attempt(user=user, length=2, answers_hidden_until=due)
    facts = askable_facts(bank, 2)
    for item, fact in zip(attempt.items.order_by("position"), facts, strict=True):
        Item.objects.filter(pk=item.pk).update(fact_ids=[fact.pk])
    play_through(client, attempt)
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    client.get(reverse("review"))
    client.get(reverse("study_progress"))
    assert not MemoryCard.objects.exists()
    Attempt.objects.filter(pk=attempt.pk).update(
        answers_hidden_until=timezone.now() - dt.timedelta(seconds=1)
    )
    client.get(reverse("review"))
    assert set(MemoryCard.objects.values_list("fact_id", flat=True)) == {fact.pk for fact in facts}
    answered = set(attempt.items.values_list("answered_at", flat=True))
    assert set(ReviewLog.objects.values_list("reviewed_at", flat=True)) == answered


def test_an_unfinished_anonymous_quiz_reaches_the_account_at_log_in(client, bank):
    """Answers of a quiz left half-way are taken into the session's cards before they move."""
    user = UserFactory(username="back")
    user.set_password("a-long-pass-phrase")
    user.save()
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    item = first_item_with_facts(client, attempt)
    client.post(reverse("attempt_question", args=[attempt.pk, item.position]), answer_data(item, True))
    assert not MemoryCard.objects.exists()
    client.post(reverse("login"), {"username": "back", "password": "a-long-pass-phrase"})
    assert set(item.fact_ids) <= set(MemoryCard.objects.filter(user=user).values_list("fact_id", flat=True))
    assert not Item.objects.filter(answered_at__isnull=False, cards_updated=False).exists()


def test_anonymous_cards_follow_the_player_to_a_new_account(client, bank):
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    play_through(client, Attempt.objects.get())
    met = MemoryCard.objects.filter(user=None).count()
    assert met > 0
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "email": "n@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert not MemoryCard.objects.filter(user=None).exists()
    assert MemoryCard.objects.filter(user__username="newbie").count() == met


def test_anonymous_cards_follow_the_player_at_log_in(client, bank):
    user = UserFactory(username="back")
    user.set_password("a-long-pass-phrase")
    user.save()
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    play_through(client, Attempt.objects.get())
    met = MemoryCard.objects.filter(user=None).count()
    client.post(reverse("login"), {"username": "back", "password": "a-long-pass-phrase"})
    assert MemoryCard.objects.filter(user=user, player=f"u{user.pk}").count() == met > 0
    assert not MemoryCard.objects.filter(user=None).exists()


# /review/ ---------------------------------------------------------------------------


def test_review_page_counts_due_facts_and_the_nav_shows_them(client, user, bank, django_assert_num_queries):
    facts = askable_facts(bank)
    now = timezone.now()
    memory.record_review(me(user), facts[:3], Rating.Good, now - dt.timedelta(days=5))
    memory.record_review(me(user), facts[3:], Rating.Good, now)
    # session, user, pending answers, due count, settings, met today, new facts, teacher
    # flag, assigned count
    with django_assert_num_queries(9):
        response = client.get(reverse("review"))
    html = response.content.decode()
    assert re.search(r'<span class="stat-number">3</span> facts due', html)
    assert re.search(r'badge-due">3<span class="visually-hidden"> due', html)
    assert "Start a review</button>" in html


def test_the_nav_count_is_one_query_and_none_for_a_visitor_without_a_session(
    rf, bank, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from quiz.study.views import nav_counts

    request = rf.get("/")
    request.user, request.session = AnonymousUser(), SessionStore()
    with django_assert_num_queries(0):
        assert nav_counts(request)["study_due"]() == 0
    user = UserFactory()
    memory.record_review(
        me(user), askable_facts(bank, 2), Rating.Again, timezone.now() - dt.timedelta(days=3)
    )
    request = rf.get("/")
    request.user, request.session = user, SessionStore()
    due = nav_counts(request)["study_due"]
    with django_assert_num_queries(1):  # once, however many times the header shows the nav
        assert due() == 2
        assert due() == 2
    request = rf.get("/")
    request.user, request.study_due = user, 5  # a view that counted already
    with django_assert_num_queries(0):
        assert nav_counts(request)["study_due"]() == 5


def test_a_session_asks_due_facts_in_another_form_than_last_time(client, user, bank):
    facts = askable_facts(bank)
    past = timezone.now() - dt.timedelta(days=10)
    for fact in facts[:2]:
        memory.record_review(me(user), [fact], Rating.Good, past, form=Item.Form.MULTIPLE_CHOICE)
    for fact in facts[2:]:
        memory.record_review(me(user), [fact], Rating.Good, past, form=Item.Form.TRUE_FALSE)
    StudySettings.objects.create(user=user, new_per_day=0)
    response = client.post(reverse("review"))
    attempt = Attempt.objects.get(mode=Attempt.Mode.STUDY)
    assert response["Location"] == attempt.get_absolute_url()
    forms = {item.fact_ids[0]: item.form for item in attempt.items.all()}
    # The form after the last one, in turn: multiple choice → true/false → typed recall.
    assert forms == {
        facts[0].pk: Item.Form.TRUE_FALSE,
        facts[1].pk: Item.Form.TRUE_FALSE,
        facts[2].pk: Item.Form.RECALL,
        facts[3].pk: Item.Form.RECALL,
    }
    play_through(client, attempt)
    assert memory.due_count(me(user), timezone.now()) == 0
    assert set(MemoryCard.objects.values_list("last_form", flat=True)) == {"true_false", "recall"}
    page = client.get(reverse("attempt_question", args=[attempt.pk, 1])).content.decode()
    assert "Spaced review" in page


def test_new_facts_arrive_a_few_a_day(client, user, bank):
    """The daily limit counts facts first met today, in quizzes or reviews."""
    StudySettings.objects.create(user=user, new_per_day=3)
    memory.record_review(me(user), askable_facts(bank, 1), Rating.Good, timezone.now())
    client.post(reverse("review"))
    attempt = Attempt.objects.get(mode=Attempt.Mode.STUDY)
    assert attempt.length == 2
    play_through(client, attempt)
    assert sessions.new_allowance(me(user), timezone.now()) == 0
    response = client.post(reverse("review"), follow=True)
    assert "Nothing to review right now" in response.content.decode()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert sessions.new_allowance(me(user), tomorrow) == 3


def test_nothing_to_review_for_a_newcomer(client):
    html = client.get(reverse("review")).content.decode()
    assert "0</span> facts due" in html
    assert "You have no facts to review yet" in html
    response = client.post(reverse("review"))
    assert response.status_code == 302
    assert not Attempt.objects.exists()


def test_review_rejects_other_methods(client):
    assert client.put(reverse("review")).status_code == 405


# The dossier fragment ------------------------------------------------------------------


def test_dossier_page_loads_the_personal_part_separately(client, bank):
    html = client.get(reverse("topic_detail", args=[bank.topic.slug])).content.decode()
    url = reverse("study_dossier", args=[bank.topic.slug])
    assert f'hx-get="{url}"' in html
    assert f'href="{url}"' in html  # the no-JS fallback
    assert 'id="memory-section-borders"' in html


def test_dossier_fragment_counts_known_due_and_never_met(client, user, bank, django_assert_max_num_queries):
    borders = list(bank.topic.facts.filter(section__slug="borders").order_by("pk"))
    now = timezone.now()
    memory.record_review(me(user), borders[:2], Rating.Good, now)
    memory.record_review(me(user), borders[2:3], Rating.Again, now - dt.timedelta(days=2))
    url = reverse("study_dossier", args=[bank.topic.slug])
    with django_assert_max_num_queries(6):  # one more: the answers not in the cards yet
        response = client.get(url, **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert "Cookie" in response["Vary"]
    passage = re.search(r'id="memory-section-borders"[^>]*hx-swap-oob="true">(.*?)</p>', html, re.S).group(1)
    assert "2 known" in passage
    assert "1 due" in passage
    assert f"{len(borders) - 3} never met" in passage
    page = client.get(url).content.decode()
    assert "<html" in page
    assert "2 known" in page


def test_another_players_cards_never_show(client, bank):
    other = UserFactory()
    memory.record_review(me(other), bank.topic.facts.all(), Rating.Good, timezone.now())
    html = client.get(reverse("study_dossier", args=[bank.topic.slug]), **HX).content.decode()
    assert "known" not in html
    assert "You have not met the facts of this dossier yet" in html


def test_unknown_dossier_is_404(client):
    assert client.get(reverse("study_dossier", args=["nope"])).status_code == 404


# Progress and the weakest ------------------------------------------------------------------


def test_progress_draws_recall_per_passage_and_tag_as_svg(client, user, bank):
    facts = askable_facts(bank, 6)
    long_ago = timezone.now() - dt.timedelta(days=40)
    memory.record_review(me(user), facts[:3], Rating.Good, long_ago)
    memory.record_review(me(user), facts[3:], Rating.Good, timezone.now())
    response = client.get(reverse("study_progress"), **HX)
    html = response.content.decode()
    assert "<svg" in html
    assert "style=" not in html
    assert "By passage" in html
    assert "By theme" in html
    widths = [float(w) for w in re.findall(r'class="recall-bar recall-\w+"[^>]*width="([0-9.]+)"', html)]
    assert widths
    assert min(widths) < max(widths)
    report = memory.progress(me(user), timezone.now())
    assert report.weakest is not None
    assert report.weakest.recall < 0.9


def test_history_loads_progress_with_htmx(client, user, bank):
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    play_through(client, Attempt.objects.get())
    html = client.get(reverse("history")).content.decode()
    assert f'hx-get="{reverse("study_progress")}"' in html


def test_practise_my_weakest_starts_a_quiz_on_the_lowest_recall(client, user, bank):
    facts = askable_facts(bank, 6)
    memory.record_review(me(user), facts, Rating.Good, timezone.now())
    weak = bank.facts["treaty-1689"]
    memory.record_review(me(user), [weak], Rating.Again, timezone.now() - dt.timedelta(days=30))
    response = client.post(reverse("study_weakest"))
    attempt = Attempt.objects.get()
    assert response["Location"] == attempt.get_absolute_url()
    assert attempt.mode == Attempt.Mode.NORMAL
    assert attempt.length > 0


def test_practise_my_weakest_without_cards_says_so(client):
    response = client.post(reverse("study_weakest"), follow=True)
    assert "Play a quiz first" in response.content.decode()
    assert client.get(reverse("study_weakest")).status_code == 405


def test_results_page_offers_practise_my_weakest(client, user, bank):
    client.post(reverse("play_topic", args=[bank.topic.slug]), {"length": "5"})
    attempt = Attempt.objects.get()
    play_through(client, attempt)
    html = client.get(reverse("attempt_results", args=[attempt.pk])).content.decode()
    assert f'action="{reverse("study_weakest")}"' in html


# Settings ----------------------------------------------------------------------


def test_profile_shows_the_study_settings(client, user):
    html = client.get(reverse("profile")).content.decode()
    assert 'name="desired_retention"' in html
    assert 'value="0.9"' in html


@pytest.mark.parametrize("value", ["0.5", "0.99", "x", ""])
def test_retention_outside_the_range_is_refused_and_nothing_saved(client, user, value):
    response = client.post(reverse("study_settings"), {"desired_retention": value, "new_per_day": "5"})
    assert response.status_code == 400
    assert "retention" in response.content.decode().lower()
    assert not StudySettings.objects.exists()


def test_settings_are_saved(client, user):
    response = client.post(reverse("study_settings"), {"desired_retention": "0.85", "new_per_day": "4"})
    assert response["Location"] == reverse("profile")
    saved = StudySettings.objects.get(user=user)
    assert (saved.desired_retention, saved.new_per_day) == (0.85, 4)


def test_settings_need_an_account(client):
    response = client.get(reverse("study_settings"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_two_tabs_answering_one_review_item_store_one_review(client, user, bank):
    """The session's items are answered by the usual conditional write: the second tab's answer
    (a different choice) is shown what was stored, and reviews nothing."""
    memory.record_review(me(user), askable_facts(bank, 1), Rating.Good, timezone.now() - dt.timedelta(days=9))
    StudySettings.objects.create(user=user, new_per_day=0)
    client.post(reverse("review"))
    attempt = Attempt.objects.get(mode=Attempt.Mode.STUDY)
    item = attempt.items.get(position=1)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    client.get(url)
    client.post(url, answer_data(item, True), **HX)
    response = client.post(url, answer_data(item, False), **HX)
    assert "You already answered this question" in response.content.decode()
    assert ReviewLog.objects.count() == 2  # the seed review and one from the session
    assert ReviewLog.objects.latest("pk").rating in (Rating.Good, Rating.Hard)


def test_the_chart_scales_bars_to_recall():
    from quiz.study.chart import recall_chart
    from quiz.study.memory import Recall

    chart = recall_chart(
        [Recall("tag", 1, "Low", "/t/low/", 3, 0.25), Recall("tag", 2, "Full", "/t/f/", 1, 1.0)]
    )
    low, full = chart.bars
    assert low.width * 4 == pytest.approx(full.width, abs=0.2)
    assert (low.level, full.level, low.percent) == ("low", "high", 25)
    assert full.y_bar > low.y_bar
    assert chart.height >= full.y_bar + chart.bar_height


@pytest.mark.parametrize("facts", [2, 6])
def test_progress_fragment_queries_do_not_grow_with_cards(
    client, user, bank, facts, django_assert_num_queries
):
    """Session, user, the answers not in the cards yet, the player's cards with their
    passages, and the tags of those facts."""
    memory.record_review(
        me(user), askable_facts(bank, facts), Rating.Good, timezone.now() - dt.timedelta(days=2)
    )
    with django_assert_num_queries(5):
        assert client.get(reverse("study_progress"), **HX).status_code == 200
