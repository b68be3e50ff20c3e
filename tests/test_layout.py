"""The architecture the layout promises: quiz depends on content, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_content_never_imports_quiz():
    """Every module under content/ (migrations included, TYPE_CHECKING blocks included)."""
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "content").rglob("*.py")
        for module in _imported_modules(path)
        if module == "quiz" or module.startswith("quiz.")
    }
    assert not offenders, sorted(offenders)


def test_the_import_check_sees_an_import(tmp_path):
    """The check itself: a module importing quiz is seen, in any of its spellings."""
    module = tmp_path / "m.py"
    module.write_text("import quiz.models\nfrom quiz import play\nif x:\n    from quiz.models import Quiz\n")
    assert _imported_modules(module) >= {"quiz.models", "quiz"}


def test_no_test_module_imports_another():
    """Shared helpers live in conftest.py files and tests/factories.py, not in test modules."""
    offenders = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "tests").rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("tests.") and module.rsplit(".", 1)[-1].startswith("test_")
    }
    assert not offenders, sorted(offenders)


def test_every_area_says_what_it_holds():
    """Each package of the app opens with a docstring."""
    missing = [
        str(init.relative_to(ROOT))
        for app in ("content", "quiz", "config")
        for init in (ROOT / app).rglob("__init__.py")
        if "migrations" not in init.parts
        and "management" not in init.parts
        and "templatetags" not in init.parts
        and not (ast.get_docstring(ast.parse(init.read_text())) or "").strip()
    ]
    assert not missing, missing
