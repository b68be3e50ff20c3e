"""Open Trivia DB-compatible endpoints: ``/opentdb/api.php`` and its siblings.

An Open Trivia DB client works by changing only its base address. The shapes, parameters,
response codes and encodings are Open Trivia DB's own:

- codes 0 success, 1 no results (the bank has fewer than ``amount``), 2 invalid parameter,
  3 token not found, 4 token empty (it has been given every question the query matches),
  5 rate limit (HTTP 429, with ``Retry-After``); the others are HTTP 200, as there;
- ``encode``: none (HTML entities, ``&quot;`` and ``&#039;`` as PHP writes them),
  ``urlLegacy`` (PHP ``urlencode``: spaces as ``+``), ``url3986`` (PHP ``rawurlencode``),
  ``base64``; every string of a result is encoded, ours included;
- at most 50 questions a call; a parameter that is not understood is code 2.

Each result carries extra keys that Open Trivia DB has not: ``sources`` (the titles of the
sources the answer comes from), ``passage_url`` (the passage that proves it, or the
dossier), ``explanation`` and ``id`` (the bank entry, e.g. ``m12``). The bank is in
:mod:`quiz.api.bank`.

Rate limit: :data:`RATE_LIMIT` per client address, counted in the database by
:mod:`quiz.accounts.throttle` (shared by every app server), on ``api.php`` and
``api_token.php``. Open Trivia DB allows one call per 5 seconds; a client that asks for a
token and then for questions makes two calls at once, so we allow 5 calls per fixed
5-second window.
"""

from __future__ import annotations

import base64
import html
import math
import random
import re
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, quote_plus

from django.db import transaction
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status

from quiz.accounts import throttle
from quiz.api import bank
from quiz.api.docs import LocalSwagger
from quiz.api.models import TriviaToken

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

MAX_AMOUNT = 50
#: Calls to api.php and api_token.php per client address: 5 every 5 seconds.
RATE_LIMIT = throttle.Limit("opentdb-ip", 5, timedelta(seconds=5))
ENCODINGS = ("urlLegacy", "url3986", "base64")
MESSAGES = {
    0: "Success! Returned results successfully.",
    1: "No Results! Could not return results. The API does not have enough questions for your query.",
    2: "Invalid Parameter! Contains an invalid parameter. Arguments passed in are not valid.",
    3: "Token Not Found! Session Token does not exist.",
    4: "Token Empty! Session Token has returned all possible questions for the specified query.",
    5: "Rate Limit! Too many requests have occurred. Each address may call the API 5 times every 5 seconds.",
}

ResponseCode = Literal[0, 1, 2, 3, 4, 5]

api = NinjaAPI(
    title="Open Trivia DB-compatible API",
    version="1",
    description=(
        "Open Trivia DB's API (https://opentdb.com/api_config.php) over our question bank: "
        "categories are dossiers and tags; each result also carries its sources and the "
        "passage that proves it. Rate limit: 5 calls every 5 seconds per address (code 5)."
    ),
    urls_namespace="opentdb",
    docs=LocalSwagger(settings={"deepLinking": False}),
)


class Result(Schema):
    type: str
    difficulty: str
    category: str
    question: str
    correct_answer: str
    incorrect_answers: list[str]
    id: str
    sources: list[str]
    passage_url: str
    explanation: str


class QuestionsOut(Schema):
    response_code: ResponseCode
    response_message: str = ""
    results: list[Result]


class TokenOut(Schema):
    response_code: ResponseCode
    response_message: str
    token: str = ""


class CategoryOut(Schema):
    id: int
    name: str


class CategoriesOut(Schema):
    trivia_categories: list[CategoryOut]


class CategoryCounts(Schema):
    total_question_count: int
    total_easy_question_count: int
    total_medium_question_count: int
    total_hard_question_count: int


class CountOut(Schema):
    response_code: ResponseCode = 0
    category_id: int
    category_question_count: CategoryCounts


class CountError(Schema):
    response_code: ResponseCode
    response_message: str


