"""The Teachers group, with exactly the permissions a teacher needs in the admin.

Teachers write the study material and the questions: add, change, delete and view on the
content models and on Question, Choice and Quiz. Nothing else, not even view: no users or
groups, and no attempts, items, classrooms or memberships (those are students' scores).

On a fresh database the permissions do not exist yet when this runs (Django creates them
after *all* migrations), so they are created here first. Running it again sets the same
permissions; reversing it deletes the group.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

# Spelled out rather than imported: a migration must not change when the code does.
GROUP_NAME = "Teachers"
TEACHER_MODELS = {
    "content": ("topic", "source", "section", "timelineevent", "fact", "citation", "tag"),
    "quiz": ("question", "choice", "quiz"),
}
ACTIONS = ("add", "change", "delete", "view")


def create_teachers_group(apps, schema_editor):
    db = schema_editor.connection.alias
    for app_label in TEACHER_MODELS:
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=db, apps=apps)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = Q()
    for app_label, models in TEACHER_MODELS.items():
        codenames = [f"{action}_{model}" for model in models for action in ACTIONS]
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    permissions = list(Permission.objects.using(db).filter(wanted))
    expected = sum(len(models) for models in TEACHER_MODELS.values()) * len(ACTIONS)
    if len(permissions) != expected:
        raise RuntimeError(
            f"Expected {expected} permissions for the Teachers group, found {len(permissions)}."
        )

    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    group.permissions.set(permissions)


def delete_teachers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0002_fact_sample_key_indexes"),
        ("quiz", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_teachers_group, delete_teachers_group),
    ]
