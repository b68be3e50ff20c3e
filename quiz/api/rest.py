"""Our REST API, ``/api/v1/``: the dossiers for anyone, a teacher's own questions and classes.

Public and read-only: dossiers, passages, timeline, facts with their citations and every
value the sources give, tags, and generated questions for a dossier or a tag (pass
``seed`` to get the same set again). Lists are paginated (``page``, :data:`PAGE_SIZE` a
page); every GET answers with an ``ETag`` and a conditional GET gets a 304 (see
:mod:`quiz.api.urls`).

Teachers: ``Authorization: Bearer <key>`` (a key from ``/api/token/`` or ``manage.py
api_token``), or their logged-in session with a CSRF token for writes. They create,
update and archive their own questions (another teacher's is a 404) and read their own
classes' results. Writes are limited per teacher (:data:`WRITES_PER_TEACHER`, counted in
the database like the site's other limits, so every app server shares the count): over
it, a 429 with ``Retry-After`` and nothing written.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Path, Query, Status
from ninja.security import HttpBearer, SessionAuth

from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic, normalise
from quiz.accounts import throttle
from quiz.api import schemas as s
from quiz.api.docs import LocalSwagger
from quiz.api.models import ApiToken
from quiz.authoring.rules import repeated_choices
from quiz.classes import results as stats
from quiz.generation import GeneratedQuestion, generate_questions
from quiz.models import Attempt, Choice, Classroom, Difficulty, Question, stem_key
from quiz.permissions import is_teacher

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class TeacherRequest(HttpRequest):
    """A request that passed ``teacher_auth``: ninja puts the teacher in ``auth``."""

    auth: User


PAGE_SIZE = 20
MAX_PAGE = 100_000
MAX_QUESTIONS = 50
#: A tag's questions come from at most this many dossiers (those with the most tagged facts).
TAG_DOSSIERS = 5
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
DIFFICULTY_NAMES = {Difficulty.EASY: "easy", Difficulty.MEDIUM: "medium", Difficulty.HARD: "hard"}
DIFFICULTY_VALUES = {name: value for value, name in DIFFICULTY_NAMES.items()}


class TeacherToken(HttpBearer):
    """``Authorization: Bearer <key>``: a teacher's API token (compared by hash)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = ApiToken.objects.for_key(token)
        if api_token is None or not api_token.user.is_active or not is_teacher(api_token.user):
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class TeacherSession(SessionAuth):
    """A logged-in teacher's session cookie; writes need the CSRF token (``X-CSRFToken``)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and is_teacher(user) else None


api = NinjaAPI(
    title="Dossiers API",
    version="1",
    description=(
        "Dossiers with their passages, timeline, facts, sources and disputes; generated "
        "questions; and, for teachers, their own questions and classes. Teacher endpoints "
        "take `Authorization: Bearer <key>` (create a key on /api/token/) or a logged-in "
        "session with `X-CSRFToken` on writes. Lists are paginated; GETs carry ETags."
    ),
    urls_namespace="rest",
    docs=LocalSwagger(settings={"deepLinking": False}),
)
teacher_auth = [TeacherToken(), TeacherSession()]


# Helpers -----------------------------------------------------------------------


def _page(queryset: QuerySet, page: int) -> dict[str, Any]:
    """One page of ``queryset`` (already ordered): its items and where it stands."""
    count = queryset.count()
    offset = (page - 1) * PAGE_SIZE
    items = list(queryset[offset : offset + PAGE_SIZE]) if offset < count else []
    return {"count": count, "page": page, "pages": max(1, math.ceil(count / PAGE_SIZE)), "items": items}


DossierSlug = Path(..., description="The dossier's slug.", example="north-korea-russia")
TagSlug = Path(..., description="The tag's slug.", example="treaties")
PageParam = Query(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")


def _valid_slug(slug: str) -> bool:
    return bool(SLUG.fullmatch(slug))


def _topic(slug: str) -> Topic:
    topic = Topic.objects.published().filter(slug=slug).first() if _valid_slug(slug) else None
    if topic is None:
        raise Http404("No such dossier.")
    return topic


def _tag(slug: str) -> Tag:
    tag = Tag.objects.filter(slug=slug).first() if _valid_slug(slug) else None
    if tag is None:
        raise Http404("No such tag.")
    return tag


def _url(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path) if path else ""


def _tag_out(request: HttpRequest, tag: Tag) -> dict:
    return {
        "slug": tag.slug,
        "name": tag.name,
        "description": tag.description,
        "url": _url(request, tag.get_absolute_url()),
    }


def _dossier_out(request: HttpRequest, topic: Topic) -> dict:
    return {
        "slug": topic.slug,
        "title": topic.title,
        "summary": topic.summary,
        "url": _url(request, topic.get_absolute_url()),
        "updated_at": topic.updated_at,
    }


def _source_keys(citations: list[Citation]) -> list[str]:
    return list(dict.fromkeys(c.source.key for c in citations))


def _citations() -> Prefetch:
    return Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk"))


def _tags() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("slug"))


# Public: dossiers and tags ----------------------------------------------------------


@api.get("/dossiers", response=s.DossierPage, tags=["dossiers"], operation_id="dossier_list")
def dossier_list(request: HttpRequest, page: int = PageParam) -> dict:
    """The published dossiers, by title."""
    result = _page(Topic.objects.published().order_by("title", "pk"), page)
    result["items"] = [_dossier_out(request, t) for t in result["items"]]
    return result


@api.get("/dossiers/{slug}", response={200: s.DossierDetail, 404: s.ErrorOut}, tags=["dossiers"])
def dossier_detail(request: HttpRequest, slug: str = DossierSlug) -> dict:
    """A dossier: its definition, passages (in reading order), sources, tags and fact counts."""
    topic = _topic(slug)
    sections = topic.sections.order_by("order", "pk")
    sources = topic.sources.order_by("order", "key")
    tags = Tag.objects.filter(Q(facts__topic=topic) | Q(sections__topic=topic)).distinct().order_by("name")
    counts = topic.facts.aggregate(total=Count("pk"), disputed=Count("pk", filter=Q(disputed=True)))
    return {
        **_dossier_out(request, topic),
        "definition": topic.definition,
        "sections": [
            {
                "slug": x.slug,
                "heading": f"{topic.title} in the context of {x.context}",
                "url": _url(request, f"{topic.get_absolute_url()}#{x.anchor}"),
            }
            for x in sections
        ],
        "sources": [_source_out(x) for x in sources],
        "tags": [_tag_out(request, t) for t in tags],
        "fact_count": counts["total"],
        "disputed_fact_count": counts["disputed"],
    }


def _source_out(source: Source) -> dict:
    return {
        "key": source.key,
        "title": source.title,
        "publisher": source.publisher,
        "kind": source.kind,
        "date": source.date_iso,
        "url": source.url,
    }


@api.get("/dossiers/{slug}/sections", response={200: s.SectionPage, 404: s.ErrorOut}, tags=["dossiers"])
def section_list(request: HttpRequest, slug: str = DossierSlug, page: int = PageParam) -> dict:
    """The dossier's passages ("… in the context of …"), in reading order, with their sources."""
    topic = _topic(slug)
    sections = (
        Section.objects.filter(topic=topic)
        .select_related("topic")
        .prefetch_related(_tags(), _citations())
        .order_by("order", "pk")
    )
    result = _page(sections, page)
    result["items"] = [
        {
            "slug": x.slug,
            "context": x.context,
            "heading": x.heading,
            "body": x.body,
            "url": _url(request, x.get_absolute_url()),
            "tags": [t.slug for t in x.tags.all()],
            "sources": _source_keys(list(x.citations.all())),
        }
        for x in result["items"]
    ]
    return result


