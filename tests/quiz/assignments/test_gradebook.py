"""The class gradebook: the score each assignment's policy counts, late and missing
marked, practice never counted; its CSV and XLSX; a student's attempt answer by answer;
item analysis."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from quiz.assignments import analysis, gradebook
from quiz.models import Attempt, Membership
from tests.factories import AttemptFactory, ItemFactory, MembershipFactory, UserFactory

from .conftest import client_for, make_teacher
from .helpers import answer, start

pytestmark = pytest.mark.django_db


def _graded(assignment, user, score, *, minutes_ago, length=3, finished=True, mode=Attempt.Mode.NORMAL):
    started = timezone.now() - timedelta(minutes=minutes_ago)
    attempt = AttemptFactory(
        quiz=assignment.quiz, user=user, assignment=assignment, score=score, length=length, mode=mode
    )
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=started, finished_at=started + timedelta(minutes=1) if finished else None
    )
    return attempt


@pytest.mark.parametrize(("policy", "expected"), [("best", 3), ("first", 1), ("last", 2)])
def test_the_cell_is_the_attempt_the_policy_counts(school, policy, expected):
    assignment = school.assign(counts=policy, attempt_limit=3)
    student = school.students[0]
    _graded(assignment, student, 1, minutes_ago=30)
    _graded(assignment, student, 3, minutes_ago=20)
    _graded(assignment, student, 2, minutes_ago=10)
    _graded(assignment, student, 3, minutes_ago=5, mode=Attempt.Mode.REVIEW)  # practice: never counts
    book = gradebook.build(school.classroom)
    row = next(r for r in book.rows if r.student == student)
    assert row.cells[0].attempt.score == (expected if policy != "last" else 2)


def test_reviews_practice_and_replays_never_count(school):
    assignment = school.assign()
    student = school.students[0]
    _graded(assignment, student, 3, minutes_ago=10, mode=Attempt.Mode.REVIEW)
    _graded(assignment, student, 3, minutes_ago=9, mode=Attempt.Mode.REPLAY)
    AttemptFactory(quiz=school.quiz, user=student, score=3, length=3, finished_at=timezone.now())
    cell = gradebook.build(school.classroom).rows[0].cells[0]
    assert cell.attempt is None


def test_late_and_missing_are_marked(school):
    now = timezone.now()
    assignment = school.assign(
        opens_at=now - timedelta(days=2), due_at=now - timedelta(hours=1), late_allowed=True
    )
    late = _graded(assignment, school.students[0], 2, minutes_ago=5)
    book = gradebook.build(school.classroom)
    cells = {row.student.username: row.cells[0] for row in book.rows}
    assert cells["student1"].attempt == late
    assert cells["student1"].late
    assert cells["student2"].missing
    page = (
        client_for(school.teacher)
        .get(reverse("class_gradebook", args=[school.classroom.pk]))
        .content.decode()
    )
    assert "late" in page
    assert "missing" in page


def test_gradebook_page_and_exports_show_the_scores(school):
    assignment = school.assign()
    client = client_for(school.students[0])
    answer(client, start(client, assignment.pk), [True, False, True])
    teacher = client_for(school.teacher)
    page = teacher.get(reverse("class_gradebook", args=[school.classroom.pk])).content.decode()
    assert "2/3" in page
    response = teacher.get(reverse("gradebook_csv", args=[school.classroom.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (rows[0][0], rows[0][-1]) == ("student", "membership")
    assert rows[1:] == [["student1", "67%", "current"], ["student2", "", "current"]]
    xlsx = teacher.get(reverse("gradebook_xlsx", args=[school.classroom.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ["student1", "67%", "current"]
    assert values[2][0] == "student2"
    assert values[0][1].startswith(school.quiz.title)


def test_a_student_name_that_looks_like_a_formula_is_quoted(school):
    MembershipFactory(classroom=school.classroom, student=UserFactory(username="=cmd"))
    school.assign()
    response = client_for(school.teacher).get(reverse("gradebook_csv", args=[school.classroom.pk]))
    assert "'=cmd" in response.content.decode("utf-8-sig")


def test_a_former_member_who_handed_in_work_stays_in_the_gradebook_and_both_exports(school):
    """A student who leaves the class after handing in an assignment keeps their row, marked
    as a former member (with the day they left), on the page, in the CSV and in the XLSX; an
    assignment due after they left is not "missing" for them. A former member who handed in
    nothing is not listed."""
    handed_in = school.assign()
    leaver = school.students[0]
    client = client_for(leaver)
    answer(client, start(client, handed_in.pk), [True, True, False])
    quiet = UserFactory(username="quiet")
    MembershipFactory(classroom=school.classroom, student=quiet)
    for student in (leaver, quiet):
        left = client_for(student).post(reverse("class_leave", args=[school.classroom.pk]))
        assert left.status_code == 302
    # They left an hour ago; another assignment fell due half an hour ago.
    now = timezone.now()
    Membership.objects.filter(left_at__isnull=False).update(left_at=now - timedelta(hours=1))
    school.assign(opens_at=now - timedelta(days=3), due_at=now - timedelta(minutes=30))
    book = gradebook.build(school.classroom)
    rows = {row.student.username: row for row in book.rows}
    assert set(rows) == {"student1", "student2"}
    assert rows["student1"].is_former
    assert not rows["student2"].is_former
    later = [a.due_at < now for a in book.assignments].index(True)
    assert not rows["student1"].cells[later].missing  # due after they left
    assert rows["student2"].cells[later].missing
    assert rows["student1"].cells[1 - later].attempt.score == 2

    teacher = client_for(school.teacher)
    page = teacher.get(reverse("class_gradebook", args=[school.classroom.pk])).content.decode()
    assert "former member, left" in page
    assert "quiet" not in page
    csv_rows = list(
        csv.reader(
            io.StringIO(
                teacher.get(reverse("gradebook_csv", args=[school.classroom.pk])).content.decode("utf-8-sig")
            )
        )
    )
    assert csv_rows[0][-1] == "membership"
    assert csv_rows[1][0] == "student1"
    assert "67%" in csv_rows[1]
    assert csv_rows[1][-1].startswith("former member (left 20")
    assert csv_rows[2][-1] == "current"
    sheet = load_workbook(
        io.BytesIO(teacher.get(reverse("gradebook_xlsx", args=[school.classroom.pk])).content)
    ).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][0] == "student1"
    assert values[0][-1].startswith("former member (left 20")
    assert [row[0] for row in values] == ["student1", "student2"]


@pytest.mark.parametrize("size", [5, 50])
def test_gradebook_queries_do_not_grow_with_the_class(school, size, django_assert_num_queries):
    for n in range(size - len(school.students)):
        MembershipFactory(classroom=school.classroom, student=UserFactory(username=f"extra{n}"))
    assignments = [school.assign(), school.assign(due_at=timezone.now() + timedelta(days=9))]
    for student in list(school.classroom.students.all())[:size]:
        for assignment in assignments:
            _graded(assignment, student, 2, minutes_ago=3)
    # Two more students who left after handing in work: listed as former members, same queries.
    for n in range(2):
        former = UserFactory(username=f"former{n}")
        MembershipFactory(classroom=school.classroom, student=former, left_at=timezone.now())
        _graded(assignments[0], former, 1, minutes_ago=3)
    teacher = client_for(school.teacher)
    url = reverse("class_gradebook", args=[school.classroom.pk])
    # session, user, is-teacher, classroom, assignments, students, overdue check, attempts,
    # and the header's review count
    with django_assert_num_queries(9):
        response = teacher.get(url)
    html = response.content.decode()
    assert html.count("2/3") == size * 2
    assert html.count("former member, left") == 2


def test_a_cell_opens_the_attempt_answer_by_answer(school):
    assignment = school.assign()
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    answer(client, attempt, [True, False, True])
    page = client_for(school.teacher).get(reverse("gradebook_attempt", args=[attempt.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Question 2?" in text
    assert "Wrong 2 a" in text  # what they chose
    assert "Right 2" in text  # the right answer
    assert " s</td>" in text  # time taken


def test_only_the_classes_teacher_opens_an_attempt(school):
    assignment = school.assign()
    client = client_for(school.students[0])
    attempt = start(client, assignment.pk)
    url = reverse("gradebook_attempt", args=[attempt.pk])
    assert client_for(make_teacher("other")).get(url).status_code == 404
    assert client.get(url).status_code == 403
    practice = AttemptFactory(quiz=school.quiz, user=school.students[0])
    assert client_for(school.teacher).get(reverse("gradebook_attempt", args=[practice.pk])).status_code == 404


def _first_attempt(assignment, user, right):
    attempt = _graded(assignment, user, sum(right), minutes_ago=10, length=len(right))
    for position, is_right in enumerate(right, start=1):
        ItemFactory(
            attempt=attempt,
            position=position,
            stem=f"Q{position}",
            options=["A", "B", "C"],
            correct=0,
            chosen=0 if is_right else 2,
            is_correct=is_right,
            answered_at=timezone.now(),
        )
    return attempt


def test_item_analysis_on_first_attempts(school):
    assignment = school.assign(attempt_limit=2)
    students = [UserFactory() for _ in range(4)]
    # Q1 is answered right by the strong students, Q3 only by the weak one: a bad key.
    _first_attempt(assignment, students[0], [True, True, False, True])
    _first_attempt(assignment, students[1], [True, True, False, True])
    _first_attempt(assignment, students[2], [False, True, False, False])
    _first_attempt(assignment, students[3], [False, False, True, False])
    later = _graded(assignment, students[3], 3, minutes_ago=1)  # a second attempt: not analysed
    ItemFactory(
        attempt=later, position=1, stem="Q1", options=["A", "B", "C"], correct=0, chosen=0, is_correct=True
    )
    items = analysis.analyse(assignment)
    assert [i.position for i in items] == [1, 2, 3, 4]
    assert [i.facility for i in items] == [50, 75, 25, 50]
    assert items[0].discrimination > 0
    assert not items[0].flagged
    assert items[2].discrimination < 0
    assert items[2].flagged
    assert items[0].wrong_options == [("C", 2)]
    page = (
        client_for(school.teacher).get(reverse("assignment_analysis", args=[assignment.pk])).content.decode()
    )
    assert "negative discrimination" in page
    assert "C ×2" in page
