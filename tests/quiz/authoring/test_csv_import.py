"""Bulk import of teacher questions from CSV: the shared importer, the admin page, the command."""

from __future__ import annotations

import csv
import io
import threading
import time
import unicodedata

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections
from django.urls import reverse

from quiz.authoring import csv_import
from quiz.authoring.csv_import import import_questions
from quiz.models import TEACHERS_GROUP, Choice, Difficulty, Question
from tests.conftest import in_thread, run_threads, threads_database
from tests.factories import QuestionFactory, SectionFactory, TagFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "topic",
    "stem",
    "choice_1",
    "choice_2",
    "choice_3",
    "choice_4",
    "choice_5",
    "choice_6",
    "correct",
    "explanation",
    "tags",
    "difficulty",
    "status",
    "section",
]
IMPORT_URL = reverse("admin:quiz_question_import_csv")


@pytest.fixture
def dossier():
    """A topic with a section, two tags, and a second topic with a section of its own."""
    topic = TopicFactory(slug="nerchinsk")
    SectionFactory(topic=topic, slug="borders")
    SectionFactory(topic=TopicFactory(slug="korean-war"), slug="armistice")
    TagFactory(slug="treaties")
    TagFactory(slug="borders")
    return topic


def row(**cells) -> dict[str, str]:
    base = {
        "topic": "nerchinsk",
        "stem": "Which treaty fixed the Russia–Qing border in 1689?",
        "choice_1": "Treaty of Nerchinsk",
        "choice_2": "Treaty of Aigun",
        "choice_3": "Treaty of Peking",
        "correct": "1",
        "explanation": "Nerchinsk (1689) was the first; Aigun and Peking came in 1858–1860.",
        "tags": "treaties; borders",
        "difficulty": "hard",
        "status": "published",
        "section": "borders",
    }
    base.update(cells)
    return base


