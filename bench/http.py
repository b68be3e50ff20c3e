"""Playing the app over HTTP as a browser would: cookies, CSRF, login, start, answer.

Nothing here knows the templates' markup beyond what a browser relies on: forms with an
``action`` and their fields. :func:`forms` reads every form of a page; a player picks
the answer form by its fields (``choice`` buttons, ``place_<i>`` fields for the order
form, ``match_<i>`` fields for the matching form, or a ``typed`` answer) and posts it
with htmx's headers.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

CSRF_COOKIE = "csrftoken"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PLAY_PATH = re.compile(rf"/play/({UUID})/")


@dataclass
class Form:
    action: str
    method: str
    hidden: dict[str, str] = field(default_factory=dict)
    #: Values a field may take: submit buttons and radios of one name, options of a select.
    choices: dict[str, list[str]] = field(default_factory=dict)
    #: Other inputs (text, password, number...) with their value attribute.
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def is_answer(self) -> bool:
        return (
            "choice" in self.choices
            or "typed" in self.inputs
            or any(name.startswith(("place_", "match_")) for name in self.fields)
        )

    @property
    def matches(self) -> list[str]:
        """The matching form's fields, ``match_0``, ``match_1``..., in order."""
        names = [name for name in self.fields if name.startswith("match_")]
        return sorted(names, key=lambda name: int(name.removeprefix("match_")))

    @property
    def fields(self) -> set[str]:
        return {*self.hidden, *self.choices, *self.inputs}


class _FormParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = a.get("hx-post") or a.get("action") or self.base
            self._form = Form(action=urljoin(self.base, action), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "hidden":
                form.hidden[name] = a.get("value", "")
            elif kind in {"radio", "checkbox", "submit"}:
                form.choices.setdefault(name, []).append(a.get("value", "on"))
            else:
                form.inputs[name] = a.get("value", "")
        elif tag == "button" and name:
            form.choices.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            form.choices[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms(html: str, base: str) -> list[Form]:
    parser = _FormParser(base)
    parser.feed(html)
    return parser.forms


def answer_form(html: str, base: str) -> Form | None:
    return next((form for form in forms(html, base) if form.is_answer), None)


def match_values(form: Form) -> list[str]:
    """The values a matching form's selects offer (the same in each), without the empty prompt."""
    return [value for value in form.choices[form.matches[0]] if value]


def answer_data(form: Form, rng: random.Random) -> dict[str, str]:
    """A random valid answer: one ``choice``, a typed answer, a random permutation of places,
    or of the values matched with each item."""
    data = dict(form.hidden)
    if "typed" in form.inputs:
        data["typed"] = rng.choice(["1689", "Treaty of Nerchinsk", "not the answer"])
        return data
    if "choice" in form.choices:
        data["choice"] = rng.choice(form.choices["choice"])
        return data
    if form.matches:
        values = match_values(form)
        rng.shuffle(values)
        data.update(zip(form.matches, values, strict=True))
        return data
    places = sorted(name for name in form.fields if name.startswith("place_"))
    ranks = [str(n) for n in range(1, len(places) + 1)]
    rng.shuffle(ranks)
    data.update(zip(places, ranks, strict=True))
    return data


def chosen(data: dict[str, str]) -> object:
    """What the server stores as ``Item.chosen`` for this answer: an index, what was typed,
    the order of options, or each item's matched value."""
    if "choice" in data:
        return int(data["choice"])
    if "typed" in data:
        return data["typed"]
    matched = {int(k.removeprefix("match_")): int(v) for k, v in data.items() if k.startswith("match_")}
    if matched:
        return [matched[item] for item in sorted(matched)]
    ranks = {int(k.removeprefix("place_")): int(v) for k, v in data.items() if k.startswith("place_")}
    return [option for option, _ in sorted(ranks.items(), key=lambda pair: pair[1])]


def htmx_headers(client: httpx.AsyncClient | httpx.Client, current_url: str = "") -> dict[str, str]:
    headers = {"HX-Request": "true", "X-CSRFToken": client.cookies.get(CSRF_COOKIE) or ""}
    if current_url:
        headers["HX-Current-URL"] = current_url
    return headers


def csrf_data(client: httpx.AsyncClient | httpx.Client) -> dict[str, str]:
    return {"csrfmiddlewaretoken": client.cookies.get(CSRF_COOKIE) or ""}


def attempt_id(url: str) -> str | None:
    match = PLAY_PATH.search(url)
    return match.group(1) if match else None


class PlayError(RuntimeError):
    """The app answered a step of play in a way a browser could not go on from."""


async def login(client: httpx.AsyncClient, login_path: str, username: str, password: str) -> None:
    """Sign in through the login form (GET for the CSRF cookie, then POST)."""
    page = await client.get(login_path)
    if page.status_code != 200:
        raise PlayError(f"GET {login_path}: {page.status_code}")
    response = await client.post(
        login_path,
        data={"username": username, "password": password, **csrf_data(client)},
        headers={"Referer": str(page.url)},
    )
    if response.status_code != 302:
        raise PlayError(f"login of {username}: {response.status_code}")


async def start(client: httpx.AsyncClient, play_path: str, *, length: int | None = None) -> str:
    """Start an attempt from the dossier's play page; return the attempt id."""
    page = await client.get(play_path)
    if page.status_code != 200:
        raise PlayError(f"GET {play_path}: {page.status_code}")
    # The start form posts to the page itself (the header's logout form is a POST too).
    posts = [f for f in forms(page.text, str(page.url)) if f.method == "post"]
    start_form = next((f for f in posts if f.action == str(page.url)), None)
    if start_form is None:
        raise PlayError(f"no start form on {play_path}")
    data = {**start_form.hidden, **csrf_data(client)}
    if length is not None and "length" in start_form.fields:
        data["length"] = str(length)
    response = await client.post(start_form.action, data=data, headers={"Referer": str(page.url)})
    found = attempt_id(response.headers.get("location", ""))
    if response.status_code not in (302, 303) or not found:
        raise PlayError(f"start on {play_path}: {response.status_code} {response.headers.get('location')}")
    return found