@api.get("/dossiers/{slug}/timeline", response={200: s.EventPage, 404: s.ErrorOut}, tags=["dossiers"])
def timeline(request: HttpRequest, slug: str = DossierSlug, page: int = PageParam) -> dict:
    """The dossier's dated events, earliest first."""
    topic = _topic(slug)
    events = (
        TimelineEvent.objects.filter(topic=topic)
        .select_related("section__topic")
        .prefetch_related(_tags(), _citations())
        .order_by("year", "month", "day", "pk")
    )
    result = _page(events, page)
    result["items"] = [
        {
            "slug": e.slug,
            "title": e.title,
            "summary": e.summary,
            "year": e.year,
            "month": e.month,
            "day": e.day,
            "end_year": e.end_year,
            "date_label": e.date_label,
            "passage_url": _url(request, e.section.get_absolute_url() if e.section else ""),
            "tags": [t.slug for t in e.tags.all()],
            "sources": _source_keys(list(e.citations.all())),
        }
        for e in result["items"]
    ]
    return result


def _values(fact: Fact, citations: list[Citation]) -> list[dict]:
    """Every value the sources give, spellings that normalise alike together, first source first."""
    groups: dict[str, dict] = {}
    for citation in citations:
        value = citation.value or fact.answer
        group = groups.setdefault(normalise(value), {"value": value, "sources": []})
        if citation.source.key not in group["sources"]:
            group["sources"].append(citation.source.key)
    return list(groups.values())