def csv_bytes(rows: list[dict[str, str]], header: list[str] = HEADER, *, bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def errors_of(data: bytes) -> list[str]:
    result = import_questions(data)
    assert not result.ok
    return [str(error) for error in result.errors]


def test_valid_file_imports_every_question_with_choices_tags_and_section(dossier):
    """Each row becomes a question with its choices in order, the right one marked, its tags,
    difficulty, status, section and the author; defaults fill the optional cells."""
    author = UserFactory()
    data = csv_bytes(
        [
            row(),
            row(
                stem="Who led the Russian delegation?",
                choice_1="Fyodor Golovin",
                choice_2="Nikolay Muravyov",
                choice_3="",
                correct="1",
                tags="",
                difficulty="",
                status="",
                section="",
            ),
            row(
                stem="How many choices?",
                choice_4="d",
                choice_5="e",
                choice_6="f",
                correct="6",
                difficulty="1",
            ),
        ]
    )

    result = import_questions(data, author=author)

    assert result.ok, result.errors
    assert len(result.questions) == 3
    first, second, third = Question.objects.order_by("pk")
    assert first.stem == "Which treaty fixed the Russia–Qing border in 1689?"
    assert [(c.text, c.is_correct, c.order) for c in first.choices.all()] == [
        ("Treaty of Nerchinsk", True, 0),
        ("Treaty of Aigun", False, 1),
        ("Treaty of Peking", False, 2),
    ]
    assert sorted(first.tags.values_list("slug", flat=True)) == ["borders", "treaties"]
    assert (first.difficulty, first.status, first.section.slug, first.author) == (
        Difficulty.HARD,
        Question.Status.PUBLISHED,
        "borders",
        author,
    )
    assert (second.difficulty, second.status, second.section, second.tags.count()) == (
        Difficulty.MEDIUM,
        Question.Status.DRAFT,
        None,
        0,
    )
    assert second.choices.count() == 2
    assert third.choices.count() == 6
    assert third.choices.get(is_correct=True).text == "f"
    assert third.difficulty == Difficulty.EASY


def test_optional_columns_may_be_left_out_of_the_header(dossier):
    """A file with only the required columns imports, with the defaults."""
    header = ["Topic", "stem", "choice_1", "choice_2", "correct", "explanation"]
    data = csv_bytes([{"Topic": "nerchinsk", **row(choice_3="")}], header)

    result = import_questions(data)

    assert result.ok, result.errors
    question = result.questions[0]
    assert question.status == Question.Status.DRAFT
    assert question.choices.count() == 2


def test_byte_order_mark_is_accepted(dossier):
    """Excel's "CSV UTF-8" starts with a BOM; the first column is still "topic"."""
    result = import_questions(csv_bytes([row(stem="Ünïcode — fine?")], bom=True))

    assert result.ok, result.errors
    assert Question.objects.get().stem == "Ünïcode — fine?"


def test_file_that_is_not_utf8_is_refused():
    """A file in another encoding is refused with advice, not garbled."""
    data = "topic,stem\nnerchinsk,Où?\n".encode("latin-1")

    assert errors_of(data) == [
        "The file is not UTF-8 text (line 2 cannot be read). Save it as “CSV UTF-8” and try again."
    ]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"topic": "nowhere"}, 'row 2, column "topic": no dossier has the slug “nowhere”'),
        ({"topic": ""}, 'row 2, column "topic": empty; give the slug of the dossier the question belongs to'),
        ({"stem": ""}, 'row 2, column "stem": the question is empty'),
        ({"explanation": ""}, 'row 2, column "explanation": empty; say why the right answer is right'),
        ({"correct": "5"}, 'row 2, column "correct": 5 is not one of the filled choices (1-3)'),
        ({"correct": "0"}, 'row 2, column "correct": 0 is not one of the filled choices (1-3)'),
        (
            {"correct": "B"},
            'row 2, column "correct": “B” is not a number; '
            "give the number of the right choice (1 for choice_1...)",
        ),
        (
            {"correct": ""},
            'row 2, column "correct": empty; give the number of the right choice (1 for choice_1...)',
        ),
        (
            {"choice_2": "", "choice_3": ""},
            'row 2, column "choice_2": a question needs at least 2 choices; this row has 1',
        ),
        (
            {"choice_2": ""},
            'row 2, column "choice_2": empty, but a later choice is filled; fill the choices in order',
        ),
        (
            {"choice_3": "treaty of NERCHINSK"},
            'row 2, column "choice_3": “treaty of NERCHINSK” is the same answer as '
            "choice_1 (“Treaty of Nerchinsk”)",
        ),
        (
            {"choice_1": "Séoul", "choice_2": "Seoul.", "choice_3": ""},
            'row 2, column "choice_2": “Seoul.” is the same answer as choice_1 (“Séoul”)',
        ),
        ({"choice_2": "x" * 301}, 'row 2, column "choice_2": longer than 300 characters'),
        ({"tags": "treaties, famine"}, 'row 2, column "tags": no tag has the slug “famine”'),
        (
            {"difficulty": "extreme"},
            'row 2, column "difficulty": “extreme” is not a difficulty (easy, medium, hard, or 1-3)',
        ),
        ({"status": "live"}, 'row 2, column "status": “live” is not a status (draft or published)'),
        (
            {"section": "nowhere"},
            'row 2, column "section": the dossier “nerchinsk” has no section with the slug “nowhere”',
        ),
        (
            {"section": "armistice"},
            'row 2, column "section": the dossier “nerchinsk” has no section with the slug “armistice”',
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and not value.startswith("row") else None,
)
def test_every_cell_error_names_its_row_and_column(dossier, cells, expected):
    """Each kind of bad cell is reported as 'row N, column "X": what is wrong', and nothing
    is written."""
    assert errors_of(csv_bytes([row(stem="Another question?"), row(**cells)])) == [
        expected.replace("row 2", "row 3")
    ]
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            [*HEADER, "colour"],
            'row 1, column "colour": unknown column; the columns are: topic, stem, choice_1, choice_2, '
            "choice_3, choice_4, choice_5, choice_6, correct, explanation, tags, difficulty, status, "
            "section, note_1, note_2, note_3, note_4, note_5, note_6",
        ),
        (
            [name for name in HEADER if name != "explanation"],
            'row 1, column "explanation": this column is missing',
        ),
        ([*HEADER, "stem"], 'row 1, column "stem": this column appears twice'),
        ([*HEADER, ""], "row 1: a column has no name"),
    ],
    ids=["unknown", "missing", "twice", "nameless"],
)
def test_header_errors_name_the_column(dossier, header, expected):
    """An unknown, missing, repeated or nameless column is an error on row 1."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(["x"] * len(header))

    assert expected in errors_of(out.getvalue().encode())
    assert not Question.objects.exists()


def test_row_with_more_cells_than_columns_is_an_error(dossier):
    """A row that runs past the header (a stray comma in an unquoted cell) is reported."""
    data = csv_bytes([row()]) + b"nerchinsk,a,b,c,,,,,1,e,,,,,extra\r\n"

    assert errors_of(data) == ["row 3: 15 cells but only 14 columns in the header"]


def test_empty_file_and_header_only_file_are_errors():
    """An empty file and a file with no question rows are refused with a reason."""
    assert errors_of(b"") == [
        "row 1: the file is empty; the first row must name the columns: topic, stem, choice_1, choice_2, "
        "choice_3, choice_4, choice_5, choice_6, correct, explanation, tags, difficulty, status, section, "
        "note_1, note_2, note_3, note_4, note_5, note_6"
    ]
    assert errors_of(csv_bytes([])) == ["The file has a header row but no questions."]


def test_one_bad_row_among_many_writes_nothing_and_every_error_is_listed(
    dossier, django_assert_max_num_queries
):
    """With 30 good rows and two bad ones, nothing is imported, both bad rows are reported in
    row order (blank lines still count as spreadsheet rows), and checking takes a fixed number
    of queries whatever the number of rows (the transaction, topics, tags, sections, and the
    topics' existing stems)."""
    rows = [row(stem=f"Question {n}?") for n in range(30)]
    rows[9] = row(stem="Bad answer number?", correct="5")
    rows.insert(20, dict.fromkeys(HEADER, ""))
    rows[25] = row(stem="Bad tag?", tags="nope")

    with django_assert_max_num_queries(6):
        errors = errors_of(csv_bytes(rows))

    assert errors == [
        'row 11, column "correct": 5 is not one of the filled choices (1-3)',
        'row 27, column "tags": no tag has the slug “nope”',
    ]
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_a_valid_import_takes_a_fixed_number_of_queries(dossier, django_assert_max_num_queries):
    """Importing 40 questions costs the same handful of queries as importing one."""
    with django_assert_max_num_queries(9):
        result = import_questions(csv_bytes([row(stem=f"Question {n}?") for n in range(40)]))

    assert len(result.questions) == 40
    assert Choice.objects.count() == 120
    assert Question.tags.through.objects.count() == 80


# Duplicates --------------------------------------------------------------------

ALREADY = (
    "the dossier “nerchinsk” already has this question "
    "(imported or written before; edit it in the admin instead)"
)
STEM = "Which treaty fixed the Russia–Qing border in 1689?"


def test_importing_the_same_file_twice_is_refused_row_by_row_and_writes_nothing(dossier):
    """The second import of a file names every row as a question the dossier already has, and
    creates no question, choice or tag link."""
    data = csv_bytes([row(), row(stem="Second?"), row(stem="Third?", choice_3="")])
    assert import_questions(data).ok
    counts = (Question.objects.count(), Choice.objects.count(), Question.tags.through.objects.count())

    assert errors_of(data) == [f'row {n}, column "stem": {ALREADY}' for n in (2, 3, 4)]
    assert (Question.objects.count(), Choice.objects.count(), Question.tags.through.objects.count()) == (
        counts
    )
    assert counts == (3, 8, 6)


def test_a_question_written_in_the_admin_is_not_imported_again(dossier):
    """A question a teacher wrote by hand counts as existing, and one such row stops the whole
    file: its other, new rows are not imported either."""
    QuestionFactory(topic=dossier, stem=STEM)

    assert errors_of(csv_bytes([row(stem="New?"), row()])) == [f'row 3, column "stem": {ALREADY}']
    assert list(Question.objects.values_list("stem", flat=True)) == [STEM]


def test_a_file_that_repeats_a_question_is_refused(dossier):
    """Each repeat of an earlier row is reported against the first row that asks it, blank
    lines counted as spreadsheet rows, and nothing is written."""
    rows = [
        row(),
        row(stem="Second?"),
        dict.fromkeys(HEADER, ""),
        row(stem="second?", correct="2"),
        row(),
    ]

    assert errors_of(csv_bytes(rows)) == [
        'row 5, column "stem": the same question as row 3',
        'row 6, column "stem": the same question as row 2',
    ]
    assert not Question.objects.exists()


def test_a_repeated_row_with_other_errors_gets_them_all(dossier):
    """A repeat is one more problem of its row: the row's other errors are listed with it, in
    column order, and a row whose stem is a repeat of a bad row still counts as a repeat."""
    rows = [row(correct="9"), row(correct="0", explanation="")]

    assert errors_of(csv_bytes(rows)) == [
        'row 2, column "correct": 9 is not one of the filled choices (1-3)',
        'row 3, column "stem": the same question as row 2',
        'row 3, column "correct": 0 is not one of the filled choices (1-3)',
        'row 3, column "explanation": empty; say why the right answer is right',
    ]


@pytest.mark.parametrize(
    "spelling",
    [
        "  Which treaty fixed the Russia–Qing border in 1689?  ",
        "WHICH TREATY FIXED THE RUSSIA–QING BORDER IN 1689?",
        "Which  treaty\tfixed the\nRussia–Qing   border in 1689?",
        "which treaty fixed the russia–qing border in 1689?\u00a0",
    ],
    ids=["surrounding spaces", "upper case", "inner whitespace", "no-break space"],
)
def test_stems_are_compared_without_case_or_spacing(dossier, spelling):
    """Case and whitespace do not make a new question, against the database or an earlier row."""
    QuestionFactory(topic=dossier, stem=STEM)
    assert errors_of(csv_bytes([row(stem=spelling)])) == [f'row 2, column "stem": {ALREADY}']

    Question.objects.all().delete()
    assert errors_of(csv_bytes([row(), row(stem=spelling)])) == [
        'row 3, column "stem": the same question as row 2'
    ]


def test_stems_are_compared_in_one_unicode_form(dossier):
    """An accent typed as one character or as letter + combining mark is the same stem."""
    QuestionFactory(topic=dossier, stem=unicodedata.normalize("NFC", "Où est Nertchinsk ?"))

    data = csv_bytes([row(stem=unicodedata.normalize("NFD", "Où est Nertchinsk ?"))])

    assert errors_of(data) == [f'row 2, column "stem": {ALREADY}']


def test_a_different_wording_or_punctuation_is_a_new_question(dossier):
    """Only case and whitespace are ignored: a stem that differs in a character is new."""
    QuestionFactory(topic=dossier, stem=STEM)

    result = import_questions(csv_bytes([row(stem=STEM.rstrip("?")), row(stem=STEM.replace("–", "-"))]))

    assert result.ok, result.errors
    assert Question.objects.count() == 3


def test_the_same_stem_under_another_dossier_is_allowed(dossier):
    """The stem is a duplicate only within its dossier: in the database and within the file."""
    QuestionFactory(topic=TopicFactory(slug="korean-war"), stem=STEM)

    result = import_questions(csv_bytes([row(section=""), row(topic="korean-war", section="", stem="x")]))
    assert result.ok, result.errors

    Question.objects.all().delete()
    result = import_questions(csv_bytes([row(section=""), row(topic="korean-war", section="armistice")]))
    assert result.ok, result.errors
    assert sorted(Question.objects.values_list("topic__slug", "stem")) == [
        ("korean-war", STEM),
        ("nerchinsk", STEM),
    ]


def test_checking_duplicates_takes_one_query_whatever_the_rows_and_the_bank(
    dossier, django_assert_max_num_queries
):
    """Against two dossiers of 300 questions each, a 150-row file (50 new, 50 already there in
    upper case, 50 new ones' stems under the other dossier) is checked in the same six queries
    as a one-row file, one of them for all the existing stems; each of the 50 is named. Its 100
    new rows then import in nine."""
    other = TopicFactory(slug="korean-war")
    Question.objects.bulk_create(
        [
            *QuestionFactory.build_batch(300, topic=dossier),
            *QuestionFactory.build_batch(300, topic=other),
        ]
    )
    existing = list(Question.objects.filter(topic=dossier).values_list("stem", flat=True)[:50])
    rows = [row(stem=f"New question {n}?") for n in range(50)]
    rows += [row(stem=stem.upper()) for stem in existing]
    rows += [row(stem=f"new question {n}?", topic="korean-war", section="") for n in range(50)]

    with django_assert_max_num_queries(6):
        errors = errors_of(csv_bytes(rows))

    assert errors == [f'row {n}, column "stem": {ALREADY}' for n in range(52, 102)]
    assert Question.objects.count() == 600

    with django_assert_max_num_queries(9):
        result = import_questions(csv_bytes(rows[:50] + rows[100:]))
    assert len(result.questions) == 100


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_write_it_once(dossier, tmp_path, monkeypatch):
    """A double click on "Import": the second import starts while the first has checked the file
    but not yet written it. It waits for the first, then is refused; the questions exist once."""
    data = csv_bytes([row(), row(stem="Second?")])
    checked = threading.Event()
    write_questions = csv_import.write_questions

    def write_slowly(rows, **kwargs):
        checked.set()
        time.sleep(0.5)  # long enough for the other import to check, were it not kept waiting
        return write_questions(rows, **kwargs)

    monkeypatch.setattr(csv_import, "write_questions", write_slowly)

    def second():
        assert checked.wait(timeout=30)
        return import_questions(data)

    with threads_database(tmp_path) as db:
        first_result, second_result = run_threads(
            [in_thread(db, lambda: import_questions(data)), in_thread(db, second)]
        )
        stems = run_threads([in_thread(db, lambda: list(Question.objects.values_list("stem", flat=True)))])[0]

    assert len(first_result.questions) == 2
    assert [str(error) for error in second_result.errors] == [
        f'row {n}, column "stem": {ALREADY}' for n in (2, 3)
    ]
    assert sorted(stems) == ["Second?", STEM]


# The admin page --------------------------------------------------------------


@pytest.fixture
def teacher_client(client):
    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    client.force_login(teacher)
    client.teacher = teacher
    return client


def upload(data: bytes, name: str = "questions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_changelist_links_to_the_import_page(teacher_client):
    """The question list has an "Import questions" link for those who may add questions."""
    response = teacher_client.get(reverse("admin:quiz_question_changelist"))

    assert f'<a href="{IMPORT_URL}">Import questions</a>' in response.content.decode()


def test_import_page_shows_the_form(teacher_client):
    """The page explains the columns and offers a labelled file input."""
    response = teacher_client.get(IMPORT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">File:</label>' in html
    assert 'enctype="multipart/form-data"' in html
    assert "<code>correct</code>" in html


def test_admin_upload_imports_and_says_how_many(dossier, teacher_client):
    """A good file is imported with the teacher as author; the list says how many."""
    response = teacher_client.post(
        IMPORT_URL, {"file": upload(csv_bytes([row(), row(stem="Second?")], bom=True))}, follow=True
    )

    assert response.redirect_chain == [(reverse("admin:quiz_question_changelist"), 302)]
    assert "Imported 2 questions from questions.csv." in response.content.decode()
    assert Question.objects.filter(author=teacher_client.teacher).count() == 2


def test_admin_upload_with_errors_lists_them_and_imports_nothing(dossier, teacher_client):
    """A bad file comes back on the page with every error by row and column, escaped."""
    data = csv_bytes([row(), row(stem="Second?", correct="5"), row(topic="<b>x</b>")])

    response = teacher_client.post(IMPORT_URL, {"file": upload(data)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 2 problems found." in html
    assert "<li>row 3, column &quot;correct&quot;: 5 is not one of the filled choices (1-3)</li>" in html
    assert "no dossier has the slug “&lt;b&gt;x&lt;/b&gt;”" in html
    assert not Question.objects.exists()


def test_admin_upload_of_the_same_file_twice_lists_every_row_the_second_time(dossier, teacher_client):
    """Through the page: the first upload imports, the second shows each row as already there
    and imports nothing more."""
    data = csv_bytes([row(), row(stem="Second?")], bom=True)
    first = teacher_client.post(IMPORT_URL, {"file": upload(data)})
    assert first.status_code == 302

    response = teacher_client.post(IMPORT_URL, {"file": upload(data)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 2 problems found." in html
    for n in (2, 3):
        assert f"<li>row {n}, column &quot;stem&quot;: {ALREADY}</li>" in html
    assert Question.objects.count() == 2


def test_admin_upload_of_a_file_repeating_a_question_names_the_first_row(dossier, teacher_client):
    """Through the page: a row that repeats an earlier one is listed with that row's number."""
    data = csv_bytes([row(), row(stem="Second?"), row(stem="  SECOND? ")])

    response = teacher_client.post(IMPORT_URL, {"file": upload(data)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 1 problem found." in html
    assert "<li>row 4, column &quot;stem&quot;: the same question as row 3</li>" in html
    assert not Question.objects.exists()


def test_admin_upload_without_a_file_is_refused(teacher_client):
    """Submitting the form without choosing a file asks for one."""
    response = teacher_client.post(IMPORT_URL, {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["This field is required."]


def test_import_page_needs_the_add_permission(client):
    """Staff who may not add questions get 403 and no link."""
    client.force_login(UserFactory(is_staff=True))

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload(b"topic\n")}).status_code == 403


# The command ---------------------------------------------------------------


def test_command_imports_a_file_with_the_author(dossier, tmp_path, capsys):
    """`import_questions PATH --author NAME` imports the file and says how many."""
    author = UserFactory(username="ms-kim")
    path = tmp_path / "questions.csv"
    path.write_bytes(csv_bytes([row(), row(stem="Another?")]))

    call_command("import_questions", str(path), "--author", "ms-kim")

    assert f"Imported 2 questions from {path}." in capsys.readouterr().out
    assert Question.objects.filter(author=author).count() == 2


def test_command_lists_every_error_and_exits_non_zero(dossier, tmp_path, capsys, monkeypatch):
    """With bad rows the command prints each problem, exits with status 1 and imports nothing."""
    # run_from_argv closes every connection on its way out, the test's own included.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    QuestionFactory()  # already there: must stay the only one
    path = tmp_path / "questions.csv"
    path.write_bytes(csv_bytes([row(), row(stem="Second?", correct="5"), row(stem="Third?", tags="nope")]))

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_questions", str(path)])

    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert f'{path}: row 3, column "correct": 5 is not one of the filled choices (1-3)' in err
    assert f"{path}: row 4, column " in err
    assert "2 problems found; nothing was imported." in err
    assert Question.objects.count() == 1


def test_command_refuses_a_file_imported_before(dossier, tmp_path):
    """`import_questions` run twice on one file: the second run lists every row on stderr,
    fails, and the questions exist once."""
    path = tmp_path / "questions.csv"
    path.write_bytes(csv_bytes([row(), row(stem="Second?"), row(stem="second?")]))
    first_err = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 problem found; nothing was imported\.$"):
        call_command("import_questions", str(path), stderr=first_err)
    assert first_err.getvalue() == f'{path}: row 4, column "stem": the same question as row 3\n'

    path.write_bytes(csv_bytes([row(), row(stem="Second?")]))
    call_command("import_questions", str(path), stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^2 problems found; nothing was imported\.$"):
        call_command("import_questions", str(path), stderr=err)

    assert err.getvalue().splitlines() == [f'{path}: row {n}, column "stem": {ALREADY}' for n in (2, 3)]
    assert Question.objects.count() == 2


def test_command_refuses_an_unknown_author_or_missing_file(dossier, tmp_path):
    """An unknown username or an unreadable path stops the command before anything happens."""
    from django.core.management import CommandError

    path = tmp_path / "questions.csv"
    path.write_bytes(csv_bytes([row()]))

    with pytest.raises(CommandError, match=r"No user has the username “nobody”\."):
        call_command("import_questions", str(path), "--author", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_questions", str(tmp_path / "missing.csv"))
    assert not Question.objects.exists()
