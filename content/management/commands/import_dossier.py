from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.dossier import DossierError, import_dossier, load_dossier


class Command(BaseCommand):
    help = "Check a dossier file and import it in one transaction (nothing is written if it has errors)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The dossier YAML file, e.g. fixtures/north-korea-russia.yaml.")

    def handle(self, *args: object, path: str, **options: object) -> None:
        try:
            data = load_dossier(path)
        except DossierError as error:
            count = len(error.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''}, nothing imported:\n{error}"
            ) from None
        self.stdout.write(str(import_dossier(data)))