class GlobalCounts(Schema):
    total_num_of_questions: int
    total_num_of_pending_questions: int
    total_num_of_verified_questions: int
    total_num_of_rejected_questions: int


class GlobalOut(Schema):
    overall: GlobalCounts
    categories: dict[str, GlobalCounts]


def encode(value: str, encoding: str | None) -> str:
    """One string as Open Trivia DB encodes it."""
    if encoding == "urlLegacy":
        return quote_plus(value, safe="").replace("~", "%7E")
    if encoding == "url3986":
        return quote(value, safe="~")
    if encoding == "base64":
        return base64.b64encode(value.encode()).decode()
    return html.escape(value, quote=True).replace("&#x27;", "&#039;")


def _limited(request: HttpRequest) -> int | None:
    """Count this call; the seconds to wait if it is over :data:`RATE_LIMIT`, else None."""
    key = throttle.key_for(RATE_LIMIT, throttle.client_ip(request))
    requests, window_end = throttle.hit(key, RATE_LIMIT.window)
    if requests <= RATE_LIMIT.requests:
        return None
    return max(1, math.ceil((window_end - timezone.now()).total_seconds()))


def _with_retry(response: HttpResponse, seconds: int) -> HttpResponse:
    response["Retry-After"] = str(seconds)
    return response


def _questions(code: int) -> dict:
    return {"response_code": code, "response_message": MESSAGES[code], "results": []}


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 9:
        return None
    return int(value)


def _is_token(value: str | None) -> bool:
    """Only what a token can look like reaches the database (no NUL, no 10 kB strings)."""
    return value is not None and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def _result(drawn: bank.Drawn, request: HttpRequest, encoding: str | None) -> dict:
    question = drawn.question
    passage = question.passage_url or drawn.dossier_url
    strings = {
        "type": drawn.type,
        "difficulty": drawn.difficulty,
        "category": drawn.category,
        "question": drawn.stem,
        "correct_answer": drawn.correct_answer,
        "id": f"{drawn.kind}{drawn.object_id}",
        "passage_url": request.build_absolute_uri(passage),
        "explanation": question.explanation,
    }
    result: dict = {key: encode(value, encoding) for key, value in strings.items()}
    result["incorrect_answers"] = [encode(a, encoding) for a in drawn.incorrect_answers]
    result["sources"] = [encode(s, encoding) for s in question.sources]
    return result


@api.get(
    "/api.php",
    response={200: QuestionsOut, 429: QuestionsOut},
    summary="Questions",
    operation_id="opentdb_questions",
)
def questions(
    request: HttpRequest,
    amount: str | None = None,
    category: str | None = None,
    difficulty: str | None = None,
    type: str | None = None,
    encode: str | None = None,
    token: str | None = None,
) -> Status[dict] | HttpResponse:
    """Up to 50 questions: `amount` (1–50, required), `category` (an id from api_category.php),
    `difficulty` (easy, medium, hard), `type` (multiple, boolean), `encode` (urlLegacy,
    url3986, base64; HTML entities without it), `token` (from api_token.php)."""
    wait = _limited(request)
    if wait is not None:
        return _with_retry(api.create_response(request, _questions(5), status=429), wait)
    count = _int(amount)
    if count is None or not 1 <= count <= MAX_AMOUNT:
        return Status(200, _questions(2))
    query_category = None
    if category not in (None, "", "any"):
        category_id = _int(category)
        query_category = bank.find_category(category_id) if category_id is not None else None
        if query_category is None:
            return Status(200, _questions(2))
    if difficulty in ("", "any"):
        difficulty = None
    if type in ("", "any"):
        type = None
    if encode in ("", "default"):
        encode = None
    if (
        (difficulty is not None and difficulty not in bank.DIFFICULTIES)
        or (type is not None and type not in bank.TYPES)
        or (encode is not None and encode not in ENCODINGS)
    ):
        return Status(200, _questions(2))
    query = bank.Query(query_category, difficulty, type)
    rng = random.Random(secrets.randbits(64))
    if token:
        with transaction.atomic():
            live = TriviaToken.objects.live().select_for_update()
            session = live.filter(token=token).first() if _is_token(token) else None
            if session is None:
                return Status(200, _questions(3))
            session.last_used_at = timezone.now()
            session.save(update_fields=["last_used_at"])
            if bank.count(query) < count:
                return Status(200, _questions(1))
            drawn = bank.draw(query, count, rng, session)
            if drawn is None:
                return Status(200, _questions(4))
    else:
        drawn = bank.draw(query, count, rng)
        if drawn is None:
            return Status(200, _questions(1))
    body = _questions(0)
    body["results"] = [_result(d, request, encode) for d in drawn]
    return Status(200, body)


