from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Study material"

    def ready(self) -> None:
        from content import lookups  # noqa: F401  (registers JSONField's any_icontains)
