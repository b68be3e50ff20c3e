"""Classes: creating, joining, the teacher's class page, its statistics and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quiz.classes import results as stats
from quiz.classes.forms import normalise_join_code
from quiz.classes.views import csv_cell
from quiz.models import TEACHERS_GROUP, Attempt, Classroom, Item, Membership
from quiz.permissions import is_teacher
from tests.factories import (
    AttemptFactory,
    ClassroomFactory,
    FactFactory,
    ItemFactory,
    MembershipFactory,
    QuestionFactory,
    QuizFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def make_teacher(**fields):
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    return user


@pytest.fixture
def teacher():
    return make_teacher(username="teacher")


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(teacher=teacher, name="History 4B")


def enrol(classroom: Classroom, **fields):
    """A student who joined ``classroom`` a week ago."""
    membership = MembershipFactory(classroom=classroom, **fields)
    Membership.objects.filter(pk=membership.pk).update(joined_at=NOW - dt.timedelta(days=7))
    return membership.student


def play(student, *, started: dt.datetime = NOW, finished: bool = True, **fields) -> Attempt:
    attempt = AttemptFactory(user=student, finished_at=started if finished else None, **fields)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=started)
    attempt.refresh_from_db()
    return attempt


def csrf_token_from(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


# Who is a teacher ------------------------------------------------------------------


def test_is_teacher():
    """Members of the Teachers group and superusers are teachers; others are not."""
    assert is_teacher(make_teacher())
    assert is_teacher(UserFactory(is_superuser=True))
    assert not is_teacher(UserFactory(is_staff=True))
    assert not is_teacher(UserFactory())


# Creating a class ------------------------------------------------------------------


def test_teacher_creates_a_class_with_a_join_code(client, teacher):
    """The new class belongs to the teacher, has a join code, and the teacher lands on it."""
    client.force_login(teacher)
    response = client.post(reverse("class_create"), {"name": "Year 11, group B"})
    classroom = Classroom.objects.get(name="Year 11, group B")
    assert classroom.teacher == teacher
    assert re.fullmatch(r"[A-Z2-9]{8}", classroom.join_code)
    assert response.status_code == 302
    assert response.url == reverse("class_detail", args=[classroom.pk])
    assert classroom.join_code in client.get(response.url).content.decode()


def test_a_class_needs_a_name(client, teacher):
    """An empty name is refused with an error."""
    client.force_login(teacher)
    response = client.post(reverse("class_create"), {"name": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Classroom.objects.exists()


def test_students_cannot_create_classes(client):
    """A student gets 403 and no class is created; an anonymous visitor is sent to log in."""
    client.force_login(UserFactory())
    assert client.post(reverse("class_create"), {"name": "Mine"}).status_code == 403
    client.logout()
    response = client.post(reverse("class_create"), {"name": "Mine"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Classroom.objects.exists()


def test_creating_a_class_needs_the_csrf_token(teacher):
    """Without the CSRF token the POST is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    assert client.post(reverse("class_create"), {"name": "Year 9"}).status_code == 403
    token = csrf_token_from(client.get(reverse("class_list")))
    response = client.post(reverse("class_create"), {"name": "Year 9", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Classroom.objects.filter(name="Year 9", teacher=teacher).exists()


# Joining -------------------------------------------------------------------------


def test_join_codes_ignore_case_and_spaces():
    """What a student types is folded to the stored form."""
    assert normalise_join_code(" abcd efgh ") == "ABCDEFGH"
    assert normalise_join_code("abcd-efgh") == "ABCDEFGH"


def test_student_joins_with_a_code_typed_loosely(client, classroom):
    """Lower case and spaces still find the class; the student becomes a member."""
    student = UserFactory()
    client.force_login(student)
    code = classroom.join_code.lower()
    response = client.post(reverse("class_join"), {"code": f" {code[:4]} {code[4:]} "})
    assert response.status_code == 302
    assert Membership.objects.filter(classroom=classroom, student=student).exists()
    assert "History 4B" in client.get(reverse("class_list")).content.decode()


def test_joining_twice_is_harmless(client, classroom):
    """A second join keeps one membership and says so."""
    student = UserFactory()
    client.force_login(student)
    client.post(reverse("class_join"), {"code": classroom.join_code})
    response = client.post(reverse("class_join"), {"code": classroom.join_code}, follow=True)
    assert Membership.objects.filter(classroom=classroom, student=student).count() == 1
    assert "already in History 4B" in response.content.decode()


def test_a_wrong_code_gives_a_clear_error(client, classroom):
    """An unknown code is refused with a message and joins nothing."""
    client.force_login(UserFactory())
    response = client.post(reverse("class_join"), {"code": "NOPE2222"})
    assert response.status_code == 400
    assert "No class has that join code" in response.content.decode()
    assert not Membership.objects.exists()


def test_joining_needs_login_and_csrf(classroom):
    """Anonymous visitors are sent to log in; a POST without the CSRF token is refused."""
    anonymous = Client()
    assert anonymous.post(reverse("class_join"), {"code": classroom.join_code}).status_code == 302
    client = Client(enforce_csrf_checks=True)
    student = UserFactory()
    client.force_login(student)
    assert client.post(reverse("class_join"), {"code": classroom.join_code}).status_code == 403
    assert not Membership.objects.exists()
    token = csrf_token_from(client.get(reverse("class_list")))
    client.post(reverse("class_join"), {"code": classroom.join_code, "csrfmiddlewaretoken": token})
    assert Membership.objects.filter(student=student).exists()


def test_a_teacher_does_not_join_their_own_class(client, teacher, classroom):
    """Typing one's own code creates no membership."""
    client.force_login(teacher)
    client.post(reverse("class_join"), {"code": classroom.join_code})
    assert not Membership.objects.exists()


# The class list ---------------------------------------------------------------------


def test_class_list_for_a_teacher(client, teacher, classroom):
    """A teacher sees their classes with codes and student counts, and the create form."""
    enrol(classroom)
    ClassroomFactory(name="Not mine")
    client.force_login(teacher)
    html = client.get(reverse("class_list")).content.decode()
    assert "History 4B" in html
    assert classroom.join_code in html
    assert "1 student" in html
    assert "Not mine" not in html
    assert reverse("class_create") in html


def test_class_list_for_a_student(client, classroom):
    """A student sees the join form and the classes they joined, never the codes or a create form."""
    student = enrol(classroom)
    ClassroomFactory(name="Not joined")
    client.force_login(student)
    response = client.get(reverse("class_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "History 4B" in html
    assert "Not joined" not in html
    assert classroom.join_code not in html
    assert reverse("class_create") not in html
    assert reverse("class_join") in html


# Leaving a class ---------------------------------------------------------------------


def test_leaving_ends_the_membership_and_keeps_what_was_played(client, teacher, classroom):
    """Leaving cannot erase a score: the teacher still sees what the student played as a
    member, marked as a former member's, and nothing played after leaving."""
    student = enrol(classroom, student__username="ann")
    play(student, quiz__title="Border treaties", score=1, length=5)
    client.force_login(student)
    page = client.get(reverse("class_list")).content.decode()
    assert f'action="{reverse("class_leave", args=[classroom.pk])}"' in page
    assert "Leave History 4B" in page
    response = client.post(reverse("class_leave", args=[classroom.pk]), follow=True)
    assert response.redirect_chain == [(reverse("class_list"), 302)]
    assert "You left History 4B." in response.content.decode()
    assert "Leave History 4B" not in response.content.decode()
    membership = Membership.objects.get(classroom=classroom, student=student)
    assert membership.left_at is not None
    play(student, quiz__title="Played after leaving", started=timezone.now() + dt.timedelta(minutes=1))

    client.force_login(teacher)
    html = client.get(reverse("class_detail", args=[classroom.pk])).content.decode()
    assert "Border treaties" in html
    assert "former member" in html
    assert "Played after leaving" not in html
    assert "20%" in html  # the average of the attempt played as a member


def test_rejoining_keeps_the_old_results_beside_the_new_membership(client, teacher, classroom):
    """Leave and join again: the bad score is still there (no "0 / never"), and the new
    membership shares from the new join on."""
    student = enrol(classroom, student__username="ann")
    play(student, quiz__title="Bad day", score=0, length=5)
    client.force_login(student)
    client.post(reverse("class_leave", args=[classroom.pk]))
    client.post(reverse("class_join"), {"code": classroom.join_code})
    assert Membership.objects.filter(classroom=classroom, student=student).count() == 2
    assert Membership.objects.current().filter(classroom=classroom, student=student).count() == 1

    client.force_login(teacher)
    html = client.get(reverse("class_detail", args=[classroom.pk])).content.decode()
    assert "Bad day" in html
    assert "0%" in html


def test_the_class_average_leaves_out_reviews_and_replays(client, teacher, classroom):
    """ "Review my mistakes" rounds are practice and replays count for nothing: only the
    quiz's 1 of 5 makes the average, not the review's 5 of 5."""
    student = enrol(classroom, student__username="ann")
    play(student, score=1, length=5)
    play(student, score=5, length=5, mode=Attempt.Mode.REVIEW)
    play(student, score=5, length=5, mode=Attempt.Mode.REPLAY)
    client.force_login(teacher)
    progress = client.get(reverse("class_detail", args=[classroom.pk])).context["progress"]
    assert [round(m.average) for m in progress] == [20]


def test_leaving_is_post_only(client, classroom):
    """GET changes nothing: 405, and the student is still in the class."""
    student = enrol(classroom)
    client.force_login(student)
    assert client.get(reverse("class_leave", args=[classroom.pk])).status_code == 405
    assert Membership.objects.filter(classroom=classroom, student=student).exists()


def test_leaving_touches_only_ones_own_membership(client, teacher, classroom):
    """A non-member gets 404 and everyone else stays; the teacher cannot 'leave' their own class."""
    stays = enrol(classroom)
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.post(reverse("class_leave", args=[classroom.pk])).status_code == 404
    client.force_login(teacher)
    assert client.post(reverse("class_leave", args=[classroom.pk])).status_code == 404
    assert list(classroom.memberships.values_list("student", flat=True)) == [stays.pk]
    assert Classroom.objects.filter(pk=classroom.pk).exists()


def test_leaving_needs_login_and_csrf(classroom):
    """Without the CSRF token: 403 and still a member; logged out: the log-in page."""
    student = enrol(classroom)
    url = reverse("class_leave", args=[classroom.pk])
    assert Client().post(url)["Location"].startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(student)
    assert strict.post(url).status_code == 403
    assert Membership.objects.current().filter(classroom=classroom, student=student).exists()
    token = csrf_token_from(strict.get(reverse("class_list")))
    assert strict.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert not Membership.objects.current().filter(classroom=classroom, student=student).exists()


# The class page ------------------------------------------------------------------------


def test_class_page_shows_attempts_progress_and_questions(client, teacher, classroom):
    """Attempts, each student's attempts/average/last played, and per-question statistics."""
    ann = enrol(classroom, student__username="ann")
    enrol(classroom, student__username="idle")
    attempt = play(ann, score=4, length=5, quiz__title="Border treaties")
    play(ann, score=2, length=5, quiz=attempt.quiz)
    ItemFactory(
        attempt=attempt,
        fact=FactFactory(statement="The treaty was signed in 1689."),
        answered_at=NOW,
        chosen=0,
        is_correct=True,
    )
    client.force_login(teacher)
    response = client.get(reverse("class_detail", args=[classroom.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Border treaties" in html
    assert "4/5" in html
    progress = {m.student.username: m for m in response.context["progress"]}
    assert progress["ann"].attempt_count == 2
    assert round(progress["ann"].average) == 60
    assert progress["idle"].attempt_count == 0
    assert progress["idle"].average is None
    assert "The treaty was signed in 1689." in html
    assert "style=" not in html


def test_class_page_is_only_for_its_teacher(client, classroom):
    """Another teacher gets 404, a student of the class 403, a visitor the log-in page."""
    student = enrol(classroom)
    url = reverse("class_detail", args=[classroom.pk])
    client.force_login(make_teacher())
    assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_class_page_shows_only_attempts_since_joining(client, teacher, classroom):
    """What a student played before joining stays private."""
    student = enrol(classroom)
    play(student, started=NOW - dt.timedelta(days=30), quiz__title="Before joining")
    play(student, quiz__title="After joining")
    play(UserFactory(), quiz__title="Not in the class")
    client.force_login(teacher)
    html = client.get(reverse("class_detail", args=[classroom.pk])).content.decode()
    assert "After joining" in html
    assert "Before joining" not in html
    assert "Not in the class" not in html


def test_class_page_filters_by_quiz_and_dates(client, teacher, classroom):
    """?quiz= and ?since=/&until= (UTC days, both ends included) narrow the page."""
    student = enrol(classroom)
    membership = Membership.objects.get(student=student)
    Membership.objects.filter(pk=membership.pk).update(joined_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    treaties, famine = QuizFactory(title="Treaties quiz"), QuizFactory(title="Famine quiz")
    play(student, quiz=treaties, started=dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC))
    play(student, quiz=famine, started=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
    play(student, quiz=treaties, started=dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC))
    client.force_login(teacher)
    url = reverse("class_detail", args=[classroom.pk])

    def shown(**params) -> list[str]:
        response = client.get(url, params)
        return [a.started_at.strftime("%d %H:%M") for a in response.context["page"]]

    assert shown() == ["03 00:00", "02 10:00", "01 23:59"]
    assert shown(quiz=treaties.slug) == ["03 00:00", "01 23:59"]
    assert shown(since="2026-03-02", until="2026-03-02") == ["02 10:00"]
    assert shown(since="2026-03-01", until="2026-03-02", quiz=treaties.slug) == ["01 23:59"]
    response = client.get(url, {"since": "2026-03-02", "until": "2026-03-02"})
    assert next(iter(response.context["progress"])).attempt_count == 1
    response = client.get(url, {"since": "2026-03-05", "until": "2026-03-01"})
    assert "The start date is after the end date." in response.content.decode()


def test_question_stats_group_options_by_text_not_position():
    """Shuffled options count by their text; a question's share of right answers is its own."""
    classroom = ClassroomFactory()
    question = QuestionFactory(stem="Who signed the treaty?")
    fact = FactFactory(statement="The border was fixed in 1860.")
    students = [enrol(classroom) for _ in range(3)]
    attempts = [play(student) for student in students]

    def answered(attempt, options, chosen, correct, **link):
        ItemFactory(
            attempt=attempt,
            options=options,
            correct=options.index(correct),
            chosen=chosen,
            is_correct=chosen is not None and options[chosen] == correct,
            answered_at=NOW,
            **link,
        )

    answered(attempts[0], ["Kim", "Putin", "Stalin"], 0, "Kim", question=question)
    answered(attempts[1], ["Stalin", "Kim", "Putin"], 1, "Kim", question=question)
    answered(attempts[2], ["Putin", "Stalin", "Kim"], 1, "Kim", question=question)
    answered(attempts[0], ["1860", "1689"], 0, "1860", fact=fact)
    answered(attempts[1], ["1858", "1860"], 0, "1860", fact=fact)
    answered(attempts[2], ["1860", "1945"], None, "1860", fact=fact)  # ran out of time
    ItemFactory(attempt=attempts[0], question=question)  # not answered
    rows = stats.question_stats(stats.class_attempts(classroom))
    by_label = {row.label: row for row in rows}
    written = by_label["Who signed the treaty?"]
    assert (written.correct, written.answered, written.kind) == (2, 3, "Teacher question")
    assert [(o.text, o.picked, o.is_correct) for o in written.options] == [
        ("Kim", 2, True),
        ("Stalin", 1, False),
    ]
    generated = by_label["The border was fixed in 1860."]
    assert (generated.correct, generated.answered) == (1, 3)
    assert {o.text: o.picked for o in generated.options} == {"1860": 1, "1858": 1, stats.NO_ANSWER: 1}
    assert [o.text for o in generated.options if o.is_correct] == ["1860"]
    assert rows[0].label == "The border was fixed in 1860."  # hardest first


def test_question_stats_list_the_right_answer_even_when_nobody_picked_it():
    """The right option comes from the items' snapshot: listed (0 picks) and marked even if all missed."""
    classroom = ClassroomFactory()
    fact = FactFactory(statement="The treaty was signed in 1689.")
    for chosen in (1, 1, 2):
        ItemFactory(
            attempt=play(enrol(classroom)),
            fact=fact,
            options=["1858", "1945", "1860", "1689"],
            correct=3,
            chosen=chosen,
            is_correct=False,
            answered_at=NOW,
        )
    [row] = stats.question_stats(stats.class_attempts(classroom))
    assert [(o.text, o.picked, o.is_correct) for o in row.options] == [
        ("1945", 2, False),
        ("1860", 1, False),
        ("1689", 0, True),
    ]
    assert row.right_orders == []


def test_question_stats_give_the_right_order_of_orderings():
    """An ordering (a list) counts for right/wrong, picks no single option, shows the right order."""
    classroom = ClassroomFactory()
    attempt = play(enrol(classroom))
    ItemFactory(
        attempt=attempt,
        form=Item.Form.ORDER,
        options=["Treaty of Nerchinsk", "Convention of Peking", "Treaty of Aigun"],
        correct=[0, 2, 1],
        chosen=[0, 1, 2],
        is_correct=False,
        answered_at=NOW,
        fact=FactFactory(),
    )
    [row] = stats.question_stats(stats.class_attempts(classroom))
    assert (row.correct, row.answered, row.options) == (0, 1, [])
    assert row.right_orders == [("Treaty of Nerchinsk", "Treaty of Aigun", "Convention of Peking")]


def test_class_page_marks_the_right_answer_in_words(client, teacher, classroom):
    """Each question says in words which option is right, even one nobody picked; and the right order."""
    student = enrol(classroom)
    attempt = play(student)
    ItemFactory(
        attempt=attempt,
        fact=FactFactory(statement="The treaty was signed in 1689."),
        options=["1858", "1689"],
        correct=1,
        chosen=0,
        is_correct=False,
        answered_at=NOW,
    )
    ItemFactory(
        attempt=attempt,
        form=Item.Form.ORDER,
        fact=FactFactory(statement="Three treaties."),
        options=["Peking", "Nerchinsk", "Aigun"],
        correct=[1, 2, 0],
        chosen=[0, 1, 2],
        is_correct=False,
        answered_at=NOW,
    )
    client.force_login(teacher)
    html = client.get(reverse("class_detail", args=[classroom.pk])).content.decode()
    assert re.search(r"1689\s*<strong[^>]*>✓ right answer</strong>", html)
    assert "1858 <strong" not in html
    assert "Nerchinsk → Aigun → Peking" in html


# CSV -------------------------------------------------------------------------------


def test_csv_cell_escapes_formulas():
    """Text starting with =, +, -, @, tab or CR is quoted; numbers and plain text are not."""
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("+1") == "'+1"
    assert csv_cell("-2") == "'-2"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("\tx") == "'\tx"
    assert csv_cell("plain") == "plain"
    assert csv_cell(7) == 7


def test_csv_export_has_one_row_per_attempt_with_escaping(client, teacher, classroom):
    """A header, then one row per attempt; formula-looking text is neutralised."""
    student = enrol(classroom, student__username="@sneaky")
    play(student, score=3, length=5, quiz__title='=HYPERLINK("http://evil.example")')
    play(student, score=1, length=5, finished=False, quiz__title="Plain quiz")
    client.force_login(teacher)
    response = client.get(reverse("class_export", args=[classroom.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel on Windows reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["student", "quiz", "mode"]
    assert len(rows) == 3
    data = {row[1]: row for row in rows[1:]}
    formula = data['\'=HYPERLINK("http://evil.example")']
    assert formula[0] == "'@sneaky"
    assert formula[5:9] == ["3", "5", "60", "0"]
    assert data["Plain quiz"][4] == ""  # not finished
    assert data["Plain quiz"][7] == ""  # no percentage for an unfinished attempt, not 0


def test_csv_export_follows_the_filter_and_the_owner(client, teacher, classroom):
    """The export takes the page's filters; another teacher gets 404, a student 403."""
    student = enrol(classroom)
    kept, dropped = QuizFactory(title="Kept"), QuizFactory(title="Dropped")
    play(student, quiz=kept)
    play(student, quiz=dropped)
    url = reverse("class_export", args=[classroom.pk])
    client.force_login(teacher)
    body = client.get(url, {"quiz": kept.slug}).content.decode()
    assert "Kept" in body
    assert "Dropped" not in body
    client.force_login(make_teacher())
    assert client.get(url).status_code == 404
    client.force_login(student)
    assert client.get(url).status_code == 403


# Query counts ------------------------------------------------------------------------


def populate(classroom: Classroom, count: int) -> None:
    """``count`` attempts spread over three students, each with a fact item and a question item."""
    students = [enrol(classroom) for _ in range(3)]
    question = QuestionFactory()
    for n in range(count):
        attempt = play(students[n % 3], score=n % 5, length=5)
        ItemFactory(attempt=attempt, fact=FactFactory(), answered_at=NOW, chosen=n % 2, is_correct=n % 2 == 0)
        ItemFactory(attempt=attempt, question=question, answered_at=NOW, chosen=0, is_correct=True)


@pytest.mark.parametrize("count", [2, 20])
def test_class_page_query_count_does_not_grow(
    client, django_assert_max_num_queries, teacher, classroom, count
):
    """The class page and its export read a fixed number of queries for 2 or 20 attempts
    (one of them looks for overdue timed attempts to close first)."""
    populate(classroom, count)
    client.force_login(teacher)
    with django_assert_max_num_queries(11):  # + the header's review count
        assert client.get(reverse("class_detail", args=[classroom.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("class_export", args=[classroom.pk])).status_code == 200


def test_class_page_query_count_is_the_same_for_2_and_20_attempts(client):
    """Exactly as many queries for 20 attempts as for 2."""
    counts = []
    for count in (2, 20):
        teacher = make_teacher()
        classroom = ClassroomFactory(teacher=teacher)
        populate(classroom, count)
        client.force_login(teacher)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("class_detail", args=[classroom.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]
