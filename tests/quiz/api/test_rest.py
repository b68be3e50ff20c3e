"""The REST API, ``/api/v1/``: public reads, pagination, ETags, and a teacher's own questions
and classes by API token or by session with CSRF."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from quiz.api import rest
from quiz.api.models import ApiToken
from quiz.models import TEACHERS_GROUP, Question
from tests.factories import (
    AttemptFactory,
    ClassroomFactory,
    MembershipFactory,
    QuizFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


def new_question(bank, **overrides) -> dict:
    data = {
        "dossier": bank.topic.slug,
        "stem": "Which river marks the border?",
        "explanation": "The lower Tumen does.",
        "choices": [
            {"text": "Tumen", "correct": True, "note": "The border river."},
            {"text": "Yalu"},
            {"text": "Amur"},
        ],
        "difficulty": "hard",
        "status": "published",
        "tags": ["treaties"],
        "section": "signing",
    }
    return data | overrides


def post(client: Client, url: str, data: dict, **headers) -> object:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def put(client: Client, url: str, data: dict, **headers) -> object:
    return client.put(url, json.dumps(data), content_type="application/json", headers=headers)


# Public -------------------------------------------------------------------------------


def test_dossiers_list_and_detail(client, bank):
    body = client.get(f"{API}/dossiers").json()
    assert body["count"] == 1
    assert body["items"][0]["slug"] == "north-korea-russia"
    assert body["items"][0]["url"] == "http://testserver/dossiers/north-korea-russia/"
    detail = client.get(f"{API}/dossiers/north-korea-russia").json()
    assert detail["fact_count"] == 5
    assert detail["disputed_fact_count"] == 1
    assert [s["key"] for s in detail["sources"]] == ["annals", "chronicle"]
    assert detail["sections"][0]["url"].endswith("#section-signing")
    assert [t["slug"] for t in detail["tags"]] == ["treaties"]


def test_an_unpublished_or_unknown_dossier_is_404(client, bank):
    bank.topic.published = False
    bank.topic.save()
    assert client.get(f"{API}/dossiers/north-korea-russia").status_code == 404
    assert client.get(f"{API}/dossiers").json()["count"] == 0
    for slug in ["nope", "bad%00slug", "x" * 60]:
        response = client.get(f"{API}/dossiers/{slug}/facts")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


def test_facts_carry_citations_and_every_disputed_value_with_who_gives_it(client, bank):
    body = client.get(f"{API}/dossiers/north-korea-russia/facts", {"disputed": "true"}).json()
    assert body["count"] == 1
    [fact] = body["items"]
    assert fact["slug"] == "border-agreed"
    assert fact["values"] == [
        {"value": "1884", "sources": ["annals"]},
        {"value": "1886", "sources": ["chronicle"]},
    ]
    assert [(c["source"], c["value"]) for c in fact["citations"]] == [
        ("annals", "1884"),
        ("chronicle", "1886"),
    ]
    settled = client.get(f"{API}/dossiers/north-korea-russia/facts", {"disputed": "false", "tag": "treaties"})
    assert settled.json()["count"] == 4


def test_sections_timeline_and_tags(client, bank):
    sections = client.get(f"{API}/dossiers/north-korea-russia/sections").json()
    assert sections["items"][0]["heading"] == "Treaties of the East in the context of signing treaties"
    timeline = client.get(f"{API}/dossiers/north-korea-russia/timeline").json()
    assert timeline == {"count": 0, "page": 1, "pages": 1, "items": []}
    tags = client.get(f"{API}/tags").json()
    assert [t["slug"] for t in tags["items"]] == ["songs", "treaties"]


def test_lists_are_paginated(client, db):
    for n in range(rest.PAGE_SIZE + 3):
        TagFactory(slug=f"tag-{n:02d}", name=f"Tag {n:02d}")
    first = client.get(f"{API}/tags").json()
    second = client.get(f"{API}/tags", {"page": 2}).json()
    beyond = client.get(f"{API}/tags", {"page": 99}).json()
    assert (first["count"], first["pages"], len(first["items"])) == (23, 2, rest.PAGE_SIZE)
    assert [t["slug"] for t in second["items"]] == ["tag-20", "tag-21", "tag-22"]
    assert beyond["items"] == []
    for bad in ["0", "-1", "x", str(10**30)]:
        assert client.get(f"{API}/tags", {"page": bad}).status_code == 422


def test_a_conditional_get_with_the_etag_is_a_304_until_the_data_changes(client, bank):
    url = f"{API}/dossiers/north-korea-russia"
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    bank.topic.summary = "Changed."
    bank.topic.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_generated_questions_are_the_same_for_the_same_seed(client, bank):
    url = f"{API}/dossiers/north-korea-russia/questions"
    one = client.get(url, {"count": 4, "seed": 7}).json()
    two = client.get(url, {"count": 4, "seed": 7}).json()
    other = client.get(url, {"count": 4, "seed": 8}).json()
    assert one == two
    assert one["seed"] == 7
    assert len(one["questions"]) == 4
    assert one != other
    random_seed = client.get(url, {"count": 2}).json()
    assert client.get(url, {"count": 2, "seed": random_seed["seed"]}).json() == random_seed
    for question in one["questions"]:
        assert question["passage_url"].endswith("#section-signing")
        assert question["sources"]


def test_tag_questions_and_their_limits(client, bank):
    body = client.get(f"{API}/tags/treaties/questions", {"count": 3, "seed": 1}).json()
    assert len(body["questions"]) == 3
    assert all("treaties" in q["tags"] for q in body["questions"])
    assert client.get(f"{API}/tags/treaties/questions", {"count": 51}).status_code == 422
    assert client.get(f"{API}/tags/nope/questions").status_code == 404


def test_public_pages_take_a_bounded_number_of_queries(client, bank, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        client.get(f"{API}/dossiers/north-korea-russia/facts")
    with django_assert_max_num_queries(7):
        client.get(f"{API}/dossiers/north-korea-russia")


# Teachers -------------------------------------------------------------------------------


def test_teacher_endpoints_need_a_teachers_token(client, bank, auth):
    assert client.get(f"{API}/teacher/questions").status_code == 401
    assert (
        client.get(f"{API}/teacher/questions", headers={"Authorization": "Bearer dsr_wrong"}).status_code
        == 401
    )
    student = UserFactory(username="student")
    _, key = ApiToken.issue(student)  # a token whose user is no (longer a) teacher
    assert (
        client.get(f"{API}/teacher/questions", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    )
    assert client.get(f"{API}/teacher/questions", headers=auth).status_code == 200


def test_a_teacher_creates_updates_and_archives_a_question(client, bank, auth, teacher):
    created = post(client, f"{API}/teacher/questions", new_question(bank), **auth)
    assert created.status_code == 201, created.content
    body = created.json()
    question = Question.objects.get(pk=body["id"])
    assert (question.author, question.status, question.difficulty) == (teacher, "published", 3)
    assert [c.text for c in question.choices.order_by("order")] == ["Tumen", "Yalu", "Amur"]
    assert body["tags"] == ["treaties"]
    assert body["section"] == "signing"

    url = f"{API}/teacher/questions/{body['id']}"
    changed = put(
        client,
        url,
        new_question(
            bank, stem="Which river?", choices=[{"text": "Tumen", "correct": True}, {"text": "Yalu"}]
        ),
        **auth,
    )
    assert changed.status_code == 200, changed.content
    question.refresh_from_db()
    assert question.stem == "Which river?"
    assert question.choices.count() == 2

    archived = client.post(f"{url}/archive", headers=auth)
    assert archived.json()["status"] == "archived"
    question.refresh_from_db()
    assert question.status == Question.Status.ARCHIVED
    assert not Question.objects.published().filter(pk=question.pk).exists()
    listing = client.get(f"{API}/teacher/questions", headers=auth).json()
    assert [q["id"] for q in listing["items"]] == [question.pk]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dossier": "nope"}, "dossier: no dossier 'nope'."),
        ({"choices": [{"text": "A"}, {"text": "B"}]}, "choices: exactly one choice must be correct, not 0."),
        (
            {"choices": [{"text": "A", "correct": True}, {"text": " a "}]},
            "choices: choice 2 repeats choice 1.",
        ),
        ({"tags": ["nope"]}, "tags: no tag 'nope'."),
        ({"section": "nope"}, "section: dossier 'north-korea-russia' has no passage 'nope'."),
    ],
)
def test_a_question_that_breaks_a_rule_is_a_400_saying_which_and_writes_nothing(
    client, bank, auth, overrides, message
):
    before = Question.objects.count()
    response = post(client, f"{API}/teacher/questions", new_question(bank, **overrides), **auth)
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert Question.objects.count() == before


def test_a_duplicate_stem_is_refused(client, bank, auth):
    response = post(
        client,
        f"{API}/teacher/questions",
        new_question(bank, stem="  the annals were WRITTEN in latin. "),
        **auth,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "stem: this dossier already has a question with this stem."


@pytest.mark.parametrize(
    "bad",
    [
        {"stem": "a\x00b"},
        {"stem": ""},
        {"choices": [{"text": "A", "correct": True}]},
        {"difficulty": "extreme"},
    ],
)
def test_malformed_input_is_a_422(client, bank, auth, bad):
    response = post(client, f"{API}/teacher/questions", new_question(bank, **bad), **auth)
    assert response.status_code == 422


def test_another_teachers_question_is_a_404(client, bank, auth):
    other = UserFactory(username="other-teacher")
    other.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    bank.multiple.author = other
    bank.multiple.save()
    url = f"{API}/teacher/questions/{bank.multiple.pk}"
    assert client.get(url, headers=auth).status_code == 404
    assert put(client, url, new_question(bank), **auth).status_code == 404
    assert client.post(f"{url}/archive", headers=auth).status_code == 404
    bank.multiple.refresh_from_db()
    assert bank.multiple.status == Question.Status.PUBLISHED


def test_a_session_works_for_reads_and_needs_the_csrf_token_for_writes(bank, teacher):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(teacher)
    assert browser.get(f"{API}/teacher/questions").status_code == 200
    refused = post(browser, f"{API}/teacher/questions", new_question(bank))
    assert refused.status_code == 403
    assert not Question.objects.filter(author=teacher).exists()
    browser.get("/api/v1/docs")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = post(browser, f"{API}/teacher/questions", new_question(bank), **{"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_a_teacher_reads_only_their_own_classes_results(client, bank, auth, teacher):
    mine = ClassroomFactory(teacher=teacher, name="Year 10")
    theirs = ClassroomFactory(name="Someone else's")
    student = UserFactory(username="pupil")
    MembershipFactory(classroom=mine, student=student)
    MembershipFactory(classroom=theirs, student=student)
    quiz = QuizFactory(topic=bank.topic, title="Treaties quiz")
    AttemptFactory(user=student, quiz=quiz, score=3, length=5, answered_count=5)
    classes = client.get(f"{API}/teacher/classes", headers=auth).json()
    assert [(c["name"], c["student_count"]) for c in classes] == [("Year 10", 1)]
    results = client.get(f"{API}/teacher/classes/{mine.pk}/results", headers=auth).json()
    assert [s["username"] for s in results["students"]] == ["pupil"]
    assert [(a["student"], a["quiz"], a["score"]) for a in results["attempts"]] == [
        ("pupil", "Treaties quiz", 3)
    ]
    assert client.get(f"{API}/teacher/classes/{theirs.pk}/results", headers=auth).status_code == 404


def test_the_api_returns_json_not_html_so_text_is_never_rendered_as_markup(client, bank, auth):
    """The API is a question bank: it returns text as JSON, escaped by whoever renders it; the
    site's own pages escape it (Django autoescape)."""
    created = post(
        client, f"{API}/teacher/questions", new_question(bank, stem="<script>alert(1)</script>?"), **auth
    )
    assert created.headers["Content-Type"] == "application/json; charset=utf-8"
    assert created.json()["stem"] == "<script>alert(1)</script>?"


