"""The teacher's loop, second part: who edits the dossiers.

- The ``Dossier editors`` group gets admin rights of its own: add, change, delete and view
  on every content model (topic, source, section, timeline event, fact, citation, tag) and
  the right to handle reports on generated questions and corrected facts (a permission on
  Report, declared here).
- The ``Teachers`` group keeps add/change/delete/view on questions, choices and quizzes but
  only *views* the dossier content: a dossier is shared by every class, and a corrected
  fact's answer starts the editors' regrade, so changing it is the editors' job.

On a fresh database the permissions do not exist yet when this runs (Django creates them
after all migrations), so they are created here first. Running it again sets the same
permissions; reversing it gives the teachers their content rights back and deletes the
editors' group.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

# Spelled out rather than imported: a migration must not change when the code does.
EDITORS = "Dossier editors"
TEACHERS = "Teachers"
CONTENT_MODELS = ("topic", "source", "section", "timelineevent", "fact", "citation", "tag")
ACTIONS = ("add", "change", "delete", "view")
HANDLE_REPORTS = "handle_generated_reports"


def _permissions(apps, db, wanted, expected):
    Permission = apps.get_model("auth", "Permission")
    found = list(Permission.objects.using(db).filter(wanted))
    if len(found) != expected:
        raise RuntimeError(f"Expected {expected} permissions, found {len(found)}.")
    return found


def _content(actions):
    codenames = [f"{action}_{model}" for model in CONTENT_MODELS for action in actions]
    return Q(content_type__app_label="content", codename__in=codenames), len(codenames)


def dossier_editors(apps, schema_editor):
    db = schema_editor.connection.alias
    for app_label in ("content", "quiz"):
        create_permissions(global_apps.get_app_config(app_label), verbosity=0, using=db, apps=apps)
    Group = apps.get_model("auth", "Group")

    content, count = _content(ACTIONS)
    reports = Q(content_type__app_label="quiz", codename=HANDLE_REPORTS)
    editors, _ = Group.objects.using(db).get_or_create(name=EDITORS)
    editors.permissions.set(_permissions(apps, db, content | reports, count + 1))

    teachers, _ = Group.objects.using(db).get_or_create(name=TEACHERS)
    changes, count = _content(("add", "change", "delete"))
    teachers.permissions.remove(*_permissions(apps, db, changes, count))


def undo(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Group.objects.using(db).filter(name=EDITORS).delete()
    teachers = Group.objects.using(db).filter(name=TEACHERS).first()
    if teachers is not None:
        changes, count = _content(("add", "change", "delete"))
        teachers.permissions.add(*_permissions(apps, db, changes, count))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0007_quality"),
        ("quiz", "0013_matching"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="report",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("handle_generated_reports", "Can handle reports on generated questions and corrected facts")
                ],
            },
        ),
        migrations.RunPython(dossier_editors, undo),
    ]
