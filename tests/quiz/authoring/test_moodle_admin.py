"""The admin's import page (every format), its CSV template, the export page and actions,
and ``manage.py import_questions`` with ``--format`` and ``--topic``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from quiz.authoring.csv_import import COLUMNS, import_questions
from quiz.authoring.formats.export import (
    dossier_bank,
    quiz_questions,
    render,
    teacher_questions,
    written_questions,
)
from quiz.models import TEACHERS_GROUP, Question
from tests.factories import ChoiceFactory, QuestionFactory, QuizFactory, TagFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "moodle"
IMPORT_URL = reverse("admin:quiz_question_import_csv")
TEMPLATE_URL = reverse("admin:quiz_question_csv_template")
EXPORT_URL = reverse("admin:quiz_question_export")


@pytest.fixture
def topic():
    TagFactory(slug="treaties")
    return TopicFactory(slug="grant", title="Grant's tomb")


@pytest.fixture
def teacher_client(client):
    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    client.force_login(teacher)
    client.teacher = teacher
    return client


def upload(path_or_bytes, name=None) -> SimpleUploadedFile:
    if isinstance(path_or_bytes, Path):
        return SimpleUploadedFile(name or path_or_bytes.name, path_or_bytes.read_bytes())
    return SimpleUploadedFile(name, path_or_bytes)


# Import page


def test_import_page_offers_every_format_a_dossier_and_the_csv_template(
    teacher_client, topic, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = teacher_client.get(IMPORT_URL)

    html = response.content.decode()
    assert response.status_code == 200
    for label in [
        '<label for="id_file">File:</label>',
        '<label for="id_format">Format:</label>',
        '<label for="id_topic">Dossier:</label>',
    ]:
        assert label in html
    for value, name in [
        ("csv", "CSV (comma or semicolon separated)"),
        ("gift", "Moodle GIFT"),
        ("aiken", "Aiken"),
        ("xml", "Moodle XML"),
    ]:
        assert f'<option value="{value}">{name}</option>' in html
    assert f'<option value="{topic.pk}">Grant&#x27;s tomb</option>' in html
    assert f'href="{TEMPLATE_URL}" download>Download the CSV template</a>' in html


@pytest.mark.parametrize(
    ("name", "format", "count"),
    [
        ("docs_examples.gift", "", 11),
        ("docs_examples.xml", "", 3),
        ("docs_examples.txt", "", 2),
        ("docs_examples.txt", "aiken", 2),
    ],
)
def test_admin_imports_each_moodle_format_into_the_chosen_dossier(teacher_client, topic, name, format, count):
    response = teacher_client.post(
        IMPORT_URL, {"file": upload(DATA / name), "format": format, "topic": topic.pk}, follow=True
    )

    assert response.redirect_chain == [(reverse("admin:quiz_question_changelist"), 302)]
    assert f"Imported {count} questions from {name} as drafts." in response.content.decode()
    assert (
        Question.objects.filter(topic=topic, author=teacher_client.teacher, status="draft").count() == count
    )


def test_a_moodle_file_without_a_dossier_is_sent_back(teacher_client, topic):
    response = teacher_client.post(IMPORT_URL, {"file": upload(DATA / "docs_examples.gift")})

    assert response.status_code == 200
    assert "A Moodle GIFT file does not name the dossier: choose it here." in response.content.decode()
    assert not Question.objects.exists()


def test_a_file_of_unknown_format_is_sent_back(teacher_client, topic):
    response = teacher_client.post(
        IMPORT_URL, {"file": upload(b"Q? {=a ~b}", "questions.doc"), "topic": topic.pk}
    )

    assert "Cannot tell the format of “questions.doc”: choose it here." in response.content.decode()
    assert not Question.objects.exists()


def test_refused_questions_are_listed_with_their_lines_and_teacher_text_is_escaped(teacher_client, topic):
    """Every problem is shown, nothing is imported, and the teacher's text in the messages is
    escaped (a choice that is a script tag is shown, never run)."""
    gift = b"[plain]Q? {=<script>alert(1)</script> ~<SCRIPT>ALERT(1)</SCRIPT>}\n\nR? {=a}\n"
    response = teacher_client.post(IMPORT_URL, {"file": upload(gift, "x.gift"), "topic": topic.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: 2 problems found." in html
    assert (
        "<li>line 1, answer 2: “&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;” is the same answer as answer 1 "
        "(“&lt;script&gt;alert(1)&lt;/script&gt;”)</li>"
    ) in html
    assert "<li>line 3: a short-answer question" in html
    assert "<script>alert" not in html
    assert not Question.objects.exists()


def test_the_import_page_needs_the_csrf_token(topic):
    teacher = UserFactory(is_staff=True)
    teacher.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)

    response = client.post(IMPORT_URL, {"file": upload(DATA / "docs_examples.gift"), "topic": topic.pk})

    assert response.status_code == 403
    assert not Question.objects.exists()


def test_a_file_over_the_size_limit_is_refused(teacher_client, topic):
    response = teacher_client.post(
        IMPORT_URL, {"file": upload(b"x" * (2 * 1024 * 1024 + 1), "big.gift"), "topic": topic.pk}
    )

    assert "The file is larger than 2 MB." in response.content.decode()


def test_staff_without_the_add_permission_cannot_import_or_get_the_template(client, topic):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


# CSV template and semicolons


def test_the_csv_template_has_every_column_and_an_example_that_imports(teacher_client, topic):
    """The template opens in Excel as UTF-8 (byte-order mark) and its example row imports as is."""
    response = teacher_client.get(TEMPLATE_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="questions-template.csv"'
    assert response.content.startswith("\ufeff".encode())
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == list(COLUMNS)
    assert example[0] == "grant"
    result = import_questions(response.content)
    assert result.ok, [str(e) for e in result.errors]
    [question] = result.questions
    assert [(c.text, c.is_correct, c.note) for c in question.choices.order_by("order")] == [
        ("Treaty of Nerchinsk", True, ""),
        ("Treaty of Aigun", False, "Signed in 1858."),
        ("Treaty of Peking", False, "Signed in 1860."),
    ]


def test_a_semicolon_separated_csv_imports(topic):
    """Excel in many locales saves CSV with semicolons: the header line decides the separator,
    and commas in the cells stay text."""
    data = (
        "topic;stem;choice_1;choice_2;correct;explanation;tags\r\n"
        "grant;Who, then, is buried in Grant's tomb?;Grant, and his wife;No one;1;"
        "Both are, side by side.;treaties\r\n"
    ).encode("utf-8-sig")

    result = import_questions(data)

    assert result.ok, [str(e) for e in result.errors]
    [question] = result.questions
    assert question.stem == "Who, then, is buried in Grant's tomb?"
    assert [c.text for c in question.choices.order_by("order")] == ["Grant, and his wife", "No one"]
    assert [t.slug for t in question.tags.all()] == ["treaties"]


def test_a_semicolon_csv_reports_errors_by_row_and_column(topic):
    data = b"topic;stem;choice_1;choice_2;correct;explanation\ngrant;Q?;a;b;3;Why.\n"

    assert [str(e) for e in import_questions(data).errors] == [
        'row 2, column "correct": 3 is not one of the filled choices (1-2)'
    ]


def test_csv_notes_are_per_choice_feedback(topic):
    data = (
        b"topic,stem,choice_1,choice_2,correct,explanation,note_1,note_3\ngrant,Q?,a,b,1,Why.,Right!,stray\n"
    )

    assert [str(e) for e in import_questions(data).errors] == [
        'row 2, column "note_3": a note on choice_3, which is empty'
    ]


# Export page and actions


def test_export_page_renders_its_form(teacher_client, topic, django_assert_max_num_queries):
    QuizFactory(topic=topic, title="Grant quiz")
    with django_assert_max_num_queries(9):
        response = teacher_client.get(EXPORT_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend>Questions</legend>" in html
    assert "Grant quiz" in html
    assert 'method="get"' in html


def test_export_page_downloads_a_teachers_own_questions(teacher_client, topic):
    mine = QuestionFactory(topic=topic, stem="Mine?", author=teacher_client.teacher)
    ChoiceFactory(question=mine, text="a", is_correct=True)
    ChoiceFactory(question=mine, text="b")
    QuestionFactory(topic=topic, stem="Not mine?")

    response = teacher_client.get(EXPORT_URL, {"what": "mine", "format": "gift"})

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="questions-teacher.gift"'
    assert response.content == render(
        teacher_questions(teacher_client.teacher), "gift", heading="Questions by teacher"
    )
    assert b"Not mine" not in response.content


def test_export_page_downloads_a_dossiers_bank_and_names_what_it_skipped(teacher_client, bank):
    response = teacher_client.get(EXPORT_URL, {"what": "bank", "topic": bank.topic.pk, "format": "xml"})

    export = dossier_bank(bank.topic)
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="nk-russia-generated.xml"'
    heading = "\n".join(
        ["Generated questions: North Korea–Russia relations", *(f"Not exported: {r}" for r in export.skipped)]
    )
    assert response.content == render([export], "xml", heading=heading)


def test_export_page_downloads_a_quiz(teacher_client, topic):
    quiz = QuizFactory(topic=topic, slug="grant-quiz", title="Grant quiz")

    response = teacher_client.get(EXPORT_URL, {"what": "quiz", "quiz": quiz.pk, "format": "gift"})

    assert response["Content-Disposition"] == 'attachment; filename="grant-quiz.gift"'
    assert response.content == render(quiz_questions(quiz), "gift", heading="Quiz: Grant quiz")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"what": "quiz", "format": "gift"}, "Choose the quiz to export."),
        ({"what": "bank", "format": "gift"}, "Choose the dossier whose generated questions to export."),
        ({"what": "bank", "topic": "abc", "format": "gift"}, "Select a valid choice."),
        (
            {"what": "nope", "format": "pdf"},
            "Select a valid choice. nope is not one of the available choices.",
        ),
        ({"what": "mine"}, "This field is required."),
    ],
)
def test_bad_export_parameters_show_the_form_again(teacher_client, topic, params, message):
    response = teacher_client.get(EXPORT_URL, params)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_export_action_on_selected_questions(teacher_client, topic):
    chosen = QuestionFactory(topic=topic, stem="Chosen?")
    ChoiceFactory(question=chosen, text="a", is_correct=True)
    ChoiceFactory(question=chosen, text="b")
    QuestionFactory(topic=topic, stem="Not chosen?")

    response = teacher_client.post(
        reverse("admin:quiz_question_changelist"), {"action": "export_xml", "_selected_action": [chosen.pk]}
    )

    assert response["Content-Disposition"] == 'attachment; filename="questions.xml"'
    assert response.content == render(
        written_questions(Question.objects.filter(pk=chosen.pk)), "xml", heading="Selected questions"
    )


def test_export_action_on_selected_quizzes(teacher_client, topic):
    quiz = QuizFactory(topic=topic, slug="grant-quiz", title="Grant quiz")

    response = teacher_client.post(
        reverse("admin:quiz_quiz_changelist"), {"action": "export_gift", "_selected_action": [quiz.pk]}
    )

    assert response["Content-Disposition"] == 'attachment; filename="grant-quiz.gift"'
    assert response.content == render(quiz_questions(quiz), "gift", heading="Quizzes: Grant quiz")


def test_changelist_links_to_import_and_export(teacher_client):
    html = teacher_client.get(reverse("admin:quiz_question_changelist")).content.decode()

    assert f'<a href="{IMPORT_URL}">Import questions</a>' in html
    assert f'<a href="{EXPORT_URL}">Export for Moodle</a>' in html


# The command


def test_import_command_takes_the_format_from_the_extension_and_the_dossier_from_topic(topic, capsys):
    call_command("import_questions", str(DATA / "docs_examples.xml"), "--topic", "grant")

    assert "Imported 3 questions from" in capsys.readouterr().out
    assert Question.objects.filter(topic=topic).count() == 3


def test_import_command_format_flag_overrides_the_extension(topic, tmp_path):
    path = tmp_path / "questions.dat"
    path.write_bytes((DATA / "docs_examples.txt").read_bytes())

    call_command("import_questions", str(path), "--format", "aiken", "--topic", "grant")

    assert Question.objects.filter(topic=topic).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [str(DATA / "docs_examples.gift")],
            "A Moodle GIFT file does not name the dossier: say --topic SLUG.",
        ),
        ([str(DATA / "docs_examples.gift"), "--topic", "nope"], "No dossier has the slug “nope”."),
        ([str(DATA / "bomb.xml"), "--topic", "grant"], "1 problem found; nothing was imported."),
        ([str(DATA / "docs_refused.gift"), "--topic", "grant"], "9 problems found; nothing was imported."),
        ([__file__], "Cannot tell the format of test_moodle_admin.py; say --format {csv,gift,aiken,xml}."),
        (
            [str(DATA / "docs_examples.gift"), "--format", "csv", "--topic", "grant"],
            "A CSV file names the dossier of each row in its topic column; drop --topic.",
        ),
    ],
)
def test_import_command_errors(topic, args, message, capsys):
    with pytest.raises(
        CommandError, match=message.replace("{", r"\{").replace("}", r"\}").replace(".", r"\.")
    ):
        call_command("import_questions", *args)
    assert not Question.objects.exists()


def test_import_command_lists_every_problem_with_its_line(topic, capsys):
    with pytest.raises(CommandError):
        call_command("import_questions", str(DATA / "docs_refused.gift"), "--topic", "grant")

    err = capsys.readouterr().err.splitlines()
    assert (
        err[0]
        == f"{DATA / 'docs_refused.gift'}: line 12: a short-answer question (only =answers, no ~wrong ones): "
        "a typed answer cannot be asked as multiple choice; add ~wrong answers to make it one"
    )
    assert len(err) == 9


def test_imported_text_is_escaped_where_the_admin_shows_it(teacher_client, topic):
    """HTML in a [plain] GIFT question is text: the list and the preview show it escaped."""
    gift = b"[plain]<img src=x onerror=alert(1)> is which tag? {=<img> ~<b>}\n"
    teacher_client.post(IMPORT_URL, {"file": upload(gift, "x.gift"), "topic": topic.pk})
    question = Question.objects.get()

    for url in [
        reverse("admin:quiz_question_changelist"),
        reverse("admin:quiz_question_preview", args=[question.pk]),
    ]:
        html = teacher_client.get(url).content.decode()
        assert "&lt;img src=x onerror=alert(1)&gt; is which tag?" in html
        assert "<img src=x" not in html


def test_publishing_leaves_questions_without_an_explanation_as_drafts(teacher_client, topic):
    """Aiken questions arrive without explanation; the Publish action keeps them drafts and says why."""
    teacher_client.post(IMPORT_URL, {"file": upload(DATA / "docs_examples.txt"), "topic": topic.pk})
    explained = QuestionFactory(topic=topic, status=Question.Status.DRAFT)
    selected = [q.pk for q in Question.objects.all()]

    response = teacher_client.post(
        reverse("admin:quiz_question_changelist"),
        {"action": "publish", "_selected_action": selected},
        follow=True,
    )

    html = response.content.decode()
    assert "Published 1 question." in html
    assert "2 questions have no explanation yet and stayed a draft: write one, then publish." in html
    assert list(Question.objects.published()) == [explained]