# Token page and command ----------------------------------------------------------------------


def test_the_token_page_shows_a_new_key_once_and_revokes_it(client, teacher):
    client.force_login(teacher)
    page = client.get("/api/token/")
    assert page.status_code == 200
    assert b"You have no token." in page.content
    created = client.post("/api/token/", {"action": "create"})
    key = created.context["key"]
    assert key.encode() in created.content
    token = ApiToken.objects.get(user=teacher)
    assert token.key_hash != key
    assert ApiToken.objects.for_key(key) == token
    again = client.get("/api/token/")
    assert key.encode() not in again.content
    assert token.prefix.encode() in again.content
    visible = again.content.decode()
    assert "{{" not in visible
    assert "{%" not in visible
    client.post("/api/token/", {"action": "revoke"})
    assert not ApiToken.objects.filter(user=teacher).exists()


def test_the_token_page_is_for_teachers_and_needs_csrf(bank, teacher):
    student = UserFactory(username="student")
    browser = Client()
    assert browser.get("/api/token/").status_code == 302
    browser.force_login(student)
    assert browser.get("/api/token/").status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    assert strict.post("/api/token/", {"action": "create"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_manage_py_api_token_prints_a_working_key(teacher, capsys):
    call_command("api_token", "teacher")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.for_key(key).user == teacher
    call_command("api_token", "teacher", "--revoke")
    assert ApiToken.objects.for_key(key) is None


def test_the_docs_pages_load_with_local_scripts_only(client):
    for url in ["/api/v1/docs", "/opentdb/docs"]:
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert '<script src="/static/ninja/swagger-ui-bundle.js"' in html
        assert "cdn" not in html.lower()
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/teacher/questions" in schema["paths"]
