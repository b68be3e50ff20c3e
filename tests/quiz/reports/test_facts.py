"""Correcting a dossier fact's answer puts it in the editors' queue with every question
built from it; the editor regrades the generated items or keeps them. Reports on generated
questions go to the dossier editors only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from content.models import Fact
from quiz.permissions import EDITORS_GROUP
from quiz.reports import facts, regrade
from quiz.reports.models import AttemptCorrection, FactAnswer, Report
from tests.factories import AttemptFactory, FactFactory, ItemFactory, QuestionFactory, UserFactory
from tests.quiz.reports.conftest import teacher_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked():
    """A fact whose answer was given as 1860, and two attempts that answered its question."""
    fact = FactFactory(answer="1860")
    facts.detect_changes()  # the quiz sees the fact as it is
    attempts = []
    for chosen in (1, 2):  # 1858 (marked wrong), 1860 (marked right)
        attempt = AttemptFactory(length=1, score=int(chosen == 2), answered_count=1)
        ItemFactory(
            attempt=attempt,
            position=1,
            fact=fact,
            fact_ids=[fact.pk],
            correct=2,
            chosen=chosen,
            is_correct=chosen == 2,
            answered_at=attempt.started_at,
        )
        attempts.append(attempt)
    return fact, attempts


def editor_client() -> tuple[Client, object]:
    user = teacher_user("editor")
    user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    client = Client()
    client.force_login(user)
    return client, user


def test_a_corrected_answer_is_noticed_once(asked):
    fact, _ = asked
    assert facts.detect_changes() == 0
    Fact.objects.filter(pk=fact.pk).update(answer="1858")
    assert facts.detect_changes() == 1
    assert facts.detect_changes() == 0
    seen = FactAnswer.objects.get(pk=fact.pk)
    assert (seen.pending, seen.previous_answer, seen.answer) == (True, "1860", "1858")


def test_the_editor_regrades_the_generated_items_once(asked):
    fact, (wrong, right) = asked
    written = QuestionFactory(author=teacher_user("author"))
    written.facts.add(fact)
    Fact.objects.filter(pk=fact.pk).update(answer="1858")
    client, _ = editor_client()
    queue = client.get(reverse("report_queue")).content.decode()
    assert "1860 → 1858" in queue
    page = client.get(reverse("report_fact", args=[fact.pk])).content.decode()
    assert written.stem in page
    assert "2 answers" in page
    decide = reverse("report_fact_decide", args=[fact.pk])
    assert client.post(decide, {"decision": "regrade", "note": "It was 1858."}).status_code == 302
    assert client.post(decide, {"decision": "regrade", "note": "again"}).status_code == 302  # replay
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert (wrong.score, right.score) == (1, 0)
    assert AttemptCorrection.objects.count() == 2
    assert not FactAnswer.objects.get(pk=fact.pk).pending
    assert "1860 → 1858" not in client.get(reverse("report_queue")).content.decode()


def test_keeping_the_answers_leaves_scores_alone(asked):
    fact, (wrong, _) = asked
    Fact.objects.filter(pk=fact.pk).update(answer="1858")
    client, _ = editor_client()
    client.get(reverse("report_queue"))
    client.post(reverse("report_fact_decide", args=[fact.pk]), {"decision": "keep"})
    wrong.refresh_from_db()
    assert wrong.score == 0
    assert not FactAnswer.objects.get(pk=fact.pk).pending


def test_a_teacher_who_is_not_an_editor_sees_no_fact_or_generated_report(asked):
    fact, (wrong, _) = asked
    Report.objects.create(item=wrong.items.get(), user=wrong.user, reason="wrong_answer", note="1858!")
    teacher = Client()
    teacher.force_login(teacher_user("teacher"))
    queue = teacher.get(reverse("report_queue")).content.decode()
    assert "1858!" not in queue
    assert "Generated questions" not in queue
    item = wrong.items.get()
    assert teacher.get(reverse("report_generated", args=[item.pk])).status_code == 404
    assert teacher.get(reverse("report_fact", args=[fact.pk])).status_code == 404
    assert (
        teacher.post(reverse("report_fact_decide", args=[fact.pk]), {"decision": "regrade"}).status_code
        == 404
    )
    editor, _ = editor_client()
    assert item.stem in editor.get(reverse("report_queue")).content.decode()
    page = editor.get(reverse("report_generated", args=[item.pk])).content.decode()
    assert "1858!" in page
    editor.post(reverse("report_generated_dismiss", args=[item.pk]))
    assert Report.objects.get().status == Report.Status.DISMISSED


def test_regrade_fact_skips_items_whose_options_lack_the_new_answer(asked):
    fact, (wrong, _) = asked
    Fact.objects.filter(pk=fact.pk).update(answer="1900")
    fact.refresh_from_db()
    assert regrade.regrade_fact(fact, by=UserFactory()) == 0
    wrong.refresh_from_db()
    assert wrong.score == 0


def test_a_corrected_fact_reaches_the_owner_of_a_written_question_built_from_it(asked):
    """Not an editor: the queue lists the correction with their own question (not others'),
    and the question's page says which fact changed."""
    fact, _ = asked
    author = teacher_user("author")
    mine = QuestionFactory(author=author, stem="Mine: when was it signed?")
    theirs = QuestionFactory(author=teacher_user("someone"), stem="Theirs: when was it signed?")
    for question in (mine, theirs):
        question.facts.add(fact)
    bystander = Client()
    bystander.force_login(teacher_user("bystander"))
    Fact.objects.filter(pk=fact.pk).update(answer="1858")
    client = Client()
    client.force_login(author)
    queue = client.get(reverse("report_queue")).content.decode()
    assert "1860 → 1858" in queue
    assert mine.stem in queue
    assert theirs.stem not in queue
    assert "1860 → 1858" not in bystander.get(reverse("report_queue")).content.decode()
    page = client.get(reverse("report_question", args=[mine.pk])).content.decode()
    assert "A fact this question is built from was corrected" in page
