"""Dossier files: one YAML file per topic (docs/dossier-format.md).

- :func:`load_dossier` reads and checks a file, raising :class:`DossierError` with every
  problem found (file, line, field path, message); nothing touches the database.
- :func:`import_dossier` writes checked data in one transaction, updating in place.
- :func:`export_dossier` writes a topic back out in the same format.
"""

from content.dossier.data import DossierData, DossierError, DossierProblem, ImportSummary
from content.dossier.export import export_dossier
from content.dossier.load import load_dossier, parse_dossier
from content.dossier.store import import_dossier

__all__ = [
    "DossierData",
    "DossierError",
    "DossierProblem",
    "ImportSummary",
    "export_dossier",
    "import_dossier",
    "load_dossier",
    "parse_dossier",
]
