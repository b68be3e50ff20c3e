"""The question admin: inline choices and their rules, the preview, the Quiz admin, and the
read-only support views of attempts and classes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from quiz.models import TEACHERS_GROUP, Choice, Difficulty, Item, Question, Quiz
from tests.factories import (
    AttemptFactory,
    ChoiceFactory,
    ClassroomFactory,
    FactFactory,
    ItemFactory,
    MembershipFactory,
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    TagFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:quiz_question_add")
CHANGELIST_URL = reverse("admin:quiz_question_changelist")


@pytest.fixture
def teacher():
    user = UserFactory(username="teacher", is_staff=True)
    user.groups.add(Group.objects.get(name=TEACHERS_GROUP))
    return user


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def question_data(topic, choices, *, existing=(), **fields):
    """The POST body of the question change form: ``choices`` are (text, is_correct) rows.

    ``existing`` lists saved Choice rows sent first, as (choice, text, is_correct, delete).
    """
    data = {
        "topic": topic.pk,
        "stem": "Which treaty fixed the border in 1689?",
        "explanation": "The Treaty of Nerchinsk was signed in 1689.",
        "difficulty": Difficulty.MEDIUM,
        "status": Question.Status.DRAFT,
        "section": "",
        "choices-TOTAL_FORMS": len(existing) + len(choices),
        "choices-INITIAL_FORMS": len(existing),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 6,
    }
    rows = [(choice.pk, text, correct, delete) for choice, text, correct, delete in existing]
    rows += [("", text, correct, False) for text, correct in choices]
    for index, (pk, text, correct, delete) in enumerate(rows):
        data[f"choices-{index}-id"] = pk
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-note"] = ""
        if correct:
            data[f"choices-{index}-is_correct"] = "on"
        if delete:
            data[f"choices-{index}-DELETE"] = "on"
    data.update(fields)
    return data


GOOD_CHOICES = [("Treaty of Nerchinsk", True), ("Treaty of Aigun", False), ("Treaty of Peking", False)]


def test_add_question_with_choices_saves_them_in_order_with_the_author(teacher_client, teacher):
    """A valid question is saved with its choices in the order typed, its tags, and the
    logged-in teacher as author; empty extra rows are ignored."""
    topic = TopicFactory()
    tag = TagFactory()
    data = question_data(topic, [*GOOD_CHOICES, ("", False)], tags=[tag.pk])

    response = teacher_client.post(ADD_URL, data)

    assert response.status_code == 302
    question = Question.objects.get()
    assert question.author == teacher
    assert question.topic == topic
    assert list(question.tags.all()) == [tag]
    assert [(c.text, c.is_correct, c.order) for c in question.choices.all()] == [
        ("Treaty of Nerchinsk", True, 0),
        ("Treaty of Aigun", False, 1),
        ("Treaty of Peking", False, 2),
    ]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([("Nerchinsk", True)], "A question needs at least 2 choices; this one has 1."),
        ([], "A question needs at least 2 choices; this one has 0."),
        (
            [("A", True), ("B", False), ("C", False), ("D", False), ("E", False), ("F", False), ("G", False)],
            "A question can have at most 6 choices; this one has 7.",
        ),
        ([("Nerchinsk", False), ("Aigun", False)], "Mark the right answer: no choice is marked correct."),
        ([("Nerchinsk", True), ("Aigun", True)], "Exactly one choice must be correct; 2 are marked correct."),
        (
            [("Treaty of Nerchinsk", True), ("treaty of nerchinsk", False)],
            "Two choices say the same thing: “Treaty of Nerchinsk” and “treaty of nerchinsk”.",
        ),
        (
            [("Pyongyang", True), ("Séoul", False), ("Seoul.", False)],
            "Two choices say the same thing: “Séoul” and “Seoul.”.",
        ),
    ],
    ids=["one", "none", "seven", "zero-correct", "two-correct", "duplicate-case", "duplicate-accents"],
)
def test_invalid_choices_are_refused_with_a_message_and_nothing_saved(teacher_client, choices, message):
    """Each choice rule refuses the question: the page comes back with the reason at the top
    of the choices inline, and neither the question nor any choice is saved."""
    data = question_data(TopicFactory(), choices)

    response = teacher_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert message in response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert message in response.content.decode()
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_duplicate_choice_is_also_marked_on_its_row(teacher_client):
    """The repeated choice's own row says which earlier choice it repeats."""
    data = question_data(TopicFactory(), [("Kim Il-sung", True), ("kim il sung", False)])

    response = teacher_client.post(ADD_URL, data)

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[1].errors["text"] == [
        "Same answer as “Kim Il-sung” (case, accents and punctuation are ignored)."
    ]
    assert not formset.forms[0].errors


