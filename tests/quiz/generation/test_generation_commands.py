"""The generate_questions and audit_questions management commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_generate_questions_prints_parseable_json(bank):
    """--format json prints a list of questions with every field a client needs."""
    items = json.loads(
        run("generate_questions", "--topic", "nk-russia", "--count", "8", "--seed", "3", "--format", "json")
    )
    assert len(items) == 8
    for item in items:
        assert {
            "stem",
            "options",
            "answer",
            "form",
            "facts",
            "sources",
            "explanation",
            "notes",
        } <= item.keys()
        assert item["sources"]
        assert item["explanation"]


def test_generate_questions_json_is_the_same_for_a_seed(bank):
    """The same seed prints the same JSON; --tag keeps only that tag's questions."""
    args = ("generate_questions", "--topic", "nk-russia", "--count", "6", "--seed", "11", "--format", "json")
    assert run(*args) == run(*args)
    tagged = json.loads(run(*args, "--tag", "leaders"))
    assert tagged
    assert all("leaders" in item["tags"] for item in tagged)


def test_generate_questions_text_marks_the_answer(bank):
    """--format text numbers the questions, stars the right option and says why."""
    text = run(
        "generate_questions", "--topic", "nk-russia", "--count", "3", "--seed", "1", "--format", "text"
    )
    assert text.startswith("1. [")
    assert "   * " in text or "   1. " in text
    assert "Why: " in text


def test_generate_questions_refuses_an_unknown_topic(bank):
    """An unknown topic slug is an error naming it."""
    with pytest.raises(CommandError, match="nope"):
        run("generate_questions", "--topic", "nope")


def test_audit_lists_problem_facts_and_exits_zero(bank):
    """Without --strict the audit lists each problem fact with its reason and succeeds."""
    out = run("audit_questions", "--topic", "nk-russia")
    assert "nk-russia/org-un: too few siblings of kind organisation" in out
    assert "nk-russia/rail-link: statement missing its answer" in out
    assert "nk-russia/nerchinsk" not in out


def test_audit_strict_fails_when_there_are_problems(bank):
    """--strict exits with status 1 when any fact has a problem."""
    with pytest.raises(CommandError) as excinfo:
        run("audit_questions", "--strict")
    assert excinfo.value.returncode == 1


def test_audit_strict_passes_on_a_clean_topic(bank):
    """--strict succeeds when every fact of the topic can be asked."""
    from content.models import Fact

    Fact.objects.filter(slug__in=["org-un", "org-comintern", "rail-link"]).delete()
    assert run("audit_questions", "--topic", "nk-russia", "--strict").strip() == "Every fact can be asked."
