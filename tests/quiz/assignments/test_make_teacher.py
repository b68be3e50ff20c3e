"""One step makes a user a teacher: the command, or the admin action."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quiz.permissions import is_teacher
from tests.factories import UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_command_makes_a_teacher():
    user = UserFactory(username="newteacher")
    call_command("make_teacher", "newteacher", verbosity=0)
    user.refresh_from_db()
    assert is_teacher(user)
    assert user.is_staff


def test_the_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("make_teacher", "nobody")


def test_the_admin_action_makes_teachers():
    admin = UserFactory(is_staff=True, is_superuser=True)
    users = [UserFactory(), UserFactory()]
    response = client_for(admin).post(
        reverse("admin:auth_user_changelist"),
        {"action": "make_teachers_action", "_selected_action": [u.pk for u in users]},
    )
    assert response.status_code == 302
    for user in users:
        user.refresh_from_db()
        assert is_teacher(user)
