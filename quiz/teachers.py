"""Making a user a teacher: one step, from the command line or the admin.

``manage.py make_teacher USERNAME`` or the admin's "Make the selected users teachers"
action on the users list both add the user to the ``Teachers`` group (made if missing)
and give them staff status, so the admin's question and quiz pages open for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from quiz.models import TEACHERS_GROUP

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User
    from django.db.models import QuerySet
    from django.http import HttpRequest


@transaction.atomic
def make_teachers(users: Iterable[User]) -> int:
    group, _ = Group.objects.get_or_create(name=TEACHERS_GROUP)
    count = 0
    for user in users:
        group.user_set.add(user)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        count += 1
    return count


@admin.action(description="Make the selected users teachers", permissions=["change"])
def make_teachers_action(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]
) -> None:
    count = make_teachers(queryset)
    modeladmin.message_user(
        request, f"{count} user{'' if count == 1 else 's'} made teacher.", messages.SUCCESS
    )


class TeacherUserAdmin(UserAdmin):
    actions = [make_teachers_action]


def register_user_admin() -> None:
    """Django's own user admin, with the action added."""
    user_model = get_user_model()
    if admin.site.is_registered(user_model):
        admin.site.unregister(user_model)
    admin.site.register(user_model, TeacherUserAdmin)
