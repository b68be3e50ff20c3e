"""A small Open Trivia DB client, written from Open Trivia DB's documentation (api_config.php).

It knows nothing of our server: it speaks to whatever base address it is given, exactly as
it would to https://opentdb.com. It asks for a session token, fetches questions with one,
resets the token when it reports "Token Empty", lists categories and counts, and decodes
every string of a result from the encoding it asked for.

Why not a client from PyPI: the ones there (opentdb, opentdb-py, pyopentdb, trivia.py,
open-trivia-database-wrapper, ...) hard-code https://opentdb.com and an enum of Open
Trivia DB's own 24 category ids (9–32), and the one whose address can be changed
(open-trivia-database-wrapper) never sends its session token; none can ask our
categories or exercise tokens against another server.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

import httpx

SUCCESS, NO_RESULTS, INVALID_PARAMETER, TOKEN_NOT_FOUND, TOKEN_EMPTY, RATE_LIMIT = range(6)
STRING_FIELDS = ("type", "difficulty", "category", "question", "correct_answer")


def decode(value: str, encoding: str | None) -> str:
    if encoding == "urlLegacy":
        return unquote_plus(value)
    if encoding == "url3986":
        return unquote(value)
    if encoding == "base64":
        return base64.b64decode(value).decode()
    return html.unescape(value)


@dataclass
class TriviaQuestion:
    type: str
    difficulty: str
    category: str
    question: str
    correct_answer: str
    incorrect_answers: list[str]
    extra: dict


@dataclass
class Reply:
    response_code: int
    questions: list[TriviaQuestion]
    http_status: int


class OpenTriviaClient:
    def __init__(self, base_url: str = "https://opentdb.com") -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(timeout=30)
        self.token: str | None = None

    def _get(self, path: str, **params: object) -> httpx.Response:
        clean = {k: v for k, v in params.items() if v is not None}
        return self.http.get(f"{self.base_url}/{path}", params=clean)

    def request_token(self) -> str:
        body = self._get("api_token.php", command="request").json()
        assert body["response_code"] == SUCCESS, body
        self.token = body["token"]
        return self.token

    def reset_token(self) -> int:
        body = self._get("api_token.php", command="reset", token=self.token).json()
        return body["response_code"]

    def questions(
        self,
        amount: int | str,
        category: int | None = None,
        difficulty: str | None = None,
        type: str | None = None,
        encode: str | None = None,
        use_token: bool = True,
    ) -> Reply:
        response = self._get(
            "api.php",
            amount=amount,
            category=category,
            difficulty=difficulty,
            type=type,
            encode=encode,
            token=self.token if use_token else None,
        )
        body = response.json()
        questions = []
        for raw in body["results"]:
            fields = {name: decode(raw[name], encode) for name in STRING_FIELDS}
            extra = {
                key: [decode(v, encode) for v in value] if isinstance(value, list) else decode(value, encode)
                for key, value in raw.items()
                if key not in (*STRING_FIELDS, "incorrect_answers")
            }
            questions.append(
                TriviaQuestion(
                    **fields,
                    incorrect_answers=[decode(a, encode) for a in raw["incorrect_answers"]],
                    extra=extra,
                )
            )
        return Reply(body["response_code"], questions, response.status_code)

    def categories(self) -> dict[int, str]:
        body = self._get("api_category.php").json()
        return {c["id"]: c["name"] for c in body["trivia_categories"]}

    def count(self, category: int) -> dict[str, int]:
        return self._get("api_count.php", category=category).json()["category_question_count"]

    def count_global(self) -> dict:
        return self._get("api_count_global.php").json()