@api.get("/dossiers/{slug}/facts", response={200: s.FactPage, 404: s.ErrorOut}, tags=["dossiers"])
def fact_list(
    request: HttpRequest,
    slug: str = DossierSlug,
    page: int = PageParam,
    disputed: bool | None = Query(None, description="Only disputed (true) or settled (false) facts."),
    tag: str | None = Query(None, max_length=50, description="Only facts with this tag (its slug)."),
) -> dict:
    """The dossier's facts with their citations; a disputed fact lists every value and who gives it."""
    topic = _topic(slug)
    facts = Fact.objects.filter(topic=topic)
    if disputed is not None:
        facts = facts.filter(disputed=disputed)
    if tag:
        facts = facts.filter(tags__slug=tag) if _valid_slug(tag) else facts.none()
    facts = facts.select_related("section__topic").prefetch_related(_tags(), _citations()).order_by("pk")
    result = _page(facts, page)
    items = []
    for fact in result["items"]:
        citations = list(fact.citations.all())
        items.append(
            {
                "slug": fact.slug,
                "subject": fact.subject,
                "statement": fact.statement,
                "kind": fact.kind,
                "answer": fact.answer,
                "unit": fact.unit,
                "year": fact.year,
                "passage_url": _url(request, fact.section.get_absolute_url() if fact.section else ""),
                "tags": [t.slug for t in fact.tags.all()],
                "disputed": fact.disputed,
                "dispute_note": fact.dispute_note,
                "values": _values(fact, citations),
                "citations": [
                    {
                        "source": c.source.key,
                        "source_title": c.source.title,
                        "value": c.value,
                        "locator": c.locator,
                    }
                    for c in citations
                ],
            }
        )
    result["items"] = items
    return result


@api.get("/tags", response=s.TagPage, tags=["tags"], operation_id="tag_list")
def tag_list(request: HttpRequest, page: int = PageParam) -> dict:
    """Every tag, by name."""
    result = _page(Tag.objects.order_by("name", "pk"), page)
    result["items"] = [_tag_out(request, t) for t in result["items"]]
    return result


# Public: generated questions ----------------------------------------------------------

CountParam = Query(10, ge=1, le=MAX_QUESTIONS, description="How many questions (1–50).")
SeedParam = Query(
    None, ge=0, le=2**53, description="The same seed gives the same questions; a random one without it."
)


