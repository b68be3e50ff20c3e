from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Study material"

    def ready(self) -> None:
        from content.search import schema

        # Django rebuilds an SQLite table to alter it, which drops the search triggers.
        post_migrate.connect(schema.repair_after_migrate, sender=self)
