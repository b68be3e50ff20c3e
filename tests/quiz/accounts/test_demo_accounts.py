"""``manage.py create_demo_accounts``: a demo teacher with a class, a demo student in it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from quiz.management.commands.create_demo_accounts import CLASS_NAME, STUDENT, TEACHER
from quiz.models import TEACHERS_GROUP, Classroom, Membership
from quiz.permissions import EDITORS_GROUP, is_editor, is_teacher

pytestmark = pytest.mark.django_db

User = get_user_model()


def run() -> str:
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    return out.getvalue()


def test_creates_a_teacher_a_class_and_a_student(monkeypatch):
    """The teacher is staff and a teacher; the student is in the teacher's class; both log in."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    output = run()
    teacher = User.objects.get(username=TEACHER[0])
    student = User.objects.get(username=STUDENT[0])
    assert teacher.is_staff
    assert not teacher.is_superuser
    assert is_teacher(teacher)
    assert is_editor(teacher)  # the demo shows the dossier admin and the editors' queue too
    assert teacher.has_perm("content.change_fact")
    assert not student.is_staff
    assert not is_teacher(student)
    assert teacher.check_password("teach-dossiers-2026")
    assert student.check_password("study-dossiers-2026")
    classroom = Classroom.objects.get(teacher=teacher, name=CLASS_NAME)
    assert Membership.objects.filter(classroom=classroom, student=student).exists()
    for text in (*TEACHER, *STUDENT, classroom.join_code):
        assert text in output


def test_running_twice_duplicates_nothing_and_keeps_the_passwords(monkeypatch):
    """A second run finds the same rows; the passwords still work."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    run()
    code = Classroom.objects.get().join_code
    run()
    assert User.objects.filter(username__in=[TEACHER[0], STUDENT[0]]).count() == 2
    assert Classroom.objects.count() == 1
    assert Classroom.objects.get().join_code == code
    assert Membership.objects.count() == 1
    assert Group.objects.filter(name=TEACHERS_GROUP).count() == 1
    assert User.objects.get(username=TEACHER[0]).check_password(TEACHER[1])
    assert User.objects.get(username=STUDENT[0]).check_password(STUDENT[1])


def test_reuses_the_existing_groups():
    """When the Teachers and Dossier editors groups exist (with their permissions), the
    teacher joins those."""
    groups = {Group.objects.get_or_create(name=name)[0] for name in (TEACHERS_GROUP, EDITORS_GROUP)}
    run()
    assert set(User.objects.get(username=TEACHER[0]).groups.all()) == groups
    assert Group.objects.count() == 2


def test_demo_password_from_the_environment(monkeypatch):
    """DEMO_PASSWORD, when set, is the password of both accounts and is printed."""
    monkeypatch.setenv("DEMO_PASSWORD", "my-own-demo-phrase-42")
    output = run()
    assert User.objects.get(username=TEACHER[0]).check_password("my-own-demo-phrase-42")
    assert User.objects.get(username=STUDENT[0]).check_password("my-own-demo-phrase-42")
    assert "my-own-demo-phrase-42" in output


def test_a_weak_demo_password_is_refused(monkeypatch):
    """A DEMO_PASSWORD that fails the validators stops the command and creates nothing."""
    monkeypatch.setenv("DEMO_PASSWORD", "password")
    with pytest.raises(CommandError, match="too common"):
        run()
    assert not User.objects.exists()
    assert not Classroom.objects.exists()
