"""The Teachers group (data migrations quiz 0002 and 0014) and a teacher's own use of the admin.

0002's own function is tested here as it was written (content rights included); 0014 then
narrows the content rights to viewing (tests/quiz/reports/test_editors.py)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.urls import reverse

from quiz.models import TEACHERS_GROUP, Question
from tests.factories import AttemptFactory, ClassroomFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quiz.migrations.0002_teachers_group")

CONTENT_MODELS = ["topic", "source", "section", "timelineevent", "fact", "citation", "tag"]
QUIZ_MODELS = ["question", "choice", "quiz"]
EXPECTED = {
    (app_label, f"{action}_{model}")
    for app_label, models in (("content", CONTENT_MODELS), ("quiz", QUIZ_MODELS))
    for model in models
    for action in ("add", "change", "delete", "view")
}
PASSWORD = "correct horse battery staple"


def group_permissions() -> set[tuple[str, str]]:
    group = Group.objects.get(name=TEACHERS_GROUP)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_teachers_group_has_exactly_the_teaching_permissions():
    """After migrating, the Teachers group holds add/change/delete/view on Question, Choice
    and Quiz and only view on the content models (0002 gave it all four there; 0014 leaves
    changing the dossiers to the Dossier editors), and nothing else: no users, groups,
    attempts, items, classrooms or memberships, not even to view."""
    migrated = {
        (app_label, codename)
        for app_label, codename in EXPECTED
        if app_label == "quiz" or codename.startswith("view_")
    }
    assert group_permissions() == migrated
    assert len(migrated) == 12 + 7
    assert len(EXPECTED) == 40


def test_migration_is_idempotent_and_reversible():
    """Running the migration again changes nothing; reversing it deletes the group; running it
    once more brings the same group back."""
    schema_editor = SimpleNamespace(connection=connection)
    group = Group.objects.get(name=TEACHERS_GROUP)
    group.permissions.add(Permission.objects.get(codename="view_attempt"))

    migration.create_teachers_group(apps, schema_editor)
    migration.create_teachers_group(apps, schema_editor)
    assert Group.objects.filter(name=TEACHERS_GROUP).count() == 1
    assert group_permissions() == EXPECTED, "a stray permission is removed, the set restored"

    migration.delete_teachers_group(apps, schema_editor)
    assert not Group.objects.filter(name=TEACHERS_GROUP).exists()

    migration.create_teachers_group(apps, schema_editor)
    assert group_permissions() == EXPECTED


def test_migration_creates_missing_permissions_itself():
    """On a fresh database the permissions do not exist yet; the migration makes them."""
    Permission.objects.filter(content_type__app_label="quiz").delete()

    migration.create_teachers_group(apps, SimpleNamespace(connection=connection))

    assert group_permissions() == EXPECTED


@pytest.fixture
def teacher():
    user = UserFactory(username="ms-kim", is_staff=True)
    user.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    return user


def test_teacher_writes_a_question_in_the_admin_end_to_end(client, teacher):
    """A staff account in the Teachers group and nothing else logs in on the admin login page,
    opens the add page, saves a valid question with its choices (author recorded), and gets a
    clear error and nothing saved for an invalid one."""
    topic = TopicFactory()
    login = client.post(
        reverse("admin:login"),
        {"username": "ms-kim", "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="127.0.0.1",
    )
    assert login.status_code == 302
    assert login.url == reverse("admin:index")

    add_url = reverse("admin:quiz_question_add")
    assert client.get(add_url).status_code == 200

    def post(choices):
        data = {
            "topic": topic.pk,
            "stem": "In which year was the Treaty of Nerchinsk signed?",
            "explanation": "Russia and Qing China signed it in 1689.",
            "difficulty": 2,
            "status": "published",
            "section": "",
            "choices-TOTAL_FORMS": len(choices),
            "choices-INITIAL_FORMS": 0,
            "choices-MIN_NUM_FORMS": 0,
            "choices-MAX_NUM_FORMS": 6,
        }
        for index, (text, correct) in enumerate(choices):
            data[f"choices-{index}-text"] = text
            if correct:
                data[f"choices-{index}-is_correct"] = "on"
        return client.post(add_url, data)

    saved = post([("1689", True), ("1858", False), ("1860", False), ("", False)])
    assert saved.status_code == 302
    question = Question.objects.get()
    assert question.author == teacher
    assert question.choices.count() == 3

    refused = post([("1689", True), ("1858", True)])
    assert refused.status_code == 200
    assert "Exactly one choice must be correct; 2 are marked correct." in refused.content.decode()
    assert Question.objects.count() == 1


def test_teacher_is_refused_users_groups_attempts_and_classes(client, teacher):
    """A teacher gets 403 on the user and group admin and on every attempt and class page,
    and the admin index does not list them."""
    client.force_login(teacher)
    attempt = AttemptFactory()
    classroom = ClassroomFactory()

    for url in [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[teacher.pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:quiz_attempt_changelist"),
        reverse("admin:quiz_attempt_change", args=[attempt.pk]),
        reverse("admin:quiz_classroom_changelist"),
        reverse("admin:quiz_classroom_change", args=[classroom.pk]),
    ]:
        assert client.get(url).status_code == 403, url

    index = client.get(reverse("admin:index"))
    models = {model["object_name"] for app in index.context["app_list"] for model in app["models"]}
    assert {"Question", "Quiz"} <= models
    assert not models & {"User", "Group", "Attempt", "Classroom"}