@api.get(
    "/api_token.php",
    response={200: TokenOut, 429: TokenOut},
    summary="Request or reset a session token",
    operation_id="opentdb_token",
)
def token(
    request: HttpRequest, command: str | None = None, token: str | None = None
) -> Status[dict] | HttpResponse:
    """`command=request` gives a new token; `command=reset&token=T` forgets what it has been given.
    A token unused for 6 hours is deleted."""
    wait = _limited(request)
    if wait is not None:
        body = {"response_code": 5, "response_message": MESSAGES[5]}
        return _with_retry(api.create_response(request, body, status=429), wait)
    if command == "request":
        TriviaToken.objects.purge_expired()
        session = TriviaToken.new()
        return Status(
            200,
            {
                "response_code": 0,
                "response_message": "Token Generated Successfully!",
                "token": session.token,
            },
        )
    if command == "reset":
        found = TriviaToken.objects.live().filter(token=token).first() if _is_token(token) else None
        if found is None:
            return Status(200, {"response_code": 3, "response_message": MESSAGES[3]})
        with transaction.atomic():
            found.seen.all().delete()
            found.last_used_at = timezone.now()
            found.save(update_fields=["last_used_at"])
        return Status(200, {"response_code": 0, "response_message": "Token reset.", "token": found.token})
    return Status(200, {"response_code": 2, "response_message": MESSAGES[2]})


@api.get("/api_category.php", response=CategoriesOut, summary="Categories", operation_id="opentdb_categories")
def category_list(request: HttpRequest) -> dict:
    """Every category: the dossiers (even ids) and the tags (odd ids)."""
    return {"trivia_categories": [{"id": c.id, "name": c.name} for c in bank.categories()]}


@api.get(
    "/api_count.php",
    response={200: CountOut | CountError},
    summary="Questions in a category, by difficulty",
    operation_id="opentdb_count",
)
def category_count(request: HttpRequest, category: str | None = None) -> dict:
    """`category` (required): an id from api_category.php."""
    category_id = _int(category)
    found = bank.find_category(category_id) if category_id is not None else None
    if found is None:
        return {"response_code": 2, "response_message": MESSAGES[2]}
    counts = bank.difficulty_counts(found)
    return {
        "response_code": 0,
        "category_id": found.id,
        "category_question_count": {
            "total_question_count": counts["total"],
            "total_easy_question_count": counts["easy"],
            "total_medium_question_count": counts["medium"],
            "total_hard_question_count": counts["hard"],
        },
    }


def _global(total: int) -> dict:
    return {
        "total_num_of_questions": total,
        "total_num_of_pending_questions": 0,
        "total_num_of_verified_questions": total,
        "total_num_of_rejected_questions": 0,
    }


@api.get(
    "/api_count_global.php",
    response=GlobalOut,
    summary="Questions in the bank",
    operation_id="opentdb_count_global",
)
def global_count(request: HttpRequest) -> dict:
    """Entries in every category; pending and rejected are always 0 (teacher drafts are not counted)."""
    per_category = bank.global_counts()
    overall = bank.count(bank.Query())
    return {
        "overall": _global(overall),
        "categories": {str(cid): _global(n) for cid, n in sorted(per_category.items())},
    }
