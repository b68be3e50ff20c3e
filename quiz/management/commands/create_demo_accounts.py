"""Create a demo teacher with a demo class, and a demo student in that class.

Idempotent: running it again finds the same accounts, class and membership, and sets the
same passwords again (so a forgotten or changed demo password is back to the documented
one). The passwords are fixed and documented here and in the output:

- teacher ``demo-teacher`` / ``teach-dossiers-2026`` (staff, in the Teachers group and in
  the Dossier editors group, so the demo shows the dossier admin and every report queue)
- student ``demo-student`` / ``study-dossiers-2026``

Set ``DEMO_PASSWORD`` to use one password of your own for both instead.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from quiz.models import TEACHERS_GROUP, Classroom, Membership
from quiz.permissions import EDITORS_GROUP

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TEACHER = ("demo-teacher", "teach-dossiers-2026")
STUDENT = ("demo-student", "study-dossiers-2026")
CLASS_NAME = "Demo class"


class Command(BaseCommand):
    help = "Create (or refresh) a demo teacher with a demo class and a demo student in it."

    def handle(self, *args: Any, **options: Any) -> None:
        override = os.environ.get("DEMO_PASSWORD") or None
        with transaction.atomic():
            teacher = self._account(TEACHER[0], override or TEACHER[1], is_staff=True)
            teachers, _ = Group.objects.get_or_create(name=TEACHERS_GROUP)
            editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
            teacher.groups.add(teachers, editors)
            student = self._account(STUDENT[0], override or STUDENT[1], is_staff=False)
            classroom = Classroom.objects.filter(teacher=teacher, name=CLASS_NAME).first()
            if classroom is None:
                classroom = Classroom.objects.create(teacher=teacher, name=CLASS_NAME)
            Membership.objects.get_or_create(classroom=classroom, student=student)
        self.stdout.write("Demo accounts (log in at /accounts/login/):")
        self.stdout.write(f"  teacher  username: {TEACHER[0]}  password: {override or TEACHER[1]}")
        self.stdout.write(f"  student  username: {STUDENT[0]}  password: {override or STUDENT[1]}")
        self.stdout.write(f"  class    {classroom.name!r}, join code {classroom.join_code}")

    def _account(self, username: str, password: str, *, is_staff: bool) -> User:
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"DEMO_PASSWORD is too weak: {' '.join(exc.messages)}") from exc
        user.set_password(password)
        user.is_staff = is_staff
        user.is_active = True
        user.save()
        return user