def test_rows_marked_for_deletion_do_not_count(teacher_client, teacher):
    """On change, a choice ticked for deletion is not counted: deleting one of three leaves a
    valid question, deleting two of three leaves one choice, which is refused."""
    question = QuestionFactory(author=teacher)  # a teacher changes only their own
    right = ChoiceFactory(question=question, text="Nerchinsk", is_correct=True)
    wrong = ChoiceFactory(question=question, text="Aigun")
    other = ChoiceFactory(question=question, text="Peking")
    url = reverse("admin:quiz_question_change", args=[question.pk])

    refused = teacher_client.post(
        url,
        question_data(
            question.topic,
            [],
            existing=[
                (right, "Nerchinsk", True, False),
                (wrong, "Aigun", False, True),
                (other, "Peking", False, True),
            ],
        ),
    )
    assert refused.status_code == 200
    assert "A question needs at least 2 choices; this one has 1." in refused.content.decode()
    assert question.choices.count() == 3

    accepted = teacher_client.post(
        url,
        question_data(
            question.topic,
            [],
            existing=[
                (right, "Nerchinsk", True, False),
                (wrong, "Aigun", False, True),
                (other, "Peking", False, False),
            ],
        ),
    )
    assert accepted.status_code == 302
    assert set(question.choices.values_list("text", flat=True)) == {"Nerchinsk", "Peking"}


def test_a_deleted_row_may_share_its_text_with_a_new_one(teacher_client, teacher):
    """Replacing a choice by a new one with the same text is not a duplicate."""
    question = QuestionFactory(author=teacher)  # a teacher changes only their own
    right = ChoiceFactory(question=question, text="Nerchinsk", is_correct=True)
    wrong = ChoiceFactory(question=question, text="Aigun")
    url = reverse("admin:quiz_question_change", args=[question.pk])

    response = teacher_client.post(
        url,
        question_data(
            question.topic,
            [("aigun", False)],
            existing=[(right, "Nerchinsk", True, False), (wrong, "Aigun", False, True)],
        ),
    )

    assert response.status_code == 302
    assert list(question.choices.values_list("text", flat=True)) == ["Nerchinsk", "aigun"]


