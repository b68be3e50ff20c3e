"""A teacher moves questions between Moodle and the site, in Chromium.

On the admin's import page a GIFT file with a question we cannot represent is refused with
its line, the corrected file imports into the chosen dossier; on the export page the
dossier's generated bank downloads as Moodle XML that imports again. Both pages are audited
by axe-core (serious or critical violations fail) and photographed at 1280 and 375 px.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from playwright.sync_api import Page, expect

from quiz.authoring.formats import import_file
from quiz.models import TEACHERS_GROUP, Question
from tests.factories import PASSWORD, TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIFT_WITH_A_SHORT_ANSWER = """\
// Two questions for the dossier
::Leader:: Who was the first leader of North Korea? {
=Kim Il Sung#He led from 1948 to 1994.
~Kim Jong Il
~Syngman Rhee#He led South Korea.
####Kim Il Sung founded the state in 1948.
}

Which river forms the Russia–North Korea border? {=Tumen}
"""
FIXED = GIFT_WITH_A_SHORT_ANSWER.replace("{=Tumen}", "{=Tumen ~Yalu ~Amur}")


def serious_axe_violations(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def no_template_syntax(page: Page) -> None:
    text = page.locator("body").inner_text()
    assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#", text), "template syntax in the visible text"


@pytest.mark.parametrize("device", ["page", "mobile_page"], ids=["1280px", "375px"])
def test_a_teacher_imports_a_gift_file_and_exports_the_bank_as_moodle_xml(
    request, live_server, dossier, device, page_errors, screenshot, tmp_path
):
    page: Page = request.getfixturevalue(device)
    page.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    # Live-server tests flush the database, Teachers group included: put it back as migrated.
    migration = importlib.import_module("quiz.migrations.0002_teachers_group")
    migration.create_teachers_group(django_apps, SimpleNamespace(connection=connection))
    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    width = "375" if device == "mobile_page" else "1280"

    page.goto(live_server.url + "/admin/login/?next=/admin/quiz/question/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Import questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import questions")

    bad = tmp_path / "questions.gift"
    bad.write_text(GIFT_WITH_A_SHORT_ANSWER)
    page.get_by_label("File:").set_input_files(str(bad))
    page.get_by_label("Dossier:").select_option(label=dossier.title)
    page.get_by_role("button", name="Import questions").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported: 1 problem found.")
    expect(alert).to_contain_text("line 9: a short-answer question")
    assert not Question.objects.exists()
    no_template_syntax(page)
    screenshot(page, f"moodle-import-errors-{width}")
    assert serious_axe_violations(page) == []

    good = tmp_path / "fixed.gift"
    good.write_text(FIXED)
    page.get_by_label("File:").set_input_files(str(good))
    page.get_by_label("Dossier:").select_option(label=dossier.title)
    page.get_by_role("button", name="Import questions").click()
    expect(page.locator(".messagelist")).to_contain_text("Imported 2 questions from fixed.gift as drafts.")
    leader = Question.objects.get(stem="Who was the first leader of North Korea?")
    assert (leader.topic_id, leader.author_id, leader.explanation) == (
        dossier.pk,
        teacher.pk,
        "Kim Il Sung founded the state in 1948.",
    )
    assert list(leader.choices.values_list("text", "is_correct", "note")) == [
        ("Kim Il Sung", True, "He led from 1948 to 1994."),
        ("Kim Jong Il", False, ""),
        ("Syngman Rhee", False, "He led South Korea."),
    ]

    page.get_by_role("link", name="Export for Moodle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export questions for Moodle")
    no_template_syntax(page)
    screenshot(page, f"moodle-export-{width}")
    assert serious_axe_violations(page) == []
    page.get_by_label("A dossier's whole generated bank").check()
    page.get_by_label("Dossier:").select_option(label=dossier.title)
    page.get_by_label("Moodle XML (.xml)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "north-korea-russia-generated.xml"
    data = Path(download.value.path()).read_bytes()
    result = import_file(data, format="xml", topic=TopicFactory())
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.questions) >= 100
    assert page_errors == []
