"""The Dossier editors group (data migration quiz 0014): the dossier content's admin
rights and the reports on generated questions; teachers only view the dossier content."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.urls import reverse

from content.models import Fact
from quiz.models import TEACHERS_GROUP
from quiz.permissions import EDITORS_GROUP, is_editor
from quiz.reports import facts
from quiz.reports.models import Report
from tests.factories import AttemptFactory, FactFactory, ItemFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quiz.migrations.0014_teacher_loop")

CONTENT_MODELS = ["topic", "source", "section", "timelineevent", "fact", "citation", "tag"]
ACTIONS = ("add", "change", "delete", "view")
EDITOR_PERMISSIONS = {("content", f"{action}_{model}") for model in CONTENT_MODELS for action in ACTIONS} | {
    ("quiz", "handle_generated_reports")
}


def permissions(name: str) -> set[tuple[str, str]]:
    group = Group.objects.get(name=name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def staff_in(username: str, group: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_editors_group_has_the_content_rights_and_the_reports():
    """After migrating: the editors add, change, delete and view every content model and
    handle reports on generated questions; teachers only view the content."""
    assert permissions(EDITORS_GROUP) == EDITOR_PERMISSIONS
    teachers = permissions(TEACHERS_GROUP)
    assert {codename for app, codename in teachers if app == "content"} == {
        f"view_{model}" for model in CONTENT_MODELS
    }
    assert ("quiz", "change_question") in teachers
    assert ("quiz", "handle_generated_reports") not in teachers


def test_the_migration_is_idempotent_and_reversible():
    """Running it again changes nothing; reversing it deletes the editors' group and gives
    the teachers their content rights back; running it once more narrows them again."""
    schema_editor = SimpleNamespace(connection=connection)
    teachers_after = permissions(TEACHERS_GROUP)
    migration.dossier_editors(apps, schema_editor)
    assert permissions(EDITORS_GROUP) == EDITOR_PERMISSIONS
    assert permissions(TEACHERS_GROUP) == teachers_after

    migration.undo(apps, schema_editor)
    assert not Group.objects.filter(name=EDITORS_GROUP).exists()
    assert ("content", "change_fact") in permissions(TEACHERS_GROUP)

    migration.dossier_editors(apps, schema_editor)
    assert permissions(EDITORS_GROUP) == EDITOR_PERMISSIONS
    assert permissions(TEACHERS_GROUP) == teachers_after


def test_the_migration_creates_missing_permissions_itself():
    """On a fresh database the permissions do not exist yet; the migration makes them."""
    Permission.objects.filter(codename="handle_generated_reports").delete()
    Permission.objects.filter(content_type__app_label="content").delete()
    migration.dossier_editors(apps, SimpleNamespace(connection=connection))
    assert permissions(EDITORS_GROUP) == EDITOR_PERMISSIONS


def _fact_form(fact: Fact, answer: str) -> dict:
    """The fact's admin change form as a browser posts it (citations left as they are)."""
    return {
        "topic": fact.topic_id,
        "slug": fact.slug,
        "kind": fact.kind,
        "subject": fact.subject,
        "stem": "",
        "statement": fact.statement.replace(fact.answer, answer),
        "answer": answer,
        "unit": "",
        "aliases": "[]",
        "distractors": "[]",
        "year": "",
        "explanation": "",
        "section": "",
        "event": "",
        "dispute_note": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }


def test_an_editor_edits_a_fact_in_the_admin_and_a_plain_teacher_cannot():
    """A staff member of Dossier editors (and of no other group) corrects a fact's answer in
    the admin; a staff teacher sees the fact read-only, and their post is refused (403)
    with the fact unchanged."""
    fact = FactFactory(answer="1860", statement="The Treaty of Peking was signed in 1860.")
    url = reverse("admin:content_fact_change", args=[fact.pk])

    teacher = client_for(staff_in("ms-plain", TEACHERS_GROUP))
    page = teacher.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert teacher.post(url, _fact_form(fact, "1858")).status_code == 403
    assert teacher.get(reverse("admin:content_fact_add")).status_code == 403
    fact.refresh_from_db()
    assert fact.answer == "1860"

    editor = client_for(staff_in("mr-editor", EDITORS_GROUP))
    assert editor.get(url).context["has_change_permission"]
    saved = editor.post(url, _fact_form(fact, "1858"))
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    fact.refresh_from_db()
    assert (fact.answer, fact.statement) == ("1858", "The Treaty of Peking was signed in 1858.")


def test_an_editor_who_is_not_a_teacher_handles_the_generated_reports_and_fact_corrections():
    """The editor's queue lists reports on generated questions and corrected facts; they open
    and dismiss one and regrade a fact. The navigation links the queue for them. A student
    gets a 403, a plain teacher a 404 on the editors' pages."""
    fact = FactFactory(answer="1860")
    facts.detect_changes()
    attempt = AttemptFactory(length=1, score=1, answered_count=1)
    item = ItemFactory(
        attempt=attempt,
        position=1,
        fact=fact,
        correct=2,
        chosen=2,
        is_correct=True,
        answered_at=attempt.started_at,
    )
    Report.objects.create(item=item, user=attempt.user, reason="wrong_answer")
    Fact.objects.filter(pk=fact.pk).update(answer="1858")

    user = staff_in("mr-editor", EDITORS_GROUP)
    assert is_editor(user)
    editor = client_for(user)
    queue = editor.get(reverse("report_queue"))
    assert queue.status_code == 200
    html = queue.content.decode()
    assert reverse("report_generated", args=[item.pk]) in html
    assert "1860 → 1858" in html
    assert f'href="{reverse("report_queue")}"' in html  # the navigation's "Reports"
    assert editor.get(reverse("report_generated", args=[item.pk])).status_code == 200
    assert editor.post(reverse("report_generated_dismiss", args=[item.pk])).status_code == 302
    assert Report.objects.get().status == Report.Status.DISMISSED
    assert editor.get(reverse("report_fact", args=[fact.pk])).status_code == 200
    decide = editor.post(reverse("report_fact_decide", args=[fact.pk]), {"decision": "regrade", "note": ""})
    assert decide.status_code == 302
    item.refresh_from_db()
    assert item.options[item.correct] == "1858"

    assert client_for(UserFactory(username="pupil")).get(reverse("report_queue")).status_code == 403
    plain = client_for(staff_in("ms-plain", TEACHERS_GROUP))
    assert plain.get(reverse("report_generated", args=[item.pk])).status_code == 404
    assert f'href="{reverse("report_queue")}"' in plain.get("/").content.decode()  # their own queue
    assert not is_editor(UserFactory(username="nobody"))
    assert is_editor(UserFactory(username="root", is_superuser=True))