def test_section_from_another_topic_is_refused(teacher_client):
    """The section must belong to the question's dossier; the error sits on the field."""
    topic = TopicFactory(title="Nerchinsk")
    foreign = SectionFactory(topic=TopicFactory(title="Korean War"))

    response = teacher_client.post(ADD_URL, question_data(topic, GOOD_CHOICES, section=foreign.pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["section"] == [
        "This section belongs to the dossier “Korean War”, not to “Nerchinsk”. "
        "Pick a section of the question's own dossier, or none."
    ]
    assert not Question.objects.exists()


def test_section_and_facts_of_the_same_topic_are_saved(teacher_client):
    """Links to a section and facts of the question's own dossier are kept."""
    topic = TopicFactory()
    section = SectionFactory(topic=topic)
    fact = FactFactory(topic=topic, section=section)

    response = teacher_client.post(
        ADD_URL, question_data(topic, GOOD_CHOICES, section=section.pk, facts=[fact.pk])
    )

    assert response.status_code == 302
    question = Question.objects.get()
    assert question.section == section
    assert list(question.facts.all()) == [fact]


def test_facts_from_another_topic_are_refused(teacher_client):
    """A fact of another dossier cannot be linked: the question would point students astray."""
    fact = FactFactory(subject="the year the war ended")

    response = teacher_client.post(ADD_URL, question_data(TopicFactory(), GOOD_CHOICES, facts=[fact.pk]))

    assert response.status_code == 200
    assert "“the year the war ended”" in response.context["adminform"].form.errors["facts"][0]
    assert not Question.objects.exists()


def test_a_question_its_dossier_already_has_is_refused_as_a_csv_import_would(teacher_client):
    """Same stem in the same dossier, case and spacing aside: the error names the one to edit."""
    topic = TopicFactory(title="Nerchinsk")
    first = QuestionFactory(topic=topic, stem="Which treaty fixed the border in 1689?")

    response = teacher_client.post(
        ADD_URL, question_data(topic, GOOD_CHOICES, stem="  which treaty fixed   the border in 1689? ")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["stem"] == [
        "The dossier “Nerchinsk” already has this question: "
        f'<a href="{reverse("admin:quiz_question_change", args=[first.pk])}">edit that one</a> '
        "instead of writing it twice."
    ]
    assert Question.objects.count() == 1


def test_the_duplicate_error_escapes_the_dossier_title(teacher_client):
    topic = TopicFactory(title="<b>Nerchinsk</b>")
    QuestionFactory(topic=topic, stem="Which treaty fixed the border in 1689?")
    html = teacher_client.post(ADD_URL, question_data(topic, GOOD_CHOICES)).content.decode()
    assert "“&lt;b&gt;Nerchinsk&lt;/b&gt;” already has this question" in html
    assert "<b>Nerchinsk</b>" not in html


def test_the_same_stem_in_another_dossier_and_saving_a_question_again_are_allowed(teacher_client):
    QuestionFactory(topic=TopicFactory(), stem="Which treaty fixed the border in 1689?")
    response = teacher_client.post(ADD_URL, question_data(TopicFactory(), GOOD_CHOICES))
    assert response.status_code == 302
    question = Question.objects.latest("pk")
    response = teacher_client.post(
        reverse("admin:quiz_question_change", args=[question.pk]),
        question_data(
            question.topic,
            [],
            existing=[(c, c.text, c.is_correct, False) for c in question.choices.order_by("order")],
            explanation="Edited.",
        ),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.explanation == "Edited."


@pytest.mark.parametrize("field", ["explanation", "stem"])
def test_explanation_and_stem_are_required(teacher_client, field):
    """A question without its text or without an explanation is refused."""
    response = teacher_client.post(ADD_URL, question_data(TopicFactory(), GOOD_CHOICES, **{field: ""}))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Question.objects.exists()


def test_changelist_shows_choice_count_and_searches_choice_text(
    teacher_client, django_assert_max_num_queries
):
    """The list shows each question with its number of choices; searching finds a question by
    the text of one of its choices; the page's query count does not grow with the rows."""
    for n in range(5):
        question = QuestionFactory(stem=f"Question number {n}?", topic=TopicFactory(slug="same"))
        question.tags.add(TagFactory(slug="treaties"))
        for i in range(3):
            ChoiceFactory(question=question, text=f"Option {n}-{i}")
    QuestionFactory(stem="Who signed?").choices.create(text="Golovin", is_correct=True)

    with django_assert_max_num_queries(9):
        response = teacher_client.get(CHANGELIST_URL)
    assert response.status_code == 200
    counts = {row.stem: row.choice_count for row in response.context["cl"].result_list}
    assert counts["Question number 0?"] == 3
    assert counts["Who signed?"] == 1

    found = teacher_client.get(CHANGELIST_URL, {"q": "golovin"})
    assert [q.stem for q in found.context["cl"].result_list] == ["Who signed?"]

    by_tag = teacher_client.get(CHANGELIST_URL, {"tags__id__exact": question.tags.get().pk})
    assert by_tag.context["cl"].result_count == 5


def test_change_page_queries_do_not_grow_with_sections_facts_or_choices(
    teacher_client, django_assert_max_num_queries
):
    """The change form lists every section (labelled with its dossier), fact and choice in a
    fixed number of queries."""
    question = QuestionFactory()
    for _ in range(6):
        ChoiceFactory(question=question)
        SectionFactory(topic=TopicFactory())
        FactFactory()

    with django_assert_max_num_queries(13):
        response = teacher_client.get(reverse("admin:quiz_question_change", args=[question.pk]))

    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 6


def test_publish_and_unpublish_actions(teacher_client):
    """The Publish action publishes the selected questions only; Unpublish returns them to draft."""
    chosen = QuestionFactory(status=Question.Status.DRAFT)
    untouched = QuestionFactory(status=Question.Status.DRAFT)

    response = teacher_client.post(
        CHANGELIST_URL, {"action": "publish", "_selected_action": [chosen.pk]}, follow=True
    )
    assert "Published 1 question." in response.content.decode()
    chosen.refresh_from_db()
    untouched.refresh_from_db()
    assert chosen.status == Question.Status.PUBLISHED
    assert untouched.status == Question.Status.DRAFT

    teacher_client.post(CHANGELIST_URL, {"action": "unpublish", "_selected_action": [chosen.pk]})
    chosen.refresh_from_db()
    assert chosen.status == Question.Status.DRAFT


# Preview ---------------------------------------------------------------------


def student_part(html: str) -> str:
    match = re.search(r'data-part="student">(.*?)</section>', html, re.S)
    assert match, "the preview has a student part"
    return match.group(1)


def answer_key(html: str) -> str:
    match = re.search(r'data-part="answer-key">(.*?)</section>', html, re.S)
    assert match, "the preview has an answer key"
    return match.group(1)


def test_change_page_links_to_the_preview(teacher_client):
    """The question's change page has a "Preview as a student" link to the preview."""
    question = QuestionFactory()

    response = teacher_client.get(reverse("admin:quiz_question_change", args=[question.pk]))

    preview_url = reverse("admin:quiz_question_preview", args=[question.pk])
    assert f'<a href="{preview_url}">Preview as a student</a>' in response.content.decode()


def test_preview_shows_the_question_without_revealing_the_answer(
    teacher_client, django_assert_max_num_queries
):
    """The student's part shows the stem and every choice as an identical disabled button,
    with nothing that tells the right one; the answer key below names it and explains it."""
    question = QuestionFactory(stem="Which treaty came first?", explanation="Nerchinsk was 1689.")
    ChoiceFactory(question=question, text="Treaty of Aigun", order=0)
    ChoiceFactory(question=question, text="Treaty of Nerchinsk", is_correct=True, order=1)
    ChoiceFactory(question=question, text="Treaty of Peking", order=2)

    with django_assert_max_num_queries(6):
        response = teacher_client.get(reverse("admin:quiz_question_preview", args=[question.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    student = student_part(html)
    assert "Which treaty came first?" in student
    buttons = re.findall(r"<button([^>]*)>([^<]*)</button>", student)
    assert [text for _, text in buttons] == ["Treaty of Aigun", "Treaty of Nerchinsk", "Treaty of Peking"]
    assert {attrs for attrs, _ in buttons} == {' type="button" class="preview-choice" disabled'}
    assert "correct" not in student.lower()
    assert "Nerchinsk was 1689." not in student
    key = answer_key(html)
    assert "Answer key (teachers only)" in key
    assert "Treaty of Nerchinsk" in key
    assert "Nerchinsk was 1689." in key


def test_preview_escapes_teacher_text(teacher_client):
    """Markup typed by a teacher is shown as text, never run."""
    question = QuestionFactory(stem="<script>alert(1)</script>?", explanation="<b>bold</b>")
    ChoiceFactory(question=question, text="<img src=x onerror=alert(2)>", is_correct=True)
    ChoiceFactory(question=question, text="Plain")

    html = teacher_client.get(reverse("admin:quiz_question_preview", args=[question.pk])).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html


def test_preview_is_refused_to_staff_without_permission_and_to_post(client, teacher_client):
    """Staff who may not view questions get 403; the preview answers GET only."""
    question = QuestionFactory()
    url = reverse("admin:quiz_question_preview", args=[question.pk])
    client.force_login(UserFactory(is_staff=True))

    assert client.get(url).status_code == 403
    assert teacher_client.post(url).status_code == 405


def test_preview_of_a_missing_question_redirects_to_the_admin(teacher_client):
    """An unknown id sends the teacher back with a message, as the admin does elsewhere."""
    response = teacher_client.get(reverse("admin:quiz_question_preview", args=[999999]))

    assert response.status_code == 302


# Quiz admin ------------------------------------------------------------------


def quiz_data(topic, **fields):
    data = {
        "title": "Borders of the Qing",
        "slug": "borders-of-the-qing",
        "topic": topic.pk,
        "tag": "",
        "question_count": 10,
        "allow_length_choice": "on",
        "mix": Quiz.Mix.BOTH,
        "shuffle": "on",
        "time_limit_seconds": "",
        "published": "on",
    }
    data.update(fields)
    return data


def test_quiz_admin_creates_a_quiz(teacher_client):
    """A teacher sets up a quiz with a tag filter, a length, a mix and a time limit."""
    topic = TopicFactory()
    tag = TagFactory()
    QuestionFactory(topic=topic, status=Question.Status.PUBLISHED).tags.add(tag)

    response = teacher_client.post(
        reverse("admin:quiz_quiz_add"),
        quiz_data(topic, tag=tag.pk, question_count=50, time_limit_seconds=10, mix=Quiz.Mix.WRITTEN),
    )

    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="borders-of-the-qing")
    assert (quiz.topic, quiz.tag, quiz.question_count, quiz.time_limit_seconds, quiz.mix) == (
        topic,
        tag,
        50,
        10,
        Quiz.Mix.WRITTEN,
    )
    assert quiz.is_default is False


def test_quiz_admin_refuses_to_publish_a_quiz_with_nothing_to_ask(teacher_client):
    """A written-only quiz on a dossier with no published teacher questions cannot be
    published: the form says why, and nothing is saved."""
    response = teacher_client.post(
        reverse("admin:quiz_quiz_add"), quiz_data(TopicFactory(), mix=Quiz.Mix.WRITTEN)
    )
    assert response.status_code == 200
    assert "no questions to ask yet" in response.content.decode()
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"question_count": 0}, "question_count", "A quiz asks between 1 and 50 questions."),
        ({"question_count": 51}, "question_count", "A quiz asks between 1 and 50 questions."),
        (
            {"time_limit_seconds": 9},
            "time_limit_seconds",
            "A time limit must be at least 10 seconds; leave it empty for none.",
        ),
    ],
)
def test_quiz_admin_validates_length_and_time_limit(teacher_client, fields, field, message):
    """A quiz asks 1–50 questions, and a time limit is at least 10 seconds."""
    response = teacher_client.post(reverse("admin:quiz_quiz_add"), quiz_data(TopicFactory(), **fields))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert not Quiz.objects.exists()


def test_default_quiz_shows_is_default_read_only(teacher_client):
    """The dossier's default quiz shows that it is the default, and a POST cannot change that."""
    quiz = Quiz.default_for(TopicFactory())
    url = reverse("admin:quiz_quiz_change", args=[quiz.pk])

    page = teacher_client.get(url)
    assert "is_default" not in page.context["adminform"].form.fields
    assert "Is default" in page.content.decode()

    teacher_client.post(url, quiz_data(quiz.topic, slug=quiz.slug, title=quiz.title, is_default=""))
    quiz.refresh_from_db()
    assert quiz.is_default is True


def test_quiz_changelist_lists_quizzes(teacher_client, django_assert_max_num_queries):
    """The quiz list loads in a fixed number of queries and filters by published."""
    QuizFactory.create_batch(4, published=True)
    QuizFactory(published=False, title="Hidden quiz")

    with django_assert_max_num_queries(8):
        response = teacher_client.get(reverse("admin:quiz_quiz_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 5

    hidden = teacher_client.get(reverse("admin:quiz_quiz_changelist"), {"published__exact": "0"})
    assert [quiz.title for quiz in hidden.context["cl"].result_list] == ["Hidden quiz"]


# Support views: attempts and classes ----------------------------------------------


def test_superuser_sees_attempts_and_classes_read_only(client):
    """A superuser can open attempts (with their items) and classes (with members), but
    cannot add, change or delete them."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    item = ItemFactory(stem="In which year?")
    membership = MembershipFactory(classroom=ClassroomFactory(name="Year 9"))

    attempt_page = client.get(reverse("admin:quiz_attempt_change", args=[item.attempt.pk]))
    assert attempt_page.status_code == 200
    assert "In which year?" in attempt_page.content.decode()
    assert attempt_page.context["has_change_permission"] is False
    assert client.get(reverse("admin:quiz_attempt_changelist")).status_code == 200
    assert client.get(reverse("admin:quiz_attempt_add")).status_code == 403
    assert client.get(reverse("admin:quiz_attempt_delete", args=[item.attempt.pk])).status_code == 403

    class_page = client.get(reverse("admin:quiz_classroom_change", args=[membership.classroom.pk]))
    assert class_page.status_code == 200
    assert membership.student.username in class_page.content.decode()
    assert client.get(reverse("admin:quiz_classroom_add")).status_code == 403


def test_staff_with_every_permission_but_not_superuser_cannot_see_attempts(client):
    """Even staff given the attempt permissions by hand are refused: scores are for support."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="quiz"))
    client.force_login(staff)
    attempt = AttemptFactory()

    assert client.get(reverse("admin:quiz_attempt_changelist")).status_code == 403
    assert client.get(reverse("admin:quiz_attempt_change", args=[attempt.pk])).status_code == 403
    assert client.get(reverse("admin:quiz_classroom_changelist")).status_code == 403


def test_an_answered_question_cannot_be_deleted_only_archived(teacher_client, teacher):
    """Deleting a question students answered would silently remove its statistics from
    every class: the admin refuses, says why and what to do; archiving keeps the answers
    and takes it out of every quiz."""
    question = QuestionFactory(status=Question.Status.PUBLISHED, author=teacher)
    untouched = QuestionFactory(topic=question.topic, status=Question.Status.PUBLISHED, author=teacher)
    ItemFactory(attempt=AttemptFactory(), question=question, is_correct=True)
    delete_url = reverse("admin:quiz_question_delete", args=[question.pk])

    page = teacher_client.get(delete_url).content.decode()
    teacher_client.post(delete_url, {"post": "yes"})
    assert "archive instead" in page
    assert Question.objects.filter(pk=question.pk).exists()
    assert Item.objects.filter(question=question).count() == 1

    changelist = reverse("admin:quiz_question_changelist")
    teacher_client.post(changelist, {"action": "archive", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == Question.Status.ARCHIVED
    assert not Question.objects.published().filter(pk=question.pk).exists()

    teacher_client.post(reverse("admin:quiz_question_delete", args=[untouched.pk]), {"post": "yes"})
    assert not Question.objects.filter(pk=untouched.pk).exists()  # never answered: deleted


@pytest.mark.parametrize("bulk", [False, True], ids=["delete page", "delete action"])
def test_a_quiz_students_played_cannot_be_deleted_in_the_admin(client, teacher, bulk):
    """Deleting a quiz would take its students' attempts with it: the admin refuses (the
    attempts are read-only there), for its owner and for a superuser, one by one or in bulk,
    and every attempt is still there."""
    from quiz.models import Attempt, Quiz
    from tests.factories import AttemptFactory, QuizFactory

    quiz = QuizFactory(owner=teacher)
    AttemptFactory(quiz=quiz)
    for user in (teacher, UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(user)
        if bulk:
            response = client.post(
                reverse("admin:quiz_quiz_changelist"),
                {"action": "delete_selected", "_selected_action": [quiz.pk], "post": "yes"},
            )
        else:
            response = client.post(reverse("admin:quiz_quiz_delete", args=[quiz.pk]), {"post": "yes"})
        assert response.status_code in (200, 403)
        assert Quiz.objects.filter(pk=quiz.pk).exists()
        assert Attempt.objects.filter(quiz=quiz).count() == 1
