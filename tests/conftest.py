"""Fixtures and helpers every test package shares (pytest finds this file first)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fsrs import Rating

from content.models import Topic
from quiz.assignments import picks
from quiz.assignments.models import Assignment
from quiz.models import TEACHERS_GROUP, Attempt, Item, Player, Question, Quiz
from quiz.reports import facts
from quiz.reports.models import FactAnswer
from quiz.study import memory as study
from tests.factories import (
    AttemptFactory,
    ClassroomFactory,
    ItemFactory,
    MembershipFactory,
    QuestionFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rendered dossier pages live there)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Concurrency: several threads, each on its own database connection ------------------


@contextmanager
def threads_database(tmp_path: Path) -> Iterator[dict[str, Any] | None]:
    """Settings for the worker threads' connections (None: use the test database as is).

    PostgreSQL: every thread's own connection sees the (committed) test database.
    SQLite: the test database is in memory with a shared cache, where locks are per table
    and a second writer fails at once with "database table is locked" (the busy timeout
    does not apply), so the test would measure the harness, not the code. The threads
    use a file copy instead, opened with the production settings (WAL, BEGIN IMMEDIATE,
    busy timeout); the test reads the outcome from that file.
    """
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "threads.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    yield {**connection.settings_dict, "NAME": str(path)}


def in_thread(db: dict[str, Any] | None, work: Callable[[], Any]) -> Callable[[], Any]:
    """``work`` wrapped to run on its own connection (to ``db`` when given), closed afterwards."""

    def run() -> Any:
        if db is not None:
            connections["default"] = type(connections["default"])(db, "default")
        try:
            return work()
        finally:
            connections["default"].close()

    return run


def run_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            results[index] = jobs[index]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


# Every page of the site (tests/test_every_page.py, tests/test_query_fuzz.py) ----------

DOSSIER = Path(__file__).resolve().parent.parent / "fixtures" / "north-korea-russia.yaml"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def site(db) -> dict:
    """The shipped dossier, a teacher with a class, a student in it, a written question."""
    call_command("import_dossier", str(DOSSIER), verbosity=0)
    topic = Topic.objects.get(slug="north-korea-russia")
    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    student = UserFactory(username="student")
    classroom = ClassroomFactory(teacher=teacher, name="Year 10")
    MembershipFactory(classroom=classroom, student=student)
    quiz = Quiz.objects.create(topic=topic, slug="teacher-quiz", title="Teacher quiz", published=True)
    question = QuestionFactory(section=topic.sections.first())
    return {
        "topic": topic,
        "teacher": teacher,
        "student": student,
        "classroom": classroom,
        "quiz": quiz,
        "question": question,
    }


def _forms_attempt(user) -> Attempt:
    """An attempt with one item of every question form."""
    forms = list(Item.Form)
    attempt = AttemptFactory(user=user, length=len(forms))
    for position, form in enumerate(forms, start=1):
        options = ["True", "False"] if form == Item.Form.TRUE_FALSE else ["1689", "1858", "1860", "1945"]
        correct: int | list[int] = [0, 1, 2, 3] if form == Item.Form.ORDER else 0
        if form == Item.Form.MATCH:
            options = [
                "Treaty of Nerchinsk",
                "Treaty of Aigun",
                "Convention of Peking",
                "1860",
                "1689",
                "1858",
            ]
            correct = [4, 5, 3]
        ItemFactory(attempt=attempt, position=position, form=form, options=options, correct=correct)
    return attempt


def _answer_data(item: Item) -> dict[str, str]:
    if item.form == Item.Form.RECALL:
        return {"typed": "1858"}
    if item.form == Item.Form.ORDER:
        return {f"place_{i}": str(i + 1) for i in range(len(item.options))}
    if item.form == Item.Form.MATCH:  # one pair right, two swapped
        return {"match_0": "4", "match_1": "3", "match_2": "5"}
    return {"choice": "1"}


def site_pages(site: dict) -> Iterator[tuple[str, Client, str, dict]]:
    """(name, client, url, extra headers) for every page, signed out, as a student, as a teacher."""
    topic, quiz, classroom = site["topic"], site["quiz"], site["classroom"]
    anonymous, student, teacher = Client(), Client(), Client()
    student.force_login(site["student"])
    teacher.force_login(site["teacher"])
    tag = topic.facts.exclude(tags=None).first().tags.first()
    for name, url in [
        ("home", "/"),
        ("dossier", topic.get_absolute_url()),
        ("dossier, every disputed fact", f"{topic.get_absolute_url()}?disputed=all"),
        ("tag", tag.get_absolute_url()),
        ("search, empty", reverse("search")),
        ("search", f"{reverse('search')}?q=treaty"),
        ("search, nothing found", f"{reverse('search')}?q=zzzzqqq"),
        ("search, a word respelled", f"{reverse('search')}?q=gorbachov"),
        ("search, no words", f"{reverse('search')}?q=%22*%22"),
        ("search, page 2", f"{reverse('search')}?q=russia&page=2"),
        ("play a dossier", reverse("play_topic", args=[topic.slug])),
        ("play a tag", reverse("play_tag", args=[tag.slug])),
        ("a teacher's quiz", quiz.get_absolute_url()),
        ("leaderboards", reverse("leaderboards")),
        ("a quiz's leaderboard", reverse("quiz_leaderboard", args=[quiz.slug])),
        ("sign up", reverse("signup")),
        ("log in", reverse("login")),
        ("password reset", reverse("password_reset")),
        ("password reset sent", reverse("password_reset_done")),
        ("password reset, bad link", reverse("password_reset_confirm", args=["MQ", "bad-token"])),
        ("password reset complete", reverse("password_reset_complete")),
        ("not found (404)", "/no-such-page/"),
        ("join a live game", reverse("live_join")),
    ]:
        yield name, anonymous, url, {}
    for name, url in [
        ("profile", reverse("profile")),
        ("history, empty", reverse("history")),
        ("password change", reverse("password_change")),
        ("password change done", reverse("password_change_done")),
        ("classes", reverse("class_list")),
        ("host a live game", reverse("live_new")),
    ]:
        yield name, student, url, {}

    attempt = _forms_attempt(site["student"])
    for item in attempt.items.order_by("position"):
        url = reverse("attempt_question", args=[attempt.pk, item.position])
        yield f"question ({item.form})", student, url, {}
        yield f"question ({item.form}), htmx", student, url, HX
        student.post(url, _answer_data(item))
        yield f"feedback ({item.form})", student, url, {}
        yield f"feedback ({item.form}), htmx", student, url, HX
    yield "results", student, reverse("attempt_results", args=[attempt.pk]), {}
    student.post(reverse("attempt_review", args=[attempt.pk]))
    review = Attempt.objects.get(mode=Attempt.Mode.REVIEW)
    yield "review of mistakes", student, reverse("attempt_question", args=[review.pk, 1]), {}
    yield "challenge", anonymous, reverse("challenge", args=[attempt.share_code]), {}
    yield "history", student, reverse("history"), {}

    yield "review, nothing met", anonymous, reverse("review"), {}
    what_you_know = reverse("study_dossier", args=[topic.slug])
    yield "what you know of a dossier, nothing met", anonymous, what_you_know, HX
    met = topic.facts.order_by("pk")[:8]
    study.record_review(Player(site["student"].pk, ""), met, Rating.Good, timezone.now() - timedelta(days=5))
    for name, url, headers in [
        ("review, facts due", reverse("review"), {}),
        ("what you know of a dossier", what_you_know, {}),
        ("what you know of a dossier, htmx", what_you_know, HX),
        ("what I remember", reverse("study_progress"), {}),
        ("what I remember, htmx", reverse("study_progress"), HX),
        ("study settings", reverse("study_settings"), {}),
    ]:
        yield name, student, url, headers
    student.post(reverse("review"))
    session = Attempt.objects.get(mode=Attempt.Mode.STUDY)
    yield "review session question", student, reverse("attempt_question", args=[session.pk, 1]), {}
    # When a question is wrong: the report form, the queue and what it opens.
    report_url = reverse("report_item", args=[attempt.pk, 1])
    yield "report a problem", student, report_url, {}
    yield "report a problem, htmx", student, report_url, HX
    student.post(report_url, {"reason": "wrong_answer", "note": "It was 1858."})
    yield "report a problem, sent", student, report_url, {}
    Question.objects.filter(pk=site["question"].pk).update(author=site["teacher"])
    editor = Client()
    editor.force_login(UserFactory(username="editor", is_superuser=True, is_staff=True))
    fact = topic.facts.first()
    facts.detect_changes()
    FactAnswer.objects.filter(pk=fact.pk).update(pending=True, previous_answer="an old answer")
    yield "reports queue (teacher)", teacher, reverse("report_queue"), {}
    yield "reports on a question", teacher, reverse("report_question", args=[site["question"].pk]), {}
    yield "reports queue (editor)", editor, reverse("report_queue"), {}
    yield (
        "reports on a generated question",
        editor,
        reverse("report_generated", args=[attempt.items.get(position=1).pk]),
        {},
    )
    yield "a corrected fact", editor, reverse("report_fact", args=[fact.pk]), {}

    for name, url in [
        ("classes (teacher)", reverse("class_list")),
        ("class results", reverse("class_detail", args=[classroom.pk])),
        ("admin index", reverse("admin:index")),
        ("question preview", reverse("admin:quiz_question_preview", args=[site["question"].pk])),
        ("question import", reverse("admin:quiz_question_import_csv")),
        ("question export", reverse("admin:quiz_question_export")),
        ("API token", reverse("api_token")),
        ("API docs", reverse("rest:openapi-view")),
        ("Open Trivia DB API docs", reverse("opentdb:openapi-view")),
    ]:
        yield name, teacher, url, {}
    yield "question export, form errors", teacher, reverse("admin:quiz_question_export") + "?what=quiz", {}
    yield from _assignment_pages(site, student, teacher)


def _assignment_pages(
    site: dict, student: Client, teacher: Client
) -> Iterator[tuple[str, Client, str, dict]]:
    """An assignment to the site's class, started and answered by its student."""
    now = timezone.now()
    quiz = Quiz.objects.create(
        topic=site["topic"],
        slug="assigned-quiz",
        title="Assigned quiz",
        published=True,
        owner=site["teacher"],
    )
    assignment = Assignment.objects.create(
        classroom=site["classroom"],
        quiz=quiz,
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=2),
        answers_shown=Assignment.Answers.AFTER_DUE,
    )
    yield "assigned to you, not started", student, reverse("assigned_list"), {}
    yield "assignment (student)", student, reverse("assignment_detail", args=[assignment.pk]), {}
    attempt = Attempt.objects.get(pk=student.post(assignment.get_absolute_url())["Location"].split("/")[-2])
    url = reverse("attempt_question", args=[attempt.pk, 1])
    student.get(url)
    student.post(url, {"choice": "0"})
    yield "answer recorded (answers after the due date)", student, url, {}
    yield "answer recorded, htmx", student, url, HX
    yield "assigned to you", student, reverse("assigned_list"), {}
    yield "home, with assignments", student, "/", {}
    for name, url in [
        ("assign a quiz", reverse("assignment_create", args=[site["classroom"].pk])),
        ("gradebook", reverse("class_gradebook", args=[site["classroom"].pk])),
        ("assignment (teacher)", reverse("assignment_detail", args=[assignment.pk])),
        ("item analysis", reverse("assignment_analysis", args=[assignment.pk])),
        ("a student's attempt", reverse("gradebook_attempt", args=[attempt.pk])),
        ("my quizzes", reverse("my_quizzes")),
        ("new quiz", reverse("quiz_create")),
        ("change a quiz", reverse("quiz_edit", args=[quiz.pk])),
        ("pick a quiz's questions", reverse("quiz_build", args=[quiz.pk])),
        ("change an assignment", reverse("assignment_edit", args=[assignment.pk])),
        ("delete an assignment (asks first)", reverse("assignment_delete", args=[assignment.pk])),
        ("delete a quiz, refused (assigned)", reverse("quiz_delete", args=[quiz.pk])),
    ]:
        yield name, teacher, url, {}
    # A quiz built by hand: its own change form, its questions once played (fixed), deleting it.
    built = Quiz.objects.create(
        topic=site["topic"], slug="built-quiz", title="Built quiz", owner=site["teacher"]
    )
    picks.add(built, question=site["question"])
    yield "change a hand-built quiz", teacher, reverse("quiz_edit", args=[built.pk]), {}
    yield "delete a quiz (asks first)", teacher, reverse("quiz_delete", args=[built.pk]), {}
    AttemptFactory(quiz=built, user=site["student"])
    yield "a played quiz's questions (fixed)", teacher, reverse("quiz_build", args=[built.pk]), {}
    yield "delete a quiz, refused (played)", teacher, reverse("quiz_delete", args=[built.pk]), {}
