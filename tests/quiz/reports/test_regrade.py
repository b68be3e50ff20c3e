"""Fixing a question: an edit to an answered question starts a new version (statistics per
version), and a regrade re-scores the attempts asked the old key, once, atomically; the
results page says so. The queue shows a teacher only their own questions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quiz.models import Attempt, Item, Question
from quiz.reports import regrade
from quiz.reports.models import AttemptCorrection, Correction, Report
from tests.factories import UserFactory
from tests.quiz.reports.conftest import RIGHT, WRONG_KEY, fix_key, item_of, play, teacher_user

pytestmark = pytest.mark.django_db


def teacher_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_edit_data(question: Question, right: str) -> dict[str, object]:
    choices = list(question.choices.order_by("order"))
    data: dict[str, object] = {
        "topic": question.topic_id,
        "stem": question.stem,
        "explanation": question.explanation,
        "difficulty": question.difficulty,
        "status": question.status,
        "section": "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 6,
    }
    for index, choice in enumerate(choices):
        data[f"choices-{index}-id"] = choice.pk
        data[f"choices-{index}-question"] = question.pk
        data[f"choices-{index}-text"] = choice.text
        data[f"choices-{index}-note"] = ""
        if choice.text == right:
            data[f"choices-{index}-is_correct"] = "on"
    return data


def test_editing_an_answered_question_in_the_admin_starts_a_new_version(loop):
    """Past items keep what they were asked (version 1, the old key); new attempts get version 2."""
    before, _ = play(UserFactory(), loop.quiz, RIGHT)
    url = reverse("admin:quiz_question_change", args=[loop.question.pk])
    response = teacher_client(loop.teacher).post(url, admin_edit_data(loop.question, RIGHT))
    assert response.status_code == 302, response.content.decode()[:2000]
    loop.question.refresh_from_db()
    assert loop.question.version == 2
    old = item_of(before)
    assert (old.question_version, old.options[old.correct]) == (1, WRONG_KEY)
    after, _ = play(UserFactory(), loop.quiz, RIGHT)
    new = item_of(after)
    assert (new.question_version, new.options[new.correct], new.is_correct) == (2, RIGHT, True)


def test_an_edit_before_anyone_answered_or_a_save_without_changes_keeps_the_version(loop):
    client = teacher_client(loop.teacher)
    url = reverse("admin:quiz_question_change", args=[loop.question.pk])
    assert client.post(url, admin_edit_data(loop.question, RIGHT)).status_code == 302
    loop.question.refresh_from_db()
    assert loop.question.version == 1  # nobody was asked it
    play(UserFactory(), loop.quiz, RIGHT)
    assert client.post(url, admin_edit_data(loop.question, RIGHT)).status_code == 302
    loop.question.refresh_from_db()
    assert loop.question.version == 1  # nothing changed


def test_a_regrade_rescored_every_attempt_asked_the_old_key_and_says_so_on_its_results(loop):
    right, right_client = play(UserFactory(), loop.quiz, RIGHT)
    keyed, keyed_client = play(UserFactory(), loop.quiz, WRONG_KEY)
    other, _ = play(UserFactory(), loop.quiz, "Treaty of Peking")
    assert (right.score, keyed.score, other.score) == (0, 1, 0)
    fix_key(loop.question)

    assert regrade.regrade_question(loop.question, by=loop.teacher, note="Aigun was 1858.") == 3
    for attempt, score in ((right, 1), (keyed, 0), (other, 0)):
        attempt.refresh_from_db()
        assert attempt.score == score
        item = item_of(attempt)
        assert item.options[item.correct] == RIGHT
    assert [item_of(a).is_correct for a in (right, keyed, other)] == [True, False, False]
    change = AttemptCorrection.objects.get(attempt=right)
    assert (change.position, change.old_score, change.new_score) == (1, 0, 1)

    page = right_client.get(reverse("attempt_results", args=[right.pk])).content.decode()
    day = change.correction.created_at.strftime("%-d %B")
    assert f"Question 1 was corrected on {day}; your score went from 0 to 1." in page
    assert "Aigun was 1858." in page
    page = keyed_client.get(reverse("attempt_results", args=[keyed.pk])).content.decode()
    assert "your score went from 1 to 0." in page


def test_regrading_twice_changes_nothing_the_second_time(loop):
    attempt, _ = play(UserFactory(), loop.quiz, RIGHT)
    fix_key(loop.question)
    assert regrade.regrade_question(loop.question, by=loop.teacher) == 1
    assert regrade.regrade_question(loop.question, by=loop.teacher) == 0
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert Correction.objects.count() == 1
    assert AttemptCorrection.objects.count() == 1


def test_the_regrade_view_is_the_owners_only_and_a_replay_changes_nothing(loop):
    attempt, _ = play(UserFactory(), loop.quiz, RIGHT)
    fix_key(loop.question)
    url = reverse("report_question_regrade", args=[loop.question.pk])
    other = teacher_client(teacher_user("other"))
    assert other.post(url, {"note": "mine now"}).status_code == 404
    assert other.get(reverse("report_question", args=[loop.question.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.score == 0
    owner = teacher_client(loop.teacher)
    assert owner.get(url).status_code == 405
    assert owner.post(url, {"note": ""}).status_code == 302
    assert owner.post(url, {"note": ""}).status_code == 302  # the replay
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert AttemptCorrection.objects.count() == 1
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(loop.teacher)
    assert forged.post(url, {"note": ""}).status_code == 403


def test_a_student_cannot_open_the_queue(loop):
    student = teacher_client(UserFactory())
    assert student.get(reverse("report_queue")).status_code == 403
    assert student.post(reverse("report_question_regrade", args=[loop.question.pk])).status_code == 403


def test_an_unanswered_item_gets_the_new_key_without_a_note(loop):
    from quiz.models import Player
    from quiz.play import attempts

    student = UserFactory()
    open_attempt = attempts.start_attempt(
        loop.quiz, length=1, player=Player(user_id=student.pk, session_key="")
    )
    fix_key(loop.question)
    assert regrade.regrade_question(loop.question, by=loop.teacher) == 1
    item = item_of(open_attempt)
    assert item.options[item.correct] == RIGHT
    assert item.is_correct is None
    assert not AttemptCorrection.objects.exists()
    open_attempt.refresh_from_db()
    assert open_attempt.score == 0


def test_the_queue_and_question_page_show_reports_and_answers_per_version(
    loop, django_assert_max_num_queries
):
    attempt, student = play(UserFactory(username="ada"), loop.quiz, RIGHT)
    play(UserFactory(), loop.quiz, WRONG_KEY)
    student.post(
        reverse("report_item", args=[attempt.pk, 1]), {"reason": "wrong_answer", "note": "It was 1689!"}
    )
    fix_key(loop.question)
    play(UserFactory(), loop.quiz, RIGHT)
    owner = teacher_client(loop.teacher)
    with django_assert_max_num_queries(12):
        queue = owner.get(reverse("report_queue")).content.decode()
    assert loop.question.stem in queue
    assert "1 open report" in queue
    assert (
        loop.question.stem
        not in teacher_client(teacher_user("other")).get(reverse("report_queue")).content.decode()
    )
    with django_assert_max_num_queries(14):
        page = owner.get(reverse("report_question", args=[loop.question.pk])).content.decode()
    assert "It was 1689!" in page
    assert "Version 1: 2 answers" in page
    assert "Version 2: 1 answer" in page
    assert "Regrade 2 answers" in page
    owner.post(reverse("report_question_regrade", args=[loop.question.pk]), {"note": ""})
    assert Report.objects.get().status == Report.Status.FIXED
    page = owner.get(reverse("report_question", args=[loop.question.pk])).content.decode()
    assert "Nothing to regrade" in page


def test_dismissing_keeps_the_key(loop):
    attempt, student = play(UserFactory(), loop.quiz, WRONG_KEY)
    student.post(reverse("report_item", args=[attempt.pk, 1]), {"reason": "unclear"})
    owner = teacher_client(loop.teacher)
    assert owner.post(reverse("report_question_dismiss", args=[loop.question.pk])).status_code == 302
    assert Report.objects.get().status == Report.Status.DISMISSED
    attempt.refresh_from_db()
    assert attempt.score == 1


def test_a_challenge_keeps_the_version_its_original_was_asked(loop):
    from quiz.models import Player
    from quiz.play import attempts

    original, _ = play(UserFactory(), loop.quiz, RIGHT)
    fix_key(loop.question)
    friend = UserFactory()
    copy = attempts.start_challenge(original, player=Player(user_id=friend.pk, session_key=""))
    assert item_of(copy).question_version == 1
    assert Item.objects.filter(question=loop.question, question_version=1).count() == 2
    assert Attempt.objects.count() == 2


def test_a_regrade_that_fails_halfway_changes_nothing(loop, monkeypatch):
    """Atomic: the second attempt's record fails, so neither attempt's score nor key moved."""
    first, _ = play(UserFactory(), loop.quiz, RIGHT)
    second, _ = play(UserFactory(), loop.quiz, RIGHT)
    fix_key(loop.question)
    create = AttemptCorrection.objects.create
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return create(**kwargs)

    monkeypatch.setattr(AttemptCorrection.objects, "create", failing)
    with pytest.raises(RuntimeError):
        regrade.regrade_question(loop.question, by=loop.teacher)
    for attempt in (first, second):
        attempt.refresh_from_db()
        assert attempt.score == 0
        item = item_of(attempt)
        assert item.options[item.correct] == WRONG_KEY
    assert not Correction.objects.exists()


def test_the_report_and_question_pages_have_pinned_query_counts(loop, django_assert_max_num_queries):
    attempt, student = play(UserFactory(), loop.quiz, RIGHT)
    url = reverse("report_item", args=[attempt.pk, 1])
    # session, user, item, existing report, header, review count, assigned count
    with django_assert_max_num_queries(7):
        assert student.get(url).status_code == 200
    for _ in range(5):
        play(UserFactory(), loop.quiz, WRONG_KEY)
    owner = teacher_client(loop.teacher)
    with django_assert_max_num_queries(14):
        assert owner.get(reverse("report_question", args=[loop.question.pk])).status_code == 200


def test_the_navigation_links_the_queue_for_teachers_only(loop):
    link = f'href="{reverse("report_queue")}"'
    assert link in teacher_client(loop.teacher).get(reverse("home")).content.decode()
    assert link not in teacher_client(UserFactory()).get(reverse("home")).content.decode()
