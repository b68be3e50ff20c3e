"""A student reports a problem from a question's feedback: a page without JavaScript, a
fragment with htmx; one report per user per item, a limit an hour, CSRF, ownership."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quiz.reports import views
from quiz.reports.models import Report
from tests.factories import UserFactory
from tests.quiz.reports.conftest import HX, RIGHT, play

pytestmark = pytest.mark.django_db


def report_url(attempt) -> str:
    return reverse("report_item", args=[attempt.pk, 1])


def test_the_feedback_card_links_to_the_report_form_for_a_signed_in_player(loop):
    """The feedback (page and htmx card) offers "Report a problem", with a real href."""
    attempt, client = play(UserFactory(), loop.quiz, RIGHT)
    url = reverse("attempt_question", args=[attempt.pk, 1])
    for headers in ({}, HX):
        html = client.get(url, **headers).content.decode()
        assert f'href="{report_url(attempt)}"' in html
        assert "Report a problem with this question" in html


def test_a_report_without_javascript_is_saved_and_redirects_to_the_feedback(loop):
    student = UserFactory()
    attempt, client = play(student, loop.quiz, RIGHT)
    page = client.get(report_url(attempt))
    assert page.status_code == 200
    assert "What is wrong?" in page.content.decode()
    response = client.post(
        report_url(attempt),
        {"reason": "wrong_answer", "note": "Aigun was 1858.", "passage": "Nerchinsk, 1689"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/q/1/#feedback")
    report = Report.objects.get()
    assert (report.user, report.item, report.question) == (student, attempt.items.get(), loop.question)
    assert (report.reason, report.note, report.passage, report.question_version) == (
        "wrong_answer",
        "Aigun was 1858.",
        "Nerchinsk, 1689",
        1,
    )


def test_a_report_with_htmx_answers_with_the_fragment(loop):
    attempt, client = play(UserFactory(), loop.quiz, RIGHT)
    fragment = client.get(report_url(attempt), **HX).content.decode()
    assert "<html" not in fragment
    assert 'hx-post="' in fragment
    response = client.post(report_url(attempt), {"reason": "typo", "note": ""}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "You reported this question (there is a typo)" in html
    assert Report.objects.count() == 1


def test_a_second_report_or_a_replay_changes_nothing(loop):
    attempt, client = play(UserFactory(), loop.quiz, RIGHT)
    client.post(report_url(attempt), {"reason": "typo", "note": "first"})
    response = client.post(report_url(attempt), {"reason": "other", "note": "second"})
    assert response.status_code == 200
    assert "You reported this question" in response.content.decode()
    assert list(Report.objects.values_list("reason", "note")) == [("typo", "first")]


def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(loop):
    attempt, client = play(UserFactory(), loop.quiz, RIGHT)
    response = client.post(report_url(attempt), {"reason": "nonsense", "note": "kept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "kept" in html
    assert not Report.objects.exists()


def test_another_players_item_an_unanswered_item_and_a_signed_out_visitor_are_refused(loop):
    attempt, _ = play(UserFactory(), loop.quiz, RIGHT)
    other = Client()
    other.force_login(UserFactory())
    assert other.get(report_url(attempt)).status_code == 404
    assert other.post(report_url(attempt), {"reason": "typo"}).status_code == 404
    assert Client().post(report_url(attempt), {"reason": "typo"}).status_code == 302  # to log in
    assert not Report.objects.exists()


def test_an_unanswered_question_cannot_be_reported(loop):
    from quiz.models import Player
    from quiz.play import attempts

    student = UserFactory()
    attempt = attempts.start_attempt(loop.quiz, length=1, player=Player(user_id=student.pk, session_key=""))
    client = Client()
    client.force_login(student)
    assert client.get(report_url(attempt)).status_code == 404


def test_a_forged_post_without_the_csrf_token_is_refused(loop):
    student = UserFactory()
    attempt, _ = play(student, loop.quiz, RIGHT)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(student)
    assert forged.post(report_url(attempt), {"reason": "typo"}).status_code == 403
    assert not Report.objects.exists()


def test_reports_are_limited_per_user_per_hour(loop, monkeypatch):
    """Over the limit: 429 with a message, nothing saved."""
    monkeypatch.setattr(
        views, "REPORTS_PER_USER", views.throttle.Limit("report-user", 1, views.REPORTS_PER_USER.window)
    )
    student = UserFactory()
    first, client = play(student, loop.quiz, RIGHT)
    second, _ = play(student, loop.quiz, RIGHT)
    assert client.post(report_url(first), {"reason": "typo"}).status_code == 302
    response = client.post(report_url(second), {"reason": "typo"})
    assert response.status_code == 429
    assert "many reports this hour" in response.content.decode()
    assert Report.objects.count() == 1
