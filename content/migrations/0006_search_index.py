"""The search index: SQLite's FTS5 or PostgreSQL's full-text search (see content.search.schema).

Created by the same code that repairs it after later migrations, so the two never differ;
it holds no state of the models (the index is the database's, kept in step by triggers),
and reversing it drops everything it made but the extensions.
"""

from django.db import migrations


def install(apps, schema_editor):
    from content.search import schema

    schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from content.search import schema

    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("content", "0005_source_date_precision")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
