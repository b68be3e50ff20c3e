from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.dossier import export_dossier
from content.models import Topic


class Command(BaseCommand):
    help = "Write a topic out as a dossier YAML file (to stdout unless -o is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The topic's slug.")
        parser.add_argument("-o", "--output", help="Write to this file instead of stdout.")

    def handle(self, *args: object, slug: str, output: str | None = None, **options: object) -> None:
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            raise CommandError(f"No topic with slug '{slug}'.")
        text = export_dossier(topic)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Exported {slug} to {output}.")
        else:
            self.stdout.write(text, ending="")