def _generated(request: HttpRequest, questions: list[GeneratedQuestion]) -> list[dict]:
    out = []
    for q in questions:
        data = q.to_json()
        data["passage_url"] = _url(request, q.passage_url)
        out.append(data)
    return out


@api.get("/dossiers/{slug}/questions", response={200: s.GeneratedSet, 404: s.ErrorOut}, tags=["questions"])
def dossier_questions(
    request: HttpRequest,
    slug: str = DossierSlug,
    count: int = CountParam,
    seed: int | None = SeedParam,
    tag: str | None = Query(None, max_length=50, description="Only facts and events with this tag."),
) -> dict:
    """Questions generated from the dossier's facts and timeline, with answers and explanations.

    A disputed fact is only asked "According to <source>, …". The API is a question bank:
    the right answer is in the response by design.
    """
    topic = _topic(slug)
    if tag and not _valid_slug(tag):
        raise Http404("No such tag.")
    seed = secrets.randbelow(2**53) if seed is None else seed
    questions = generate_questions(topic, count=count, seed=seed, tag=tag or None)
    return {"seed": seed, "questions": _generated(request, questions)}


@api.get("/tags/{slug}/questions", response={200: s.GeneratedSet, 404: s.ErrorOut}, tags=["questions"])
def tag_questions(
    request: HttpRequest, slug: str = TagSlug, count: int = CountParam, seed: int | None = SeedParam
) -> dict:
    """Questions on one tag, from the (up to 5) dossiers with the most facts carrying it."""
    tag = _tag(slug)
    seed = secrets.randbelow(2**53) if seed is None else seed
    topics = (
        Topic.objects.published()
        .filter(facts__tags=tag)
        .annotate(tagged=Count("facts"))
        .order_by("-tagged", "pk")[:TAG_DOSSIERS]
    )
    questions: list[GeneratedQuestion] = []
    for topic in topics:
        questions.extend(generate_questions(topic, count=count, seed=seed, tag=tag))
    random.Random(seed).shuffle(questions)
    return {"seed": seed, "questions": _generated(request, questions[:count])}


# Teachers: their questions ----------------------------------------------------------------


def _question_out(question: Question) -> dict:
    choices = sorted(question.choices.all(), key=lambda c: (c.order, c.pk))
    return {
        "id": question.pk,
        "dossier": question.topic.slug,
        "stem": question.stem,
        "explanation": question.explanation,
        "choices": [{"text": c.text, "correct": c.is_correct, "note": c.note} for c in choices],
        "difficulty": DIFFICULTY_NAMES.get(Difficulty(question.difficulty), "medium"),
        "status": question.status,
        "tags": sorted(t.slug for t in question.tags.all()),
        "section": question.section.slug if question.section else None,
        "created_at": question.created_at,
        "updated_at": question.updated_at,
    }


def _own_questions(user: User) -> QuerySet[Question]:
    return (
        Question.objects.filter(author=user)
        .select_related("topic", "section")
        .prefetch_related("choices", "tags")
        .order_by("pk")
    )


def _own_question(user: User, question_id: int) -> Question:
    question = _own_questions(user).filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question of yours.")
    return question


class Invalid(Exception):
    """A question that breaks a rule; the message says which (HTTP 400)."""


@api.exception_handler(Invalid)
def _invalid(request: HttpRequest, exc: Invalid) -> Any:
    return api.create_response(request, {"detail": str(exc)}, status=400)


#: A teacher's writes through the API (create, update, archive): a script importing a
#: whole bank of questions fits; a runaway loop stops within the hour.
WRITES_PER_TEACHER = throttle.Limit("api-writes", 1_000, throttle.HOUR)


class TooManyWrites(Exception):
    def __init__(self, retry_at: dt.datetime) -> None:
        self.retry_at = retry_at


@api.exception_handler(TooManyWrites)
def _too_many(request: HttpRequest, exc: TooManyWrites) -> Any:
    seconds = max(1, math.ceil((exc.retry_at - timezone.now()).total_seconds()))
    response = api.create_response(
        request,
        {
            "detail": (
                f"Too many writes: at most {WRITES_PER_TEACHER.requests} an hour. Try again in {seconds} s."
            )
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _count_write(user: User) -> None:
    """Count one write by ``user``; raise :class:`TooManyWrites` over the limit (before any write)."""
    retry_at = throttle.check((WRITES_PER_TEACHER, str(user.pk)))
    if retry_at is not None:
        raise TooManyWrites(retry_at)


def _save_question(user: User, data: s.QuestionIn, question: Question | None) -> Question:
    """Check every rule, then write the question and its choices in one transaction."""
    topic = Topic.objects.filter(slug=data.dossier).first() if _valid_slug(data.dossier) else None
    if topic is None:
        raise Invalid(f"dossier: no dossier {data.dossier!r}.")
    correct = sum(c.correct for c in data.choices)
    if correct != 1:
        raise Invalid(f"choices: exactly one choice must be correct, not {correct}.")
    texts = [c.text.strip() for c in data.choices]
    if any(not t for t in texts):
        raise Invalid("choices: a choice cannot be blank.")
    repeated = repeated_choices(texts)
    if repeated:
        later, first = next(iter(repeated.items()))
        raise Invalid(f"choices: choice {later + 1} repeats choice {first + 1}.")
    if not data.stem.strip() or not data.explanation.strip():
        raise Invalid("stem and explanation cannot be blank.")
    tag_slugs = list(dict.fromkeys(data.tags))
    tags = list(Tag.objects.filter(slug__in=[t for t in tag_slugs if _valid_slug(t)]))
    missing = sorted(set(tag_slugs) - {t.slug for t in tags})
    if missing:
        raise Invalid(f"tags: no tag {', '.join(repr(m) for m in missing)}.")
    section = None
    if data.section:
        section = topic.sections.filter(slug=data.section).first() if _valid_slug(data.section) else None
        if section is None:
            raise Invalid(f"section: dossier {topic.slug!r} has no passage {data.section!r}.")
    with transaction.atomic():
        key = stem_key(data.stem)
        others = Question.objects.filter(topic=topic).exclude(status=Question.Status.ARCHIVED)
        if question is not None:
            others = others.exclude(pk=question.pk)
        if any(stem_key(stem) == key for stem in others.values_list("stem", flat=True)):
            raise Invalid("stem: this dossier already has a question with this stem.")
        if question is None:
            question = Question(author=user)
        question.topic = topic
        question.stem = data.stem.strip()
        question.explanation = data.explanation.strip()
        question.difficulty = DIFFICULTY_VALUES[data.difficulty]
        question.status = data.status
        question.section = section
        question.save()
        question.tags.set(tags)
        question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(question=question, text=c.text.strip(), is_correct=c.correct, note=c.note.strip(), order=i)
            for i, c in enumerate(data.choices)
        )
    return _own_question(user, question.pk)


@api.get("/teacher/questions", response=s.QuestionPage, auth=teacher_auth, tags=["teacher"])
def my_questions(request: TeacherRequest, page: int = PageParam) -> dict:
    """Your questions (drafts, published and archived), oldest first."""
    result = _page(_own_questions(request.auth), page)
    result["items"] = [_question_out(q) for q in result["items"]]
    return result


@api.post(
    "/teacher/questions",
    response={201: s.QuestionOut, 400: s.ErrorOut},
    auth=teacher_auth,
    tags=["teacher"],
)
def create_question(request: TeacherRequest, data: s.QuestionIn) -> Status[dict]:
    """Write a question: 2–6 choices, exactly one correct, a stem its dossier does not have yet."""
    _count_write(request.auth)
    return Status(201, _question_out(_save_question(request.auth, data, None)))


@api.get(
    "/teacher/questions/{question_id}",
    response={200: s.QuestionOut, 404: s.ErrorOut},
    auth=teacher_auth,
    tags=["teacher"],
)
def my_question(request: TeacherRequest, question_id: int) -> dict:
    """One of your questions (anyone else's is a 404)."""
    return _question_out(_own_question(request.auth, question_id))


@api.put(
    "/teacher/questions/{question_id}",
    response={200: s.QuestionOut, 400: s.ErrorOut, 404: s.ErrorOut},
    auth=teacher_auth,
    tags=["teacher"],
)
def update_question(request: TeacherRequest, question_id: int, data: s.QuestionIn) -> dict:
    """Replace one of your questions (every field, choices included). Attempts already played keep
    the question as it was."""
    question = _own_question(request.auth, question_id)
    _count_write(request.auth)
    return _question_out(_save_question(request.auth, data, question))


@api.post(
    "/teacher/questions/{question_id}/archive",
    response={200: s.QuestionOut, 404: s.ErrorOut},
    auth=teacher_auth,
    tags=["teacher"],
)
def archive_question(request: TeacherRequest, question_id: int) -> dict:
    """Archive one of your questions: no new quiz asks it; past attempts keep it. Update it with
    a status to bring it back."""
    question = _own_question(request.auth, question_id)
    _count_write(request.auth)
    Question.objects.filter(pk=question.pk).update(status=Question.Status.ARCHIVED, updated_at=timezone.now())
    return _question_out(_own_question(request.auth, question_id))


# Teachers: their classes ----------------------------------------------------------------


def _class_out(classroom: Classroom) -> dict:
    return {
        "id": classroom.pk,
        "name": classroom.name,
        "join_code": classroom.join_code,
        "student_count": classroom.student_count,  # type: ignore[attr-defined]  # annotated
    }


def _own_classes(user: User) -> QuerySet[Classroom]:
    return (
        Classroom.objects.filter(teacher=user)
        .annotate(student_count=Count("memberships"))
        .order_by("name", "pk")
    )


@api.get("/teacher/classes", response=list[s.ClassOut], auth=teacher_auth, tags=["teacher"])
def my_classes(request: TeacherRequest) -> list[dict]:
    """The classes you teach."""
    return [_class_out(c) for c in _own_classes(request.auth)]


@api.get(
    "/teacher/classes/{class_id}/results",
    response={200: s.ClassResults, 404: s.ErrorOut},
    auth=teacher_auth,
    tags=["teacher"],
)
def class_results(request: TeacherRequest, class_id: int, page: int = PageParam) -> dict:
    """A class you teach: each student's progress (former members' too, with when they left),
    and the attempts they played while members (newest first, paginated)."""
    classroom = _own_classes(request.auth).filter(pk=class_id).first()
    if classroom is None:
        raise Http404("No such class of yours.")
    attempts = _page(
        stats.class_attempts(classroom).select_related("user", "quiz").order_by("-started_at", "pk"), page
    )
    return {
        "classroom": _class_out(classroom),
        "students": [
            {
                "username": m.student.username,
                "joined_at": m.joined_at,
                "left_at": m.left_at,
                "attempts": m.attempt_count,  # type: ignore[attr-defined]  # annotated
                "average_percent": m.average,  # type: ignore[attr-defined]  # annotated
                "last_played": m.last_played,  # type: ignore[attr-defined]  # annotated
            }
            for m in stats.class_progress(classroom)
        ],
        "attempts": [_attempt_out(a) for a in attempts["items"]],
        "attempt_count": attempts["count"],
        "page": attempts["page"],
        "pages": attempts["pages"],
    }


def _attempt_out(attempt: Attempt) -> dict:
    return {
        "id": str(attempt.pk),
        "student": attempt.user.username if attempt.user else "",
        "quiz": attempt.quiz.title,
        "mode": attempt.mode,
        "score": attempt.score,
        "length": attempt.length,
        "answered": attempt.answered_count,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
    }
